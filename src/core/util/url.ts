/** URL helpers that never throw. The core parses each URL once and passes the result around. */
import { getDomain } from 'tldts';
import { GenCache } from './gen-cache';

const PSL_OPTIONS = { allowPrivateDomains: true } as const;

export interface ParsedUrl {
  /** the input, unchanged */
  href: string;
  origin: string;
  protocol: string;
  host: string;
  hostname: string;
  pathname: string;
  /** scheme + host + path, no query or fragment: what redirect URI comparisons use */
  base: string;
  query: Params;
  fragment: Params;
  hasFragment: boolean;
}

/** Multi-valued parameters in order of appearance; `get` returns the first value. */
export class Params {
  readonly entries: [string, string][];
  constructor(entries: [string, string][] = []) {
    this.entries = entries;
  }
  // indexed loops: every rule asks a message's parameters several names (no iterator, no destructuring)
  get(name: string): string | undefined {
    const e = this.entries;
    for (let i = 0; i < e.length; i++) if (e[i][0] === name) return e[i][1];
    return undefined;
  }
  has(name: string): boolean {
    const e = this.entries;
    for (let i = 0; i < e.length; i++) if (e[i][0] === name) return true;
    return false;
  }
  getAll(name: string): string[] {
    return this.entries.filter(([k]) => k === name).map(([, v]) => v);
  }
  keys(): string[] {
    return this.entries.map(([k]) => k);
  }
  get size(): number {
    return this.entries.length;
  }
  toObject(): Record<string, string> {
    const o: Record<string, string> = {};
    for (const [k, v] of this.entries) if (!(k in o)) o[k] = v;
    return o;
  }
}

/** Lenient percent-decoding: malformed sequences are kept as they are instead of throwing. */
export function safeDecode(s: string): string {
  const pct = s.indexOf('%');
  const plusAt = s.indexOf('+');
  if (pct < 0 && plusAt < 0) return s;
  const plus = plusAt < 0 ? s : s.replace(/\+/g, ' ');
  if (pct < 0) return plus; // nothing to decode (decodeURIComponent would return it unchanged)
  try {
    return decodeURIComponent(plus);
  } catch {
    return plus.replace(/(%[0-9a-fA-F]{2})+/g, decodeRunLeniently);
  }
}

/** Decode a run of %XX escapes sequence by sequence, keeping the ones that are not valid UTF-8. */
function decodeRunLeniently(run: string): string {
  try {
    return decodeURIComponent(run);
  } catch {
    /* decode piece by piece below */
  }
  const bytes = run.match(/%[0-9a-fA-F]{2}/g) ?? [];
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    const b = parseInt(bytes[i].slice(1), 16);
    const len = b < 0x80 ? 1 : b >= 0xf0 && b < 0xf8 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    const seq = bytes.slice(i, i + len).join('');
    try {
      out += decodeURIComponent(seq);
      i += len;
    } catch {
      out += bytes[i];
      i += 1;
    }
  }
  return out;
}

const asIs = (s: string): string => s;

/** application/x-www-form-urlencoded parsing (query strings, fragments, form bodies). */
export function parseParams(s: string, maxParams = 1000): Params {
  const out: [string, string][] = [];
  if (!s) return new Params(out);
  let start = 0;
  // the next '=' at or after `start` (s.length: none), found again only once passed
  let nextEq = -1;
  // text with no % and no + decodes to itself: one look at the whole text instead of two per piece
  const decode = s.indexOf('%') < 0 && s.indexOf('+') < 0 ? asIs : safeDecode;
  while (start <= s.length && out.length < maxParams) {
    let end = s.indexOf('&', start);
    if (end < 0) end = s.length;
    if (end > start) {
      // (the pair's parts sliced from the text directly: no string of the whole pair first)
      if (nextEq < start) {
        nextEq = s.indexOf('=', start);
        if (nextEq < 0) nextEq = s.length;
      }
      const eq = nextEq;
      if (eq >= end) out.push([decode(s.slice(start, end)), '']);
      else out.push([decode(s.slice(start, eq)), decode(s.slice(eq + 1, end))]);
    }
    start = end + 1;
  }
  return new Params(out);
}

