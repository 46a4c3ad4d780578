/**
 * Shared analysis of state values (state-weak, session-fixation-*). Pure; not a rule.
 */
import { decodeJsonObjectB64, decodeJwtPayloadUnsafe, looksLikeJwe } from '../../tokens/peek';
import { entropyBits } from '../../util/secret';
import { parseJsonObject } from '../../util/json';
import { parseParams } from '../../util/url';

export const WEAK_VALUES = new Set(['state', '12345', '123456', 'xyz', 'abc123', 'xyzabc123', 'mystate', 'random', 'test', 'none', 'null', 'undefined', 'csrf', 'abc', '1234', 'foo', 'bar', 'security_token']);

/** the longest WEAK_VALUES entry: a longer value is none of them */
const WEAK_MAX = Math.max(...[...WEAK_VALUES].map((w) => w.length));

export type StateShape =
  | { kind: 'jwe' }
  | { kind: 'structured'; format: 'jwt' | 'json' | 'base64-json' | 'fields'; fields: Record<string, string>; randomFields: [string, string][] }
  | { kind: 'opaque' };

const RANDOM_FIELD = /^(nonce|jti|csrf|csrf_?token|xsrf|token|security_token|secret|rand(om)?|salt|id)$/i;

function flatten(o: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    else if (v && typeof v === 'object' && !Array.isArray(v)) for (const [k2, v2] of Object.entries(flatten(v as Record<string, unknown>))) out[`${k}.${k2}`] = v2;
  }
  return out;
}

function structured(format: 'jwt' | 'json' | 'base64-json' | 'fields', obj: Record<string, unknown>): StateShape {
  const fields = flatten(obj);
  const randomFields = Object.entries(fields).filter(([k]) => RANDOM_FIELD.test(k.split('.').pop()!));
  return { kind: 'structured', format, fields, randomFields };
}


/**
 * What a state value is made of: a JWE (unassessable), structured data, or an opaque string.
 * Remembered per value (read-only): the request's state is judged again at its callback.
 */
export function stateShape(v: string): StateShape {
  // most states are random base64url or hex: opaque, proved in one pass without a lookup
  if (plainBits(v) >= 0) return OPAQUE;
  let shape = shapes.get(v);
  if (!shape) {
    shape = shapeOf(v);
    if (shapes.size >= 256) shapes.clear();
    shapes.set(v, shape);
  }
  return shape;
}
const shapes = new Map<string, StateShape>();
const OPAQUE: StateShape = { kind: 'opaque' };

// the fast exact path: one pass over a state made of base64url characters only (most real states
// are 22–64 random base64url or hex characters). Class bits as util/secret.ts's alphabetOf counts them.
const DIGIT = 1, LOWER_HEX = 2, LOWER = 4, UPPER_HEX = 8, UPPER = 16, URL_SAFE = 32;
const ALNUM = DIGIT | LOWER_HEX | LOWER | UPPER_HEX | UPPER;
/** class bit of a base64url character (0: any other character) */
const B64URL_CLASS = new Uint8Array(128);
/** its base64url value (decodeJsonObjectB64 reads the first two) */
const B64URL_VALUE = new Uint8Array(128);
for (let i = 0; i < 64; i++) {
  const c = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.charCodeAt(i);
  B64URL_VALUE[c] = i;
  B64URL_CLASS[c] = c >= 48 && c <= 57 ? DIGIT : c >= 97 && c <= 122 ? (c <= 102 ? LOWER_HEX : LOWER) : c >= 65 && c <= 90 ? (c <= 70 ? UPPER_HEX : UPPER) : URL_SAFE;
}

/** mayStartObject of tokens/peek.ts: can text whose first byte is this be a JSON object once trimmed? */
function mayStartObject(first: number): boolean {
  if (first < 0x80) return first === 0x7b || first === 0x20 || (first >= 0x09 && first <= 0x0d);
  return first === 0xc2 || first === 0xe1 || first === 0xe2 || first === 0xe3 || first === 0xef;
}

/**
 * Can UTF-8 text that begins with bytes b0, b1 be a JSON object once trimmed (String#trim, after
 * TextDecoder's non-fatal decoding)? It must start with "{" or with a character trim drops: ASCII
 * white space (then the next byte must again be one that may start it), or U+00A0 (C2 A0), U+1680
 * (E1 9A 80), U+2000–U+200A, U+2028, U+2029, U+202F (E2 80 …), U+205F (E2 81 9F), U+3000 (E3 80
 * 80) or U+FEFF (EF BB BF). Any other pair decodes to a first character that is no "{" and that
 * trim keeps (another character, or U+FFFD for an invalid sequence). True when unsure.
 */
