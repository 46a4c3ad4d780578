import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Observation } from '../observe/observation';
import { authorizationJwt } from './sources';

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** the answer before the recent-values cache: the header scanned for every observation */
function reference(headers: { name: string; value: string }[]): { scheme: 'bearer' | 'dpop'; jwt: string } | undefined {
  const value = headers.find((h) => h.name.toLowerCase() === 'authorization')?.value;
  const m = value?.match(/^(bearer|dpop)\s+(\S+)\s*$/i);
  return m && COMPACT_JWS.test(m[2]) ? { scheme: m[1].toLowerCase() as 'bearer' | 'dpop', jwt: m[2] } : undefined;
}

const obs = (headers: { name: string; value: string }[]): Observation =>
  ({ id: 'o', url: 'https://api.example/x', method: 'GET', type: 'xhr', context: 't', time: 0, requestHeaders: headers, responseHeaders: [], ref: { input: 0, entry: 0 } }) as unknown as Observation;

describe('authorizationJwt', () => {
  it('answers as a scan of every header does, with values that come back (new strings with the same characters)', () => {
    const part = fc.string({ unit: fc.constantFrom('a', 'B', '0', '_', '-', '.', ' ', '+', '='), minLength: 0, maxLength: 12 });
    const value = fc.oneof(
      fc.tuple(fc.constantFrom('Bearer', 'bearer', 'DPoP', 'dpop', 'Basic', 'BEARER'), fc.constantFrom(' ', '  ', '\t'), part, fc.constantFrom('', '.', '.x.y', ' ', ' x'), part).map((xs) => xs.join('')),
      part,
    );
    // a small pool, so that values repeat in several orders: the cache's hits and its evictions (16 entries)
    const pool = fc.array(value, { minLength: 1, maxLength: 28 });
    fc.assert(
      fc.property(pool, fc.array(fc.tuple(fc.nat(), fc.boolean()), { minLength: 1, maxLength: 60 }), (values, picks) => {
        for (const [i, present] of picks) {
          // a copy of the pool's string: equal characters, another string object
          const v = (' ' + values[i % values.length]).slice(1);
          const headers = present ? [{ name: 'accept', value: '*/*' }, { name: 'authorization', value: v }] : [{ name: 'accept', value: '*/*' }];
          expect(authorizationJwt(obs(headers))).toEqual(reference(headers));
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('reads a header value as the two expressions did (one pass now), whatever its characters', () => {
    let found = 0;
    const ch = fc.constantFrom('a', 'B', 'z', '0', '9', '_', '-', '.', '+', '/', '=', ' ', '\t', '\n', '\v', '\f', '\r', '\u00a0', '\u1680', '\u2000', '\u2028', '\u202f', '\u3000', '\ufeff', '\u017f', '\u212a', 'é', ',', '"');
    const scheme = fc.constantFrom('Bearer', 'bearer', 'BEARER', 'bEaReR', 'DPoP', 'dpop', 'DPOP', 'Basic', 'bearer\u017f', 'Bearerx', 'dpo', '');
    const space = fc.oneof({ weight: 3, arbitrary: fc.string({ unit: fc.constantFrom(' ', '\t', '\n', '\v', '\r', '\u00a0', '\ufeff', '\u2028', '\u3000'), minLength: 1, maxLength: 3 }) }, { weight: 1, arbitrary: fc.string({ unit: ch, maxLength: 3 }) });
    const space0 = fc.oneof(fc.string({ unit: fc.constantFrom(' ', '\t', '\n', '\v', '\r', '\u00a0', '\ufeff', '\u2028', '\u3000'), maxLength: 3 }), fc.string({ unit: ch, maxLength: 3 }));
    // mostly three base64url parts (a token that may be one), one character of anything at times
    const part = fc.string({ unit: fc.constantFrom('a', 'Z', '0', '_', '-'), maxLength: 5 });
    const full = fc.string({ unit: fc.constantFrom('a', 'Z', '0', '_', '-'), minLength: 1, maxLength: 5 });
    const parts = fc.oneof(fc.tuple(full, full, part), fc.array(part, { minLength: 1, maxLength: 4 }));
    const token = fc.tuple(parts, fc.option(fc.tuple(ch, fc.nat(12)), { nil: undefined })).map(([parts, odd]) => {
      const t = parts.join('.');
      return odd ? t.slice(0, odd[1]) + odd[0] + t.slice(odd[1]) : t;
    });
    const value = fc.oneof(
      fc.tuple(scheme, space, fc.string({ unit: ch, maxLength: 30 }), space).map((xs) => xs.join('')),
      fc.tuple(scheme, space, token, space0).map((xs) => xs.join('')),
    );
    fc.assert(
      fc.property(value, (v) => {
        const headers = [{ name: 'authorization', value: v }];
        const want = reference(headers);
        expect(authorizationJwt(obs(headers))).toEqual(want);
        if (want) found += 1;
      }),
      { numRuns: 5000 },
    );
    expect(found).toBeGreaterThan(150); // (tokens are read, not only refused)
    for (const v of ['Bearer a.b.c', 'dpop  a.b. ', 'Bearer\u00a0a.b.c', 'Bearer a.b.c\ufeff', 'Bearer a..c', 'Bearer .b.c', 'Bearer a.b', 'Bearer a.b.c.d', 'Bearer a.b.c d', 'Bearer a.b+c']) {
      const headers = [{ name: 'authorization', value: v }];
      expect(authorizationJwt(obs(headers)), v).toEqual(reference(headers));
    }
  });

  it('gives the same jwt string for the same token on every call', () => {
    const token = `eyJhbGciOiJSUzI1NiJ9.${'e30'.repeat(50)}.c2ln`;
    const a = authorizationJwt(obs([{ name: 'authorization', value: `Bearer ${token}` }]));
    const b = authorizationJwt(obs([{ name: 'authorization', value: `Bearer ${token.slice(0)}`.split('').join('') }]));
    expect(a?.jwt).toBe(token);
    expect(b).toBe(a);
  });
});
