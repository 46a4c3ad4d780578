import { SampledCache } from './sampled-cache';
import { sha256HexPrefix } from './sha256';

/**
 * A secret value (code, token, state, nonce, verifier, assertion) as the core keeps it: never the
 * raw value unless redaction is off, always a hash so that equal values stay recognisable.
 */
export interface SecretRef {
  /** first 16 hex chars of SHA-256: the identity used for comparisons */
  hash: string;
  /** what is shown: `abcd…#1a2b3c4d` when redacted, the value itself when redaction is off */
  shown: string;
  length: number;
  /** size of the smallest standard alphabet that covers the value: 10, 16, 36, 62, 64 or 95+ */
  alphabet: number;
}

export interface RedactionOptions {
  redact: boolean;
}

// character classes for alphabetOf, one bit each
const DIGIT = 1, LOWER_HEX = 2, LOWER = 4, UPPER_HEX = 8, UPPER = 16, URL_SAFE = 32, STD_B64 = 64, OTHER = 128;
const CLASS = new Uint8Array(128).fill(OTHER);
for (let c = 48; c <= 57; c++) CLASS[c] = DIGIT;
for (let c = 97; c <= 122; c++) CLASS[c] = c <= 102 ? LOWER_HEX : LOWER;
for (let c = 65; c <= 90; c++) CLASS[c] = c <= 70 ? UPPER_HEX : UPPER;
CLASS[45] = CLASS[95] = URL_SAFE; // - _
CLASS[43] = CLASS[47] = CLASS[61] = STD_B64; // + / =

/** size of the smallest standard alphabet that covers the value (one pass over its characters) */
export function alphabetOf(v: string): number {
  let seen = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    seen |= c < 128 ? CLASS[c] : OTHER;
  }
  if ((seen & ~DIGIT) === 0) return 10;
  if ((seen & ~(DIGIT | LOWER_HEX)) === 0 || (seen & ~(DIGIT | UPPER_HEX)) === 0) return 16;
  if ((seen & ~(DIGIT | LOWER_HEX | LOWER)) === 0 || (seen & ~(DIGIT | UPPER_HEX | UPPER)) === 0) return 36;
  const ALNUM = DIGIT | LOWER_HEX | LOWER | UPPER_HEX | UPPER;
  if ((seen & ~ALNUM) === 0) return 62;
  if ((seen & ~(ALNUM | URL_SAFE)) === 0 || (seen & ~(ALNUM | STD_B64)) === 0) return 64;
  return 95;
}

/** distinct characters (code points) of a value; ASCII counted without a Set */
function distinctChars(v: string): number {
  let lo = 0, mid = 0, hi = 0, top = 0, n = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c >= 128) return new Set(v).size;
    const bit = 1 << (c & 31);
    if (c < 32) { if (!(lo & bit)) { lo |= bit; n++; } }
    else if (c < 64) { if (!(mid & bit)) { mid |= bit; n++; } }
    else if (c < 96) { if (!(hi & bit)) { hi |= bit; n++; } }
    else if (!(top & bit)) { top |= bit; n++; }
  }
  return n;
}

/**
 * Upper bound of entropy in bits, length × log2(alphabet), as the spec's state-weak rule uses. A
 * degenerate value that repeats a few characters (fewer distinct characters than a quarter of its
 * length, e.g. "1111…" or "abababab…") is estimated from its distinct characters instead.
 */
export function entropyBits(v: string): number {
  const byAlphabet = v.length * Math.log2(alphabetOf(v));
  if (v.length < 8) return byAlphabet;
  const distinct = distinctChars(v);
  if (distinct >= v.length / 4) return byAlphabet;
  return Math.min(byAlphabet, v.length * Math.log2(distinct + 1));
}

/**
 * What is kept of a secret value once seen: its fingerprint, its equality key, and its redacted
 * display (and that display percent-encoded, as redactUrl writes it), each computed when first asked
 * for. One entry serves hashSecret, equalityKey, redactValue and secretRef.
 */
interface SecretEntry {
  /** hashSecret: SHA-256 (16 hex) */
  hash: string | undefined;
  /** equalityKey: fastHash */
  key: string | undefined;
  shown: string | undefined;
  shownInUrl: string | undefined;
}

