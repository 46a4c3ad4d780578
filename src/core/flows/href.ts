/**
 * A redirect's Location made absolute (navigation.ts recordHop: the hop's `to` is the hash of it).
 * `new URL(href, base).href` is most of recordHop's time, and a Location is most often already an
 * absolute http(s) URL in the form the parser would write it (an authorization request, a
 * callback): such a string is its own href, and is returned as it is. The check is conservative:
 * anything it is not sure of goes to the parser (href.test.ts holds the two equal).
 */

/** `parseUrl(href, base)?.href` without reading the parameters (a Location is often a long authorization request) */
export function absoluteHref(href: string, base: string): string | undefined {
  if (href.length === 0) return undefined;
  try {
    return (base ? new URL(href, base) : new URL(href)).href;
  } catch {
    return undefined;
  }
}

/**
 * absoluteHref(href, base) for a `base` that parses (its caller found its origin): an absolute
 * URL that isCanonicalHref accepts is returned as it is, without a parse
 */
export function absoluteHrefOfParsedBase(href: string, base: string): string | undefined {
  return isCanonicalHref(href) ? href : absoluteHref(href, base);
}

/**
 * from the path's `/` to the end: segments (none `.` or `..`), a query and a fragment of only the
 * characters every URL parser keeps as they are (`%` only in the query and the fragment: in a path
 * some parsers decode an escape). (A regular expression: a loop over the characters took as long as
 * the parse it spares.)
 */
const REST = /(?:\/(?!\.\.?(?:[/?#]|$))[A-Za-z0-9\-._~!$&()*+,;=:@]*)+(?:\?[A-Za-z0-9\-._~!$&()*+,;=:@/?%]*)?(?:#[A-Za-z0-9\-._~!$&()*+,;=:@/?%#]*)?$/y;

/**
 * Is `href` an absolute http(s) URL that `new URL(href).href` returns unchanged: lower-case
 * scheme and host (labels of a-z 0-9 -, no punycode, not an IPv4 form), a port only when it is not
 * the scheme's default and is written canonically, a path that begins with `/` and has no dot
 * segment, and only characters no parser escapes or decodes. False means "not sure".
 */
export function isCanonicalHref(href: string): boolean {
  let i: number;
  if (href.startsWith('https://')) i = 8;
  else if (href.startsWith('http://')) i = 7;
  else return false;
  const n = href.length;
  // the host: labels of a-z 0-9 -, none empty
  let labelStart = i;
  let c = -1;
  for (; i < n; i++) {
    c = href.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45) continue;
    if (c !== 46 /* . */) break;
    if (i === labelStart || isPunycode(href, labelStart)) return false;
    labelStart = i + 1;
  }
  if (i === labelStart || isPunycode(href, labelStart)) return false;
  // the last label: a number (or 0x…) makes the host an IPv4 address, which the parser normalizes
  const l0 = href.charCodeAt(labelStart);
  if (l0 >= 48 && l0 <= 57) return false;
  if (i >= n) return false; // no path: the parser adds `/`
  if (c === 58 /* : */) {
    const ps = i + 1;
    let j = ps;
    while (j < n) {
      const d = href.charCodeAt(j);
      if (d < 48 || d > 57) break;
      j++;
    }
    const len = j - ps;
    if (len === 0 || len > 5 || href.charCodeAt(ps) === 48) return false;
    const port = Number(href.slice(ps, j));
    if (port > 65535 || port === (href.charCodeAt(4) === 115 /* https */ ? 443 : 80)) return false;
    i = j;
    if (i >= n) return false;
    c = href.charCodeAt(i);
  }
  if (c !== 47 /* / */) return false;
  REST.lastIndex = i;
  return REST.test(href);
}

/** a label that begins `xn--` (the parser validates punycode) */
function isPunycode(href: string, at: number): boolean {
  return href.startsWith('xn--', at);
}
