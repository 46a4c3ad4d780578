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

  it('gives the same jwt string for the same token on every call', () => {
    const token = `eyJhbGciOiJSUzI1NiJ9.${'e30'.repeat(50)}.c2ln`;
    const a = authorizationJwt(obs([{ name: 'authorization', value: `Bearer ${token}` }]));
    const b = authorizationJwt(obs([{ name: 'authorization', value: `Bearer ${token.slice(0)}`.split('').join('') }]));
    expect(a?.jwt).toBe(token);
    expect(b).toBe(a);
  });
});