// the same state, code or token is hashed many times while a flow is handled (by the flow store,
// then by each rule that reads it), and again when the flow's next message comes: within a few
// messages. A value is most often a new string object (sliced from a URL by redactUrl, from a form
// or a query by the parser), which a Map would hash over its whole length before it could answer.
// The last RECENT values looked up are compared by `===` (a different value of the same length
// differs at its first characters); a long value (a token) is found beyond them by a sample of its
// characters (util/sampled-cache.ts). A short one (a state, code, nonce, refresh token) is not kept
// beyond the recent ones: on the dense capture and the bench's traffic the recent values answered
// every lookup that a cache of 2 048 short values answered but 28 of 5 818 (the bench), and each new
// value's miss and entry there (most are never asked for again: a nonce, a session_state, an issued
// refresh token) cost more than those 28 digests (engine CPU per message on the dense capture
// 0.91-0.98 of keeping them, on the bench's steady traffic 0.89). A short value asked for again after
// RECENT others is digested again: the same answer.
const LONG = 128;
const longSecrets = new SampledCache<SecretEntry>(512);
let lastSecret: string | undefined;
let lastEntry: SecretEntry = newEntry();

function newEntry(): SecretEntry {
  return { hash: undefined, key: undefined, shown: undefined, shownInUrl: undefined };
}

const RECENT = 16;
const recentKeys: (string | undefined)[] = new Array<string | undefined>(RECENT).fill(undefined);
const recentEntries: SecretEntry[] = Array.from({ length: RECENT }, newEntry);
let recentAt = 0;

function entryOf(v: string): SecretEntry {
  if (v === lastSecret) return lastEntry;
  let e: SecretEntry | undefined;
  for (let i = 0; i < RECENT; i++) {
    if (recentKeys[i] === v) {
      e = recentEntries[i];
      break;
    }
  }
  if (e === undefined) {
    e = v.length >= LONG ? longSecrets.getOrAdd(v, newEntry) : newEntry();
    recentKeys[recentAt] = v;
    recentEntries[recentAt] = e;
    recentAt = (recentAt + 1) & (RECENT - 1);
  }
  lastSecret = v;
  lastEntry = e;
  return e;
}

/** Fingerprint of a secret: first 16 hex chars of SHA-256 (stored, shown, compared across restarts). */
export function hashSecret(v: string): string {
  const e = entryOf(v);
  return e.hash ?? (e.hash = sha256HexPrefix(v, 16));
}

/**
 * A key of a secret that is compared for equality only and never shown nor put in a finding (a
 * ledger's key): `fastHash(v)`, kept with the value's entry. Where nothing else fingerprints the
 * value (a refresh token in a token response, a client assertion, a bearer token) it costs no
 * SHA-256.
 */
export function equalityKey(v: string): string {
  // a short value's fastHash costs less than looking it up (a refresh token in a token response is
  // new, and most often never asked for again: its entry among the recent values would push out a
  // state or a code)
  if (v.length < LONG) return fastHash(v);
  const e = entryOf(v);
  return e.key ?? (e.key = fastHash(v));
}

/**
 * Redacted display of a secret: a short prefix (none for short values) and 8 hex chars of SHA-256,
 * the first 8 of its fingerprint (one digest for both: a secret is usually fingerprinted and shown).
 */
export function redactValue(v: string): string {
  const e = entryOf(v);
  return e.shown ?? (e.shown = shownOf(v, e.hash ?? (e.hash = sha256HexPrefix(v, 16))));
}

function shownOf(v: string, hash: string): string {
  const prefix = v.length > 12 ? v.slice(0, 4) : v.length > 6 ? v.slice(0, 2) : '';
  return `${prefix}…#${hash.slice(0, 8)}`;
}

/** the characters encodeURIComponent keeps as they are: A-Z a-z 0-9 - _ . ! ~ * ' ( ) */
const URI_KEPT = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()") URI_KEPT[c.charCodeAt(0)] = 1;

/**
 * `encodeURIComponent(redactValue(v))`: what redactUrl writes in place of a value. Its shown prefix
 * (the value's first 4 or 2 characters, or none) is most often kept as it is by the encoding: then
 * the prefix, `…#` encoded (%E2%80%A6%23) and the 8 hex digits are joined directly; any other
 * prefix is encoded (and one that splits a surrogate pair throws, as encodeURIComponent does).
 */