function mayStartObject2(b0: number, b1: number): boolean {
  if (b0 === 0x7b) return true;
  if (b0 === 0x20 || (b0 >= 0x09 && b0 <= 0x0d)) return mayStartObject(b1);
  if (b0 === 0xc2) return b1 === 0xa0;
  if (b0 === 0xe1) return b1 === 0x9a;
  if (b0 === 0xe2) return b1 === 0x80 || b1 === 0x81;
  if (b0 === 0xe3) return b1 === 0x80;
  if (b0 === 0xef) return b1 === 0xbb;
  return false;
}

/**
 * `entropyBits(v)` when `shapeOf(v)` is certainly opaque (-1 when not proved): v is at least 8
 * base64url characters (no ".", "|", "=", "{", white space: no JWE, JWT, JSON, MSAL or fields
 * shape) whose first bytes as base64url cannot begin a JSON object (decodeJsonObjectB64 decodes
 * nothing that parses), in one pass that also counts its alphabet and distinct characters.
 */
export function plainBits(v: string): number {
  // the request's state is asked again at its callback (state-weak, then both session-fixation rules)
  if (v === lastPlain) return lastPlainBits;
  const bits = plainBitsOf(v);
  lastPlain = v;
  lastPlainBits = bits;
  return bits;
}
let lastPlain: string | undefined;
let lastPlainBits = -1;

function plainBitsOf(v: string): number {
  const n = v.length;
  if (n < 8) return -1;
  let seen = 0, w0 = 0, w1 = 0, w2 = 0, distinct = 0;
  // distinct characters are counted until there are a quarter of the length (entropyBits then
  // takes the alphabet's estimate, whatever their number); the rest of the value only by class
  const enough = n / 4;
  let i = 0;
  for (; i < n && distinct < enough; i++) {
    const c = v.charCodeAt(i);
    const k = c < 128 ? B64URL_CLASS[c] : 0;
    if (k === 0) return -1;
    seen |= k;
    // distinct characters: codes 45..122 as bits of three words
    const bit = 1 << ((c - 45) & 31);
    if (c < 77) {
      if (!(w0 & bit)) { w0 |= bit; distinct++; }
    } else if (c < 109) {
      if (!(w1 & bit)) { w1 |= bit; distinct++; }
    } else if (!(w2 & bit)) { w2 |= bit; distinct++; }
  }
  for (; i < n; i++) {
    const c = v.charCodeAt(i);
    const k = c < 128 ? B64URL_CLASS[c] : 0;
    if (k === 0) return -1;
    seen |= k;
  }
  // the first two bytes as base64url (three characters; n >= 8)
  const c1 = B64URL_VALUE[v.charCodeAt(1)];
  if (mayStartObject2((B64URL_VALUE[v.charCodeAt(0)] << 2) | (c1 >> 4), ((c1 & 15) << 4) | (B64URL_VALUE[v.charCodeAt(2)] >> 2))) return -1;
  const alphabet =
    (seen & ~DIGIT) === 0 ? 10
    : (seen & ~(DIGIT | LOWER_HEX)) === 0 || (seen & ~(DIGIT | UPPER_HEX)) === 0 ? 16
    : (seen & ~(DIGIT | LOWER_HEX | LOWER)) === 0 || (seen & ~(DIGIT | UPPER_HEX | UPPER)) === 0 ? 36
    : (seen & ~ALNUM) === 0 ? 62
    : 64;
  const byAlphabet = n * Math.log2(alphabet);
  return distinct >= enough ? byAlphabet : Math.min(byAlphabet, n * Math.log2(distinct + 1));
}

/**
 * `stateShape(v).kind === 'opaque' && opaqueWeakness(v) === undefined`, proved without either for
 * most states (false: not proved, ask them): a plain base64url value (plainBits) longer than every
 * placeholder, with at least 64 bits, that is no timestamp or wallet address (no path, URL or email
 * is written in base64url characters).
 */
export function plainStrongState(v: string): boolean {
  const n = v.length;
  if (n <= WEAK_MAX) return false;
  const c0 = v.charCodeAt(0);
  // /^\d{4}-\d{2}-\d{2}T/ and /^0x[0-9a-f]{40}$/i may match (/^\d{10}(\d{3})?$/ is too short)
  if (c0 >= 48 && c0 <= 57 && (v.charCodeAt(4) === 45 || (c0 === 48 && n === 42))) return false;
  return plainBits(v) >= 64;
}