const EMPTY = new Params();

// the same URL is parsed several times while a message is handled (a token request by the MCP
// ledger, then by classify, then by its rules): the last answer without a base is kept. URLs
// without parameters (endpoints, issuers, metadata and JWKS URLs) come back with every message of
// every flow (the token endpoint by the AS directory, the ledger and the rules): their answers are
// kept in a GenCache too. A URL with a query or fragment is a message's own (its state, its code):
// on the dense capture none of the 2 998 such parses that missed the last answer was of a URL seen
// before, against 97.7 % of the 16 681 without (99.6 % of 3 847 on the bench's steady traffic), so
// those are not cached (hashing a long URL for nothing, and keeping its parameters alive, cost
// more than the hits saved). Callers treat the answer as read-only.
// The last URL with parameters is kept apart as well, so that parsing an endpoint, an issuer or an
// audience in between (a rule comparing a request with its token's aud, the AS directory) does not
// make the message's own URL parse again.
let lastHref: string | undefined;
let lastParsed: ParsedUrl | undefined;
let lastQueryHref: string | undefined;
let lastQueryParsed: ParsedUrl | undefined;
const endpoints = new GenCache<ParsedUrl | null>(256);

/** Parse an absolute URL; `undefined` when it is not one. Never throws. */
export function parseUrl(href: string, base?: string): ParsedUrl | undefined {
  if (typeof href !== 'string' || href.length === 0) return undefined;
  if (base) return parseUrlUncached(href, base);
  if (href === lastHref) return lastParsed;
  let parsed: ParsedUrl | undefined;
  if (href.indexOf('?') >= 0 || href.indexOf('#') >= 0) {
    if (href === lastQueryHref) parsed = lastQueryParsed;
    else {
      parsed = parseSimple(href) ?? parseUrlUncached(href, undefined);
      lastQueryHref = href;
      lastQueryParsed = parsed;
    }
  } else {
    const known = endpoints.get(href);
    if (known !== undefined) parsed = known ?? undefined;
    else {
      parsed = parseSimple(href) ?? parseUrlUncached(href, undefined);
      endpoints.set(href, parsed ?? null);
    }
  }
  lastHref = href;
  lastParsed = parsed;
  return parsed;
}

/**
 * Path characters the URL parser keeps as they are (no percent-encoding, no `%` whose `%2e` would
 * be a dot segment, no backslash): A-Z a-z 0-9 - . _ ~ ! $ & ( ) * + , ; = : @ /
 */
const PATH_KEPT = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&()*+,;=:@/') PATH_KEPT[c.charCodeAt(0)] = 1;

/**
 * `parseUrlUncached(href)` for a URL that is already in the form the URL parser would print: an
 * origin simpleOrigin accepts, then a path of PATH_KEPT characters with no segment that starts
 * with a dot (`.`, `..`, `.well-known`: those go to the parser), then the query and fragment, which
 * parseUrlUncached reads from the input anyway. Undefined for anything else (the parser decides).
 * An API call's URL with parameters is parsed once per message, and `new URL()` and its getters were
 * half of it (0.46 of 1.04 µs on the bench's URLs with a query, Node 20).
 */