function redactedInUrl(v: string): string {
  const e = entryOf(v);
  if (e.shownInUrl !== undefined) return e.shownInUrl;
  const hash = e.hash ?? (e.hash = sha256HexPrefix(v, 16));
  const n = v.length;
  const p = n > 12 ? 4 : n > 6 ? 2 : 0;
  for (let i = 0; i < p; i++) {
    const c = v.charCodeAt(i);
    if (c >= 128 || URI_KEPT[c] === 0) return (e.shownInUrl = encodeURIComponent(e.shown ?? (e.shown = shownOf(v, hash))));
  }
  return (e.shownInUrl = (p === 0 ? '' : v.slice(0, p)) + '%E2%80%A6%23' + hash.slice(0, 8));
}

/**
 * A fast non-cryptographic 53-bit hash (cyrb53) as 14 hex chars, for keys of values that may contain
 * secrets where only equality matters (navigation URLs, the replay log's requests, the token an
 * accepted redemption returned; some are saved with the state): the key never shows the value, and
 * hashing every request with SHA-256 would dominate the hot path. What is shown or fingerprinted in
 * a finding uses `hashSecret` (SHA-256).
 */
export function fastHash(s: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  return fastHashHex(h1, h2);
}

/** the hex digits' character codes */
const HEX = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

/**
 * The end of `fastHash` (cyrb53): the final mixing of its two lanes and its 14 hex digits, which
 * equal `(4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0')`, written digit
 * by digit: `Number#toString(16)` of a 53-bit double took most of a navigation's time. Also the end
 * of flows/keys.ts's hash of a method and URL, which mixes the same lanes without building a string.
 * One String.fromCharCode of the 14 digits: a flat string. Joined with `+`, seven 2-digit pieces
 * made a cons string (V8 builds one above 12 characters) that each Map lookup or `===` with the
 * key flattened first: hash plus two Map lookups took twice as long (160 vs 80 ns).
 */
export function fastHashHex(h1: number, h2: number): string {
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  const hi = 2097151 & h2;
  return String.fromCharCode(
    HEX[hi >>> 20], HEX[(hi >>> 16) & 15], HEX[(hi >>> 12) & 15], HEX[(hi >>> 8) & 15], HEX[(hi >>> 4) & 15], HEX[hi & 15],
    HEX[h1 >>> 28], HEX[(h1 >>> 24) & 15], HEX[(h1 >>> 20) & 15], HEX[(h1 >>> 16) & 15], HEX[(h1 >>> 12) & 15], HEX[(h1 >>> 8) & 15], HEX[(h1 >>> 4) & 15], HEX[h1 & 15],
  );
}

export function secretRef(v: string, opts: RedactionOptions): SecretRef {
  const e = entryOf(v);
  const hash = e.hash ?? (e.hash = sha256HexPrefix(v, 16));
  return {
    hash,
    shown: opts.redact ? (e.shown ?? (e.shown = shownOf(v, hash))) : v,
    length: v.length,
    alphabet: alphabetOf(v),
  };
}

/** Parameter names whose values are secrets wherever they appear (query, fragment, body, Referer). */
export const SECRET_PARAMS = new Set([
  'code', 'state', 'access_token', 'refresh_token', 'id_token', 'nonce', 'code_verifier',
  'client_secret', 'client_assertion', 'assertion', 'token', 'response', 'request', 'subject_token',
  'actor_token', 'device_code', 'user_code', 'password', 'logout_token', 'id_token_hint',
  'auth_session_id', 'session_state',
]);

/**
 * Redact every secret parameter value in a URL's query and fragment, keeping the URL otherwise
 * intact. Non-URL strings are returned with any long token-like run redacted.
 */
export function redactUrl(href: string, opts: RedactionOptions): string {
  if (!opts.redact) return href;
  // the same URL is often redacted several times in a row (the flow store, then the rules' evidence)
  if (href === lastUrl) return lastRedacted;
  let out = href;
  if (href === lastSecretUrl) out = lastSecretRedacted;
  else {
    // most URLs carry no secret parameter: returned as they are, with no string built
    const first = nextSecretParam(href, 0);
    if (first >= 0) {
      out = redactParams(href, first);
      lastSecretUrl = href;
      lastSecretRedacted = out;
    }
  }
  lastUrl = href;
  lastRedacted = out;
  return out;
}

// the last URL, and the last one with a secret apart: a page's URL with a code or a state, asked
// again after the URLs of its subresources (a finding's Referer after each request's evidence). No
// cache of URLs beyond: a URL with a secret is a message's own, and none of those redacted on the
// dense capture or the bench's traffic was asked for again after another one (a cache of 1 024
// found by a sample of characters answered none: a lookup and an entry per URL for nothing)
let lastUrl: string | undefined;
let lastRedacted = '';
let lastSecretUrl: string | undefined;
let lastSecretRedacted = '';

