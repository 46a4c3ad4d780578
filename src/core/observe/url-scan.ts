/**
 * One pass over an observation's URL, shared by the classifier and the rules' prefilter (issue #10
 * item 1): the parameter names it carries, found as both read them. Before, the classifier ran its
 * OAuth-parameter regular expression over the whole URL and the prefilter then walked the same
 * names again; now both read the spans recorded here.
 *
 * A name is recorded where an `=` follows a run of [A-Za-z0-9_%] that a `?`, `&` or `#` precedes
 * (the URL parser's separators; a name in percent-encoded form keeps its `%`). The scan jumps from
 * `=` to `=` (native `indexOf`) and reads only the names, so a long value costs nothing. The result
 * is one reused record: read it before the next call (the last URL's answer is kept, so the
 * classifier and the prefilter asking about one URL scan it once).
 */

/** a value follows the `=` (it is not the last character, nor followed by `&` or `#`) */
export const SPAN_VALUE = 1;
/** the name holds a `%` (the prefilter decodes it as the parser does) */
export const SPAN_PCT = 2;
/** spans kept; a URL with more names reports `overflow` and its readers scan it themselves */
export const MAX_SPANS = 64;

export interface UrlScan {
  /** the URL scanned */
  url: string;
  /**
   * a parameter name the classifier takes for OAuth-ish: exactly what
   * `/[?&#](client_id|code|…|[a-z_]*sess[a-z_]*|link_?token|connect[a-z_]*|ticket|handoff|binding)=/i`
   * finds (classify/plain.ts keeps that expression as OAUTH_PARAM; test/url-scan-equivalence.test.ts holds them equal)
   */
  oauthName: boolean;
  /** names recorded: spans[3i] start, spans[3i+1] end (the `=`), spans[3i+2] SPAN_* flags */
  count: number;
  /** more than MAX_SPANS names: the spans are incomplete */
  overflow: boolean;
  readonly spans: Int32Array;
}

/** the exact OAuth-ish names (lower case) by length; `sess` anywhere, `connect…` and `link_?token` are tested apart */
const OAUTH_BY_LENGTH: string[][] = [];
for (const n of [
  'client_id',
  'code',
  'access_token',
  'id_token',
  'id_token_hint',
  'post_logout_redirect_uri',
  'error',
  'response',
  'state',
  'iss',
  'grant_type',
  'request_uri',
  'refresh_token',
  'client_secret',
  'code_verifier',
  'assertion',
  'client_assertion',
  'sid',
  'ticket',
  'handoff',
  'binding',
  'link_token',
  'linktoken',
])
  (OAUTH_BY_LENGTH[n.length] ??= []).push(n);

/** s[at, at + lower.length) equals `lower` ignoring ASCII case (s is known to be [A-Za-z_] there) */
function sameLowerAt(s: string, at: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    const c = s.charCodeAt(at + i);
    if ((c >= 65 && c <= 90 ? c + 32 : c) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** the name s[start, end) (letters and `_` only) is one the classifier takes for OAuth-ish */
function oauthNameAt(s: string, start: number, end: number): boolean {
  const len = end - start;
  const exact = OAUTH_BY_LENGTH[len];
  if (exact !== undefined) for (let i = 0; i < exact.length; i++) if (sameLowerAt(s, start, exact[i])) return true;
  if (len >= 7 && sameLowerAt(s, start, 'connect')) return true;
  // `sess` anywhere: look for an `s` followed by `ess`
  for (let i = start; i + 4 <= end; i++) if ((s.charCodeAt(i) | 32) === 115 && sameLowerAt(s, i + 1, 'ess')) return true;
  return false;
}

/**
 * Record the names of `s` into `into` (reset first). `cap`: spans to keep. Every `=` is looked at:
 * the run before it of [A-Za-z0-9_%] is a name when a separator precedes it.
 */
export function scanNames(s: string, into: UrlScan, cap = MAX_SPANS): UrlScan {
  into.url = s;
  into.count = 0;
  into.overflow = false;
  into.oauthName = false;
  const spans = into.spans;
  let eq = s.indexOf('=');
  while (eq >= 0) {
    let j = eq - 1;
    // 1: a digit or `%` (never an OAuth-ish name, which is letters and `_`)
    let other = 0;
    let pct = 0;
    for (; j >= 0; j--) {
      const c = s.charCodeAt(j);
      // [A-Za-z_]
      if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95) continue;
      if (c >= 48 && c <= 57) {
        other = 1;
        continue;
      }
      if (c === 37) {
        other = 1;
        pct = SPAN_PCT;
        continue;
      }
      break;
    }
    const start = j + 1;
    const sep = j >= 0 ? s.charCodeAt(j) : 0;
    // `?`, `&` or `#` before a name of at least one character
    if (start < eq && (sep === 63 || sep === 38 || sep === 35)) {
      if (other === 0 && !into.oauthName && oauthNameAt(s, start, eq)) into.oauthName = true;
      if (into.count < cap) {
        const next = eq + 1 < s.length ? s.charCodeAt(eq + 1) : 38;
        const k = into.count * 3;
        spans[k] = start;
        spans[k + 1] = eq;
        spans[k + 2] = pct | (next !== 38 && next !== 35 ? SPAN_VALUE : 0);
        into.count += 1;
      } else into.overflow = true;
    }
    eq = s.indexOf('=', eq + 1);
  }
  return into;
}

const last: UrlScan = { url: '', oauthName: false, count: 0, overflow: false, spans: new Int32Array(MAX_SPANS * 3) };
/** the observation whose URL `last` holds, when it was asked by observation */
let lastOf: { readonly url: string } | undefined;

/** The names of `url` (one reused record; the last URL's answer is kept). */
export function scanUrl(url: string): UrlScan {
  if (url === last.url) return last;
  lastOf = undefined;
  return scanNames(url, last);
}

/**
 * `scanUrl(o.url)`, kept by observation: the first question about a new observation scans without
 * comparing its URL with the last one (two URLs of one length compare character by character:
 * consecutive API calls and assets often have one length and a long common prefix).
 */
export function scanOf(o: { readonly url: string }): UrlScan {
  if (o === lastOf && o.url === last.url) return last;
  lastOf = o;
  return scanNames(o.url, last);
}

/** a fresh record (tests; a caller that must keep two scans at once) */
export function newUrlScan(): UrlScan {
  return { url: '', oauthName: false, count: 0, overflow: false, spans: new Int32Array(MAX_SPANS * 3) };
}
