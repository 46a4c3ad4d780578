/**
 * The fast exact path of state-analysis.ts (plainStrongState, and stateShape / sessionFields without
 * a lookup for plain base64url states) against the code before it (copied below as reference): the
 * same shapes, the same session fields, and a state proved strong only when the old analysis finds
 * it opaque and not weak.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeJsonObjectB64, decodeJwtPayloadUnsafe, looksLikeJwe } from '../../tokens/peek';
import { entropyBits } from '../../util/secret';
import { parseJsonObject } from '../../util/json';
import { parseParams } from '../../util/url';
import { opaqueWeakness, plainBits, plainStrongState, sessionFields, stateShape } from './state-analysis';

// ---- reference: state-analysis.ts at 4d5723d (stateShape without its cache, opaqueWeakness, sessionFields)
const WEAK_VALUES = new Set(['state', '12345', '123456', 'xyz', 'abc123', 'xyzabc123', 'mystate', 'random', 'test', 'none', 'null', 'undefined', 'csrf', 'abc', '1234', 'foo', 'bar', 'security_token']);
const WEAK_MAX = Math.max(...[...WEAK_VALUES].map((w) => w.length));
type Shape =
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
function structured(format: 'jwt' | 'json' | 'base64-json' | 'fields', obj: Record<string, unknown>): Shape {
  const fields = flatten(obj);
  const randomFields = Object.entries(fields).filter(([k]) => RANDOM_FIELD.test(k.split('.').pop()!));
  return { kind: 'structured', format, fields, randomFields };
}
const asB64url = (s: string): string => (s.includes('+') || s.includes('/') ? s.replace(/\+/g, '-').replace(/\//g, '_') : s);
function oldShape(v: string): Shape {
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
function oldWeakness(v: string): { variant: string; detail: string } | undefined {
  const n = v.length;
  const c0 = n > 0 ? v.charCodeAt(0) : 0;
  const digit0 = c0 >= 48 && c0 <= 57;
  if ((n <= WEAK_MAX && WEAK_VALUES.has(v.toLowerCase())) || (digit0 && n <= 12 && /^\d{1,12}$/.test(v))) return { variant: 'placeholder', detail: `"${v.length > 16 ? v.slice(0, 16) + '…' : v}" is a well-known or digits-only value` };
  if (((c0 | 32) === 104 && /^https?:\/\//i.test(v)) || (c0 === 47 && /^\/[\w\-./%]*$/.test(v))) return { variant: 'predictable-value', detail: 'the state is a path or URL' };
  if (digit0 && (/^\d{10}(\d{3})?$/.test(v) || /^\d{4}-\d{2}-\d{2}T/.test(v))) return { variant: 'predictable-value', detail: 'the state is a timestamp' };
  if (v.includes('@') && /^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i.test(v)) return { variant: 'predictable-value', detail: 'the state is an email address' };
  if (c0 === 48 && /^0x[0-9a-f]{40}$/i.test(v)) return { variant: 'predictable-value', detail: 'the state is a wallet address' };
  const bits = entropyBits(v);
  if (bits < 64) return { variant: 'low-entropy', detail: `about ${Math.floor(bits)} bits (length ${v.length}); at least 64 are needed, 128 recommended` };
  return undefined;
}
const SESSION_KEY = /^(session|sess|sid|session_?id|auth_?session_?id|user_?id|uid|account|account_?id|tenant|tenant_?id|email|user)$/i;
function oldSessionFields(v: string): string[] {
  const shape = oldShape(v);
  if (shape.kind !== 'structured') {
    const m = v.match(/(?:^|[|;,:.])(session|sid|auth_session_id|user_id|uid|account|tenant|email)[:=]/i);
    return m ? [m[1]] : [];
  }
  return Object.keys(shape.fields).filter((k) => SESSION_KEY.test(k.split('.').pop()!));
}
// ---- end of reference

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const chars = (alphabet: string, min: number, max: number) => fc.array(fc.constantFrom(...alphabet), { minLength: min, maxLength: max }).map((a) => a.join(''));
const b64url = (s: string) => btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
/** base64url of the UTF-8 bytes of any text */
const b64utf8 = (s: string) => b64url(String.fromCharCode(...new TextEncoder().encode(s)));
/** the characters String#trim drops, and a few it keeps */
const TRIMMED = ['\t', '\n', '\v', '\f', '\r', ' ', '\u00a0', '\u1680', '\u2000', '\u2005', '\u200a', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\ufeff'];
const KEPT = ['\u0085', '\u00a1', '\u180e', '\u200b', '\u2030', '\u2060', '\u3001', '\ufffd', '\ufefe', 'x', '\u0000'];

/** states as clients write them, and the odd shapes each branch of the old analysis reads */
const states = fc.oneof(
  chars(B64URL, 0, 80),
  chars('0123456789abcdef', 0, 70),
  chars('0123456789ABCDEF', 0, 70),
  chars('0123456789', 0, 20),
  chars('abcdefghijklmnopqrstuvwxyz0123456789', 0, 50),
  chars('ab-_', 8, 80), // few distinct characters (the degenerate entropy estimate)
  chars('a1', 8, 80),
  fc.tuple(fc.constantFrom(...'eICDw47'), chars(B64URL, 0, 60)).map(([a, b]) => a + b), // first bytes a JSON object may start with
  fc.tuple(fc.constantFrom('ey', 'e3', 'IH', 'CX', 'Dg', 'wq', '4o', '77', '0x', '2024-01-01T', '1733'), chars(B64URL, 0, 60)).map(([a, b]) => a + b),
  fc.tuple(fc.constant('0x'), chars('0123456789abcdefABCDEF', 40, 40)).map(([a, b]) => a + b),
  fc.tuple(fc.integer({ min: 0, max: 9999 }), chars('0123456789-T:', 0, 30)).map(([a, b]) => `${a}${b}`),
  fc.jsonValue().map((j) => b64url(JSON.stringify({ id: j, nonce: 'x' }))),
  // JSON objects behind white space (each character trim drops, and some it keeps), as base64url
  fc.tuple(fc.array(fc.constantFrom(...TRIMMED, ...KEPT), { maxLength: 3 }), fc.dictionary(fc.constantFrom('sid', 'nonce', 'a'), fc.string({ maxLength: 12 }))).map(([ws, d]) => b64utf8(ws.join('') + JSON.stringify(d))),
  fc.tuple(fc.array(fc.constantFrom(...TRIMMED, ...KEPT), { minLength: 1, maxLength: 3 }), chars(B64URL, 8, 40)).map(([ws, rest]) => b64utf8(ws.join('')) + rest),
  fc.dictionary(fc.constantFrom('sid', 'nonce', 'user', 'csrf', 'x'), fc.string({ maxLength: 12 })).map((d) => b64url(JSON.stringify(d))),
  fc.tuple(chars(B64URL, 8, 40), fc.string({ maxLength: 10 })).map(([a, b]) => `${a}|${b}`),
  fc.tuple(chars(B64URL, 1, 20), chars(B64URL, 1, 20), chars(B64URL, 0, 20)).map(([a, b, c]) => `${a}.${b}.${c}`),
  fc.constantFrom('sid:abcdefgh12345678|nonce:xyz', 'session=abc&x=1', 'SECURITY_TOKEN', 'undefined', 'https://app.example/x', '/path/x', 'me@example.com', '   {"a":1}'),
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

describe('state-analysis: the fast path answers as the full analysis', () => {
  it('plainStrongState only for opaque, not weak states; stateShape and sessionFields unchanged', () => {
    fc.assert(
      fc.property(states, (v) => {
        const shape = oldShape(v);
        const strong = shape.kind === 'opaque' && oldWeakness(v) === undefined;
        if (plainStrongState(v)) expect(strong).toBe(true);
        // when the one pass proves the shape opaque, its estimate is entropyBits' to the last bit
        const bits = plainBits(v);
        if (bits >= 0) {
          expect(shape.kind).toBe('opaque');
          expect(bits).toBe(entropyBits(v));
        }
        expect(stateShape(v)).toEqual(shape);
        expect(sessionFields(v)).toEqual(oldSessionFields(v));
        expect(opaqueWeakness(v)).toEqual(oldWeakness(v));
      }),
      { numRuns: 20_000 },
    );
  });

  it('proves most random base64url and hex states strong (the fast path is taken)', () => {
    let proved = 0, total = 0;
    fc.assert(
      fc.property(fc.oneof(chars(B64URL, 22, 64), chars('0123456789abcdef', 32, 64)), (v) => {
        total += 1;
        if (plainStrongState(v)) proved += 1;
      }),
      { numRuns: 2_000 },
    );
    // every such state is opaque and strong; a few start with bytes a JSON object may start with
    expect(proved / total).toBeGreaterThan(0.85);
  });

  it('keeps the old answer at the edges of the fast path', () => {
    for (const v of ['security_token1', 'abcdefghijklmno', '2024-01-01T10:00', '2024-01-01T1000aaaaaa', '0x' + 'a'.repeat(40), '0X' + 'Ab'.repeat(20), 'e30xxxxxxxxxxxxxxx', b64url('{"a":1}'), b64url(' {"a":"bbbbbbbbbb"}'), '1111111111111111', 'abababababababababab', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'a'.repeat(15)]) {
      const shape = oldShape(v);
      if (plainStrongState(v)) expect(shape.kind === 'opaque' && oldWeakness(v) === undefined).toBe(true);
      expect(stateShape(v)).toEqual(shape);
    }
  });
});