/** the secret parameter names by length (index), for secretKey to compare in place */
const SECRET_BY_LENGTH: string[][] = [];
for (const k of SECRET_PARAMS) (SECRET_BY_LENGTH[k.length] ??= []).push(k);

/** the key of a parameter (between `from` and `to`) is a secret one; a key with % is decoded first */
function secretKey(href: string, from: number, to: number): boolean {
  // compared where it stands: no string is built for the key (a secret name has no %: a key that
  // is one is its own decoding)
  const names = SECRET_BY_LENGTH[to - from];
  if (names !== undefined) for (let i = 0; i < names.length; i++) if (href.startsWith(names[i], from)) return true;
  for (let i = from; i < to; i++) if (href.charCodeAt(i) === 37 /* % */) return secretKeyDecoded(href.slice(from, to));
  return false;
}

function secretKeyDecoded(key: string): boolean {
  let k = key;
  try {
    k = decodeURIComponent(k);
  } catch {
    /* keep raw */
  }
  return SECRET_PARAMS.has(k);
}

/**
 * The parameters of a URL as `/([?&#])([^=&#]+)=([^&#]*)/g` finds them, read in place: from `at`,
 * the index of the separator of the next parameter with a secret key and a non-empty value, or -1.
 * `scanEnd` receives where that value ends, `scanEq` where its key ends (its `=`). The separators
 * and the `=` are found by the native `indexOf` (a URL is read a few times faster than by a loop
 * over its characters, which was half of redactUrl's time besides the digests): a match can start
 * only at a separator; its key ends at the first `=`, `&` or `#` after it (a `?` may be in it); its
 * value at the first `&` or `#` after that, where the next match may start.
 */
let scanEnd = 0;
let scanEq = 0;
function nextSecretParam(href: string, at: number): number {
  const n = href.length;
  // the next =, ?, & and # from the match's start (n: none)
  let e = indexOr(href, '=', at, n);
  if (e === n) return -1; // no = left: no parameter
  let q = indexOr(href, '?', at, n);
  let a = indexOr(href, '&', at, n);
  let h = indexOr(href, '#', at, n);
  for (;;) {
    const i = q < a ? (q < h ? q : h) : a < h ? a : h;
    if (i === n) return -1;
    if (q === i) q = indexOr(href, '?', i + 1, n);
    else if (a === i) a = indexOr(href, '&', i + 1, n);
    else h = indexOr(href, '#', i + 1, n);
    if (e <= i) {
      e = indexOr(href, '=', i + 1, n);
      if (e === n) return -1;
    }
    // no match here (an & or # before the =, or an empty key): the expression tries the next separator
    if (e > a || e > h || e === i + 1) continue;
    const k = a < h ? a : h;
    if (k > e + 1 && secretKey(href, i + 1, e)) {
      scanEq = e;
      scanEnd = k;
      return i;
    }
    // the next match starts after the value (at its & or #: a ? inside it is no separator)
    if (q < k) q = indexOr(href, '?', k, n);
  }
}

/** the index of `c` in `s` from `from`, or `none` */
function indexOr(s: string, c: string, from: number, none: number): number {
  const i = s.indexOf(c, from);
  return i < 0 ? none : i;
}

/**
 * every secret parameter value replaced by its redacted form, the rest of the URL unchanged; `first`
 * is nextSecretParam(href, 0), already found (≥ 0)
 */
function redactParams(href: string, first: number): string {
  let out = '';
  let copied = 0;
  for (let at = first; at >= 0; at = nextSecretParam(href, scanEnd)) {
    const eq = scanEq;
    out += href.slice(copied, eq + 1) + redactedInUrl(href.slice(eq + 1, scanEnd));
    copied = scanEnd;
  }
  return out + href.slice(copied);
}

/** Redact long base64url-ish runs (JWTs, opaque tokens) inside free text. */
export function redactText(text: string, opts: RedactionOptions): string {
  if (!opts.redact) return text;
  return text.replace(/eyJ[A-Za-z0-9_-]{8,}(?:\.[A-Za-z0-9_-]*){1,4}|[A-Za-z0-9_\-]{32,}/g, (m) => redactValue(m));
}