/** standard base64 as base64url (decodeJsonObjectB64 reads the latter); no new string for most values */
const asB64url = (s: string): string => (s.includes('+') || s.includes('/') ? s.replace(/\+/g, '-').replace(/\//g, '_') : s);

function shapeOf(v: string): StateShape {
  const dotted = v.includes('.');
  if (dotted && v.length > 16 && looksLikeJwe(v) && /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]*){4}$/.test(v)) return { kind: 'jwe' };
  const jwt = dotted && /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(v) ? decodeJwtPayloadUnsafe(v) : undefined;
  if (jwt) return structured('jwt', jwt);
  const json = parseJsonObject(v);
  if (json) return structured('json', json);
  if (v.length >= 8 && /^[A-Za-z0-9_\-+/]+={0,2}$/.test(v)) {
    const b = decodeJsonObjectB64(asB64url(v));
    if (b) return structured('base64-json', b);
  }
  // each pattern below needs a character most states lack: tested only when it is there
  // MSAL.js: base64(JSON library state) + "|" + the application's own state
  const msal = v.includes('|') ? /^([A-Za-z0-9_\-+/]{8,}={0,2})\|/.exec(v) : null;
  if (msal) {
    const b = decodeJsonObjectB64(asB64url(msal[1]));
    if (b) return structured('base64-json', b);
  }
  if (v.includes('=') && (/^[^=&]+=[^&]*(&[^=&]+=[^&]*)+$/.test(v) || /^[A-Za-z_]+=[^&]+$/.test(v))) {
    const p = parseParams(v);
    return structured('fields', p.toObject());
  }
  return { kind: 'opaque' };
}

export interface Weakness {
  variant: 'low-entropy' | 'placeholder' | 'predictable-value' | 'structured-no-random' | 'structured-weak-random';
  detail: string;
}

/** The state-weak signature for one (opaque) value; undefined when it is strong enough. */
export function opaqueWeakness(v: string): Weakness | undefined {
  // each pattern only where its first character or length allows it (most values are long random strings:
  // no lower-case copy, no pattern but the entropy estimate); lower-casing never shortens a string
  const n = v.length;
  const c0 = n > 0 ? v.charCodeAt(0) : 0;
  const digit0 = c0 >= 48 && c0 <= 57;
  if ((n <= WEAK_MAX && WEAK_VALUES.has(v.toLowerCase())) || (digit0 && n <= 12 && /^\d{1,12}$/.test(v))) return { variant: 'placeholder', detail: `"${v.length > 16 ? v.slice(0, 16) + '…' : v}" is a well-known or digits-only value` };
  if (((c0 | 32) === 104 /* h */ && /^https?:\/\//i.test(v)) || (c0 === 47 /* / */ && /^\/[\w\-./%]*$/.test(v))) return { variant: 'predictable-value', detail: 'the state is a path or URL' };
  if (digit0 && (/^\d{10}(\d{3})?$/.test(v) || /^\d{4}-\d{2}-\d{2}T/.test(v))) return { variant: 'predictable-value', detail: 'the state is a timestamp' };
  if (v.includes('@') && /^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i.test(v)) return { variant: 'predictable-value', detail: 'the state is an email address' };
  if (c0 === 48 && /^0x[0-9a-f]{40}$/i.test(v)) return { variant: 'predictable-value', detail: 'the state is a wallet address' };
  const bits = entropyBits(v);
  if (bits < 64) return { variant: 'low-entropy', detail: `about ${Math.floor(bits)} bits (length ${v.length}); at least 64 are needed, 128 recommended` };
  return undefined;
}

/** Keys that mean the state carries a session identifier (draft-02 §2.3 step 1). */
export const SESSION_KEY = /^(session|sess|sid|session_?id|auth_?session_?id|user_?id|uid|account|account_?id|tenant|tenant_?id|email|user)$/i;

export function sessionFields(v: string): string[] {
  const shape = stateShape(v);
  if (shape.kind !== 'structured') {
    // (the pattern needs a ":" or "=", which most states lack)
    if (v.indexOf(':') < 0 && v.indexOf('=') < 0) return [];
    // delimiter-separated fields: "sid:abc|nonce:xyz" or "session.abc.def"
    const m = v.match(/(?:^|[|;,:.])(session|sid|auth_session_id|user_id|uid|account|tenant|email)[:=]/i);
    return m ? [m[1]] : [];
  }
  return Object.keys(shape.fields).filter((k) => SESSION_KEY.test(k.split('.').pop()!));
}

/**
 * state-weak's "lower to low" (detectors.md): the same authorization request carries another CSRF
 * defence, PKCE S256 with a challenge (RFC 9700 §2.1) or an OIDC nonce of at least 64 bits
 * (estimated like a state). Returns what protects the request, or undefined.
 */
export function otherCsrfProtection(get: (name: string) => string | undefined): { param: 'code_challenge' | 'nonce'; what: string } | undefined {
  const challenge = get('code_challenge');
  if (challenge && get('code_challenge_method') === 'S256') return { param: 'code_challenge', what: 'PKCE (code_challenge_method=S256)' };
  // only OpenID Connect checks the nonce (in the ID token): openid scope or an id_token response
  const oidc = /(^|\s)openid(\s|$)/.test(get('scope') ?? '') || /(^|\s)id_token(\s|$)/.test(get('response_type') ?? '');
  const nonce = get('nonce');
  if (oidc && nonce && opaqueWeakness(nonce) === undefined) return { param: 'nonce', what: `an OpenID Connect nonce of about ${Math.floor(entropyBits(nonce))} bits` };
  return undefined;
}