function parseSimple(href: string): ParsedUrl | undefined {
  const origin = simpleOrigin(href);
  if (origin === undefined) return undefined;
  const n = href.length;
  const start = origin.length;
  let i = start;
  for (; i < n; i++) {
    const c = href.charCodeAt(i);
    if (c === 63 /* ? */ || c === 35 /* # */) break;
    if (c >= 128 || PATH_KEPT[c] === 0) return undefined;
    if (c === 46 /* . */ && href.charCodeAt(i - 1) === 47 /* / */) return undefined;
  }
  const pathname = i === start ? '/' : href.slice(start, i);
  // (the base as a slice of the input where it is one: no rope of origin and path that its first
  // use as a map key flattens into a copy)
  const base = i === start ? origin + '/' : href.slice(0, i);
  const h = href.indexOf('#', i);
  const rawQuery = href.charCodeAt(i) === 63 ? href.slice(i + 1, h < 0 ? n : h) : '';
  const rawFragment = h < 0 ? '' : href.slice(h + 1);
  const scheme = href.charCodeAt(4) === 115 /* s */ ? 'https:' : 'http:';
  const host = origin.slice(scheme.length + 2);
  const colon = host.indexOf(':');
  return {
    href,
    origin,
    protocol: scheme,
    host,
    hostname: colon < 0 ? host : host.slice(0, colon),
    pathname,
    base,
    query: rawQuery ? parseParams(rawQuery) : EMPTY,
    fragment: rawFragment ? parseParams(fragmentQuery(rawFragment)) : EMPTY,
    hasFragment: h >= 0,
  };
}

/**
 * What follows a simple origin in a URL the parser prints as it is: a path of PATH_KEPT characters
 * whose segments do not start with a dot (`.`, `..`, `%2e` are the parser's), then a query of the
 * characters it keeps there (no control character, space, `"`, `#`, `'`, `<`, `>`, nothing beyond
 * ASCII) and a fragment of those it keeps there (no control character, space, `"`, `<`, `>`,
 * backquote). A regular expression: read natively, a few times faster than a loop over the
 * characters of a long authorization URL.
 */
