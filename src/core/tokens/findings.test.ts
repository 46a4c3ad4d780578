import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeToken, type JsonObject } from './decode';
import { algNoneCheck, audienceCheck, riskyHeaderChecks, riskyHeaderPossible } from './findings';
import { riskyHeaderDrafts } from '../rules/tokens/jwt-risky-header';

const b64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

const kid = fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('../etc/passwd', "a'b", 'a b', 'x--y', 'http://k', 'abcdEFGH/ijklMNOP+qr==', 'k1'), fc.integer());
const KEY_HEADERS = { jku: 'https://x/jwks', x5u: 'https://x/c', jwk: { kty: 'oct' }, x5c: ['MII'] };
/** an alg, maybe a kid (often an odd one), and most often no key header */
const header = fc
  .tuple(
    fc.option(fc.constantFrom('RS256', 'HS256', 'HS384', 'HS999', 'hs256', 'none', 'NONE', 'nOnE', 'ES256', ''), { nil: undefined }),
    fc.option(kid, { nil: undefined }),
    fc.oneof({ weight: 4, arbitrary: fc.constant([] as string[]) }, { weight: 1, arbitrary: fc.subarray(Object.keys(KEY_HEADERS), { minLength: 1 }) }),
  )
  .map(([alg, k, keys]) => {
    const h: Record<string, unknown> = {};
    if (alg !== undefined) h.alg = alg;
    if (k !== undefined) h.kid = k;
    for (const x of keys) h[x] = KEY_HEADERS[x as keyof typeof KEY_HEADERS];
    return h;
  });
const uses = fc.constantFrom('id_token', 'access_token', 'assertion', 'request', 'logout_token', 'jarm') as fc.Arbitrary<'id_token'>;

/** compact, flattened JSON (unprotected header) or general JSON (two signatures) */
const token = fc.oneof(
  fc.tuple(header, fc.boolean()).map(([h, empty]) => `${b64url(JSON.stringify(h))}.${b64url('{}')}.${empty ? '' : 'c2ln'}`),
  fc.tuple(header, header).map(([p, u]) => JSON.stringify({ payload: b64url('{}'), protected: b64url(JSON.stringify(p)), header: u, signature: 'c2ln' })),
  fc.tuple(header, header, header).map(([p, u, q]) =>
    JSON.stringify({ payload: b64url('{}'), signatures: [{ protected: b64url(JSON.stringify(p)), signature: 'c2ln' }, { protected: b64url(JSON.stringify(q)), header: u, signature: '' }] }),
  ),
);

function decoded(t: string) {
  try {
    return decodeToken(t);
  } catch {
    return undefined;
  }
}

describe('token checks: the quick answers equal the full ones', () => {
  it('riskyHeaderPossible is false only when the rule finds nothing (any use, public client or not)', () => {
    let possible = 0;
    fc.assert(
      fc.property(token, uses, fc.boolean(), (t, use, pc) => {
        const r = decoded(t);
        if (!r) return;
        if (riskyHeaderPossible(r, use)) {
          possible++;
          return;
        }
        expect(riskyHeaderDrafts(r, { use, param: 'p', frontChannel: false, url: 'https://rp/cb' }, pc)).toEqual([]);
        expect(riskyHeaderChecks(r, { use, publicClient: pc }).filter((f) => f.variant !== 'hs-public-client' || use !== 'id_token')).toEqual([]);
      }),
      { numRuns: 2000 },
    );
    expect(possible).toBeGreaterThan(0);
  });

  it('algNoneCheck answers as the loop over every signature does', () => {
    const loop = (r: NonNullable<ReturnType<typeof decoded>>, front: boolean) => {
      if (r.kind === 'JWE') return undefined;
      const sigs = r.signatures ?? (r.signature ? [r.signature] : []);
      const severity = front ? 'critical' : 'high';
      for (const s of sigs) if (s.alg !== null && s.alg.toLowerCase() === 'none') return { severity, variant: 'alg-none', alg: s.alg };
      for (const s of sigs) if (s.empty && s.alg) return { severity, variant: 'empty-signature', alg: s.alg };
      return undefined;
    };
    fc.assert(
      fc.property(token, fc.boolean(), (t, front) => {
        const r = decoded(t);
        if (!r) return;
        const want = loop(r, front);
        const got = algNoneCheck(r, front);
        expect(got && { severity: got.severity, variant: got.variant }).toEqual(want && { severity: want.severity, variant: want.variant });
      }),
      { numRuns: 2000 },
    );
  });

  it('audienceCheck: aud = client_id with azp absent or the client_id is no finding; the rest as before', () => {
    const payload = fc.record(
      { aud: fc.oneof(fc.constantFrom('c1', 'c2'), fc.array(fc.constantFrom('c1', 'c2', 'c3'), { maxLength: 3 }), fc.integer(), fc.constant(null)), azp: fc.oneof(fc.constantFrom('c1', 'c2'), fc.integer()) },
      { requiredKeys: [] },
    ) as fc.Arbitrary<JsonObject>;
    fc.assert(
      fc.property(payload, fc.constantFrom('c1', 'c2'), (p, clientId) => {
        const f = audienceCheck(p, clientId);
        const aud = typeof p.aud === 'string' ? [p.aud] : Array.isArray(p.aud) ? p.aud.filter((x): x is string => typeof x === 'string') : [];
        const ok = aud.includes(clientId) && (p.azp === undefined || p.azp === clientId) && !(aud.length > 1 && p.azp === undefined);
        expect(f === undefined).toBe(ok);
      }),
      { numRuns: 2000 },
    );
  });
});
