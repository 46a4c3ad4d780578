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
  let shape = shapes.get(v);
  if (!shape) {
    shape = shapeOf(v);
    if (shapes.size >= 256) shapes.clear();
    shapes.set(v, shape);
  }
  return shape;
}
const shapes = new Map<string, StateShape>();

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