const PRINTED_REST = /(?:\/(?!\.)[A-Za-z0-9\-._~!$&()*+,;=:@]*)+(?:\?[\x21\x24-\x26\x28-\x3b\x3d\x3f-\x7e]*)?(?:#[\x21\x23-\x3b\x3d\x3f-\x5f\x61-\x7e]*)?$/y;

/**
 * `new URL(href, base).href === href` (and it does not throw), found without the URL parser for an
 * absolute URL already in the form the parser prints: an origin simpleOrigin accepts, then a path,
 * a query and a fragment as PRINTED_REST reads them; and a base the parser accepts (it parses the
 * base first, and throws on a bad one even for an absolute URL): one whose origin simpleOrigin
 * accepts (after a valid http(s) host and port, nothing makes the parser fail). False means only
 * that the parser has to decide. A redirect's Location is resolved once per HAR entry
 * (observe/from-har.ts), and is most often such a URL (an authorization request's callback).
 */
export function resolvesToItself(href: string, base?: string): boolean {
  if (base !== undefined && simpleOrigin(base) === undefined) return false;
  const origin = simpleOrigin(href);
  if (origin === undefined) return false;
  PRINTED_REST.lastIndex = origin.length;
  return PRINTED_REST.test(href);
}

/** @internal parseUrl without its caches (the tests' reference) */
export function parseUrlUncached(href: string, base: string | undefined): ParsedUrl | undefined {
  let u: URL;
  try {
    u = base ? new URL(href, base) : new URL(href);
  } catch {
    return undefined;
  }
  const hashIdx = href.indexOf('#');
  // Read query and fragment from the raw string: URL re-encodes them, which we do not want.
  const full = base ? u.href : href;
  const h = full.indexOf('#');
  const beforeHash = h < 0 ? full : full.slice(0, h);
  const q = beforeHash.indexOf('?');
  const rawQuery = q < 0 ? '' : beforeHash.slice(q + 1);
  const rawFragment = h < 0 ? '' : full.slice(h + 1);
  return {
    href: full,
    origin: u.origin,
    protocol: u.protocol,
    host: u.host,
    hostname: u.hostname,
    pathname: u.pathname,
    base: u.origin + u.pathname,
    query: rawQuery ? parseParams(rawQuery) : EMPTY,
    fragment: rawFragment ? parseParams(fragmentQuery(rawFragment)) : EMPTY,
    hasFragment: hashIdx >= 0 || h >= 0,
  };
}

/**
 * The parameter part of a fragment. A hash-router route (`#/callback?access_token=…`,
 * `#!/cb?code=…`) carries its parameters after the route's `?`; any other fragment is parameters
 * itself (`#access_token=…&state=…`).
 */
function fragmentQuery(fragment: string): string {
  if (fragment.charCodeAt(0) !== 47 /* / */ && !fragment.startsWith('!/')) return fragment;
  const q = fragment.indexOf('?');
  return q < 0 ? fragment : fragment.slice(q + 1);
}

const NUMERIC_LABEL = /^(?:\d+|0x[0-9a-f]*)$/;
const CANONICAL_IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/**
 * The origin of a URL that is already in the form the URL parser would print (lower-case http(s),
 * a plain host name of [a-z0-9-] labels or a canonical IPv4 address, no default or out-of-range
 * port, then / ? # or the end), or undefined when the URL parser has to decide. Hot path: every
 * request's initiator and Referer, so a scan of the characters rather than a regular expression.
 */
function simpleOrigin(href: string): string | undefined {
  let i: number;
  if (href.startsWith('https://')) i = 8;
  else if (href.startsWith('http://')) i = 7;
  else return undefined;
  const hostStart = i;
  const n = href.length;
  let labelStart = i;
  let c = -1;
  for (; i < n; i++) {
    c = href.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45) continue;
    if (c === 46 /* . */) {
      if (i === labelStart) return undefined;
      labelStart = i + 1;
      continue;
    }
    break;
  }
  if (i === labelStart) return undefined; // empty host, empty last label
  const hostEnd = i;
  if (i < n && c === 58 /* : */) {
    const ps = i + 1;
    let j = ps;
    while (j < n && j - ps < 6) {
      const d = href.charCodeAt(j);
      if (d < 48 || d > 57) break;
      j++;
    }
    const len = j - ps;
    if (len === 0 || len > 5 || href.charCodeAt(ps) === 48) return undefined;
    const port = Number(href.slice(ps, j));
    if (port > 65535 || port === (hostStart === 8 ? 443 : 80)) return undefined;
    i = j;
  }
  if (i < n) {
    const e = href.charCodeAt(i);
    if (e !== 47 && e !== 63 && e !== 35) return undefined; // / ? #
  }
  const host = href.slice(hostStart, hostEnd);
  if (host.includes('xn--')) return undefined; // punycode is validated by the parser
  const first = href.charCodeAt(labelStart);
  if (first >= 48 && first <= 57) {
    // IPv4 forms get normalised
    if (NUMERIC_LABEL.test(href.slice(labelStart, hostEnd)) && !CANONICAL_IPV4.test(host)) return undefined;
  }
  return href.slice(0, i);
}

export function originOf(href: string | undefined): string | undefined {
  if (!href) return undefined;
  const fast = simpleOrigin(href);
  if (fast !== undefined) return fast;
  try {
    const o = new URL(href).origin;
    return o === 'null' ? undefined : o;
  } catch {
    return undefined;
  }
}

/** Remove the fragment of a URL string. */
export function stripFragment(href: string): string {
  const h = href.indexOf('#');
  return h < 0 ? href : href.slice(0, h);
}

/**
 * Registrable domain (eTLD+1, the browser's "site") by the Public Suffix List, private section
 * included as browsers do (a.github.io and b.github.io are different sites), through tldts.
 * An unknown top-level label counts as a suffix (the list's default rule: a.b.example → b.example).
 * IP addresses and single-label hosts (localhost) are returned whole.
 */
export function siteOf(hostname: string): string {
  let site = sites.get(hostname);
  if (site === undefined) {
    const h = hostname.toLowerCase().replace(/\.$/, '');
    site = /^\d+\.\d+\.\d+\.\d+$/.test(h) || h.startsWith('[') || h.includes(':') ? h : (getDomain(h, PSL_OPTIONS) ?? h);
    sites.set(hostname, site); // a page meets few hosts; the rules ask about them again and again
  }
  return site;
}
const sites = new GenCache<string>(2048);

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(h) || h === '[::1]' || h === '::1';
}
