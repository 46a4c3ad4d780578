import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { decodeToken, ruleToken, tryDecodeToken, type TokenReport } from './decode';

const b64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
const compact = (h: unknown, p: unknown, sig = 'c2ln') => `${b64url(JSON.stringify(h))}.${b64url(JSON.stringify(p))}.${sig}`;

/** decodeToken's report or its error message */
function outcome(s: string): TokenReport | string {
  try {
    return decodeToken(s);
  } catch (e) {
    return (e as Error).message;
  }
}

const claims = fc.record(
  {
    iss: fc.webUrl(),
    sub: fc.string({ unit: 'grapheme', maxLength: 12 }),
    aud: fc.oneof(fc.string({ maxLength: 10 }), fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 })),
    exp: fc.integer({ min: 0, max: 2_000_000_000 }),
    iat: fc.integer({ min: 0, max: 2_000_000_000 }),
    name: fc.string({ unit: 'grapheme', maxLength: 12 }),
    extra: fc.jsonValue({ maxDepth: 2 }),
  },
  { requiredKeys: [] },
);
const headers = fc.record({ alg: fc.constantFrom('RS256', 'HS256', 'none', 'ES256'), kid: fc.string({ maxLength: 12 }), typ: fc.constantFrom('JWT', 'at+jwt') }, { requiredKeys: ['alg'] });

describe('decodeToken', () => {
  it('reads header and claims as jose does (ASCII and UTF-8 text)', () => {
    fc.assert(
      fc.property(headers, claims, (h, p) => {
        const t = compact(h, p);
        const r = decodeToken(t);
        expect(r.header).toEqual(decodeProtectedHeader(t));
        expect(r.payload).toEqual(decodeJwt(t));
      }),
      { numRuns: 500 },
    );
  });

  it('answers the same for a bare token as with white space around it or a "Bearer " before it (the untrimmed fast path)', () => {
    const tokens = fc.oneof(
      fc.tuple(headers, claims).map(([h, p]) => compact(h, p)),
      // no white space inside: what the old front (trim, then drop one "Bearer ") leaves is t itself
      fc.stringMatching(/^[A-Za-z0-9_\-.=+/{}"bB]{1,40}$/),
    );
    const space = fc.constantFrom('', ' ', '\n', '\t', '\u00a0', '\ufeff', '\u2028');
    fc.assert(
      fc.property(tokens, space, fc.constantFrom('', 'Bearer ', 'bearer\t', 'BEARER  '), space, (t, pre, bearer, post) => {
        expect(outcome(`${pre}${bearer}${t}${post}`)).toEqual(outcome(t));
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps the members of a report and its signature in the same order', () => {
    const r = decodeToken(compact({ alg: 'RS256', kid: 'k' }, { iat: 1, exp: 2 }));
    expect(Object.keys(r)).toEqual(['kind', 'serialization', 'header', 'payload', 'signature', 'findings', 'raw', 'times']);
    expect(Object.keys(r.signature!)).toEqual(['verified', 'kid', 'alg', 'reason', 'protected', 'empty']);
    const d = decodeToken(`${b64url('{"alg":"HS256"}')}..c2ln`);
    expect(Object.keys(d)).toEqual(['kind', 'serialization', 'header', 'payload', 'detached', 'signature', 'findings', 'raw']);
    const f = decodeToken(JSON.stringify({ payload: b64url('{}'), protected: b64url('{"alg":"HS256"}'), header: { kid: 'x' }, signature: 'c2ln' }));
    expect(Object.keys(f.signature!)).toEqual(['verified', 'kid', 'alg', 'reason', 'protected', 'header', 'empty']);
  });
});

describe('ruleToken / tryDecodeToken', () => {
  it('ruleToken is decodeToken without the dates; tryDecodeToken is decodeToken (both undefined for what throws)', () => {
    let n = 0;
    const tokens = fc.oneof(
      fc.tuple(headers, claims).map(([h, p]) => compact(h, { ...p, n: n++ })),
      fc.tuple(headers, fc.uint8Array({ maxLength: 60 })).map(([h, b]) => `${b64url(JSON.stringify({ ...h, n: n++ }))}.${Buffer.from(b).toString('base64url')}.`),
      fc.tuple(headers, fc.constantFrom(' {"a":1}', '\ufeff{"a":1}', '\u00a0{}', '[1]', '"x"', '{not json', 'text', '{"b":2}')).map(([h, t]) => `${b64url(JSON.stringify({ ...h, n: n++ }))}.${b64url(t)}.c2ln`),
      fc.stringMatching(/^[A-Za-z0-9_\-.]{0,30}$/),
      // what the rules' shortcut (three clean parts) leaves to the full path: white space inside,
      // padding, "b64": false, an empty payload, a bad signature, a character outside base64url
      fc.tuple(headers, claims, fc.nat(), fc.constantFrom('\n', ' ', '\r\n ', '=', '==', '+', '.', '*')).map(([h, p, at, ins]) => {
        const t = compact(h, { ...p, n: n++ });
        const i = at % (t.length + 1);
        return `${t.slice(0, i)}${ins}${t.slice(i)}`;
      }),
      fc.tuple(headers, claims).map(([h, p]) => `${b64url(JSON.stringify({ ...h, b64: false, n: n++ }))}.${JSON.stringify(p).replace(/\./g, '')}.c2ln`),
      fc.tuple(headers, fc.stringMatching(/^[A-Za-z0-9_-]{1,24}$/)).map(([h, p]) => `${b64url(JSON.stringify({ ...h, b64: false, n: n++ }))}.${p}.c2ln`),
      fc.tuple(headers, claims).map(([h, p]) => `${b64url(JSON.stringify({ ...h, n: n++ }))}.${b64url(JSON.stringify(p))}=.c2ln`),
      fc.tuple(headers, fc.constantFrom('', '*', 'a b', 'c2ln=')).map(([h, sig]) => `${b64url(JSON.stringify({ ...h, n: n++ }))}..${sig}`),
    );
    // a second run passes the callers' word that a token is a compact JWS (the rules read jwtSources
    // and authorizationJwt), for the tokens it is true of: the same report without the parts' scans
    const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
    for (const callerSaysCompact of [false, true]) {
      fc.assert(
        fc.property(tokens, (t) => {
          const full = outcome(t);
          const rule = ruleToken(t, callerSaysCompact && COMPACT_JWS.test(t));
          if (typeof full === 'string') {
            expect(rule).toBeUndefined();
            expect(tryDecodeToken(t)).toBeUndefined();
            return;
          }
          const { times: _times, ...rest } = full;
          expect(rule).toEqual(rest);
          expect(tryDecodeToken(t)).toEqual(full);
          expect(ruleToken(t)).toBe(rule);
        }),
        { numRuns: 2000 },
      );
    }
  });

  it('kept headers (sets of two parts, was a ring of 16): the decoded header, one object for one part in a row', () => {
    let n = 0;
    // headers of one length that differ early or late, the shortest ones ({} is "e30"), and more
    // headers than the table holds (of many issuers: sets overflow and forget)
    const pool: Record<string, unknown>[] = [
      ...Array.from({ length: 20 }, (_, i) => ({ alg: i % 3 ? 'RS256' : 'ES256', kid: `k${i}`, ...(i % 5 ? {} : { typ: 'JWT' }) })),
      {},
      { a: 1 },
      { b: 1 },
      { kid: 'x', alg: 'RS256' },
      ...Array.from({ length: 400 }, (_, i) => ({ alg: 'RS256', typ: i % 2 ? 'JWT' : 'at+jwt', kid: `${i >> 1}-0-${(i * 7919).toString(16).padStart(16, '0')}` })),
    ];
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(pool.length - 1), fc.boolean()), { minLength: 1, maxLength: 200 }), (picks) => {
        let last: { part: string; header: unknown } | undefined;
        for (const [i, compactJws] of picks) {
          const t = compact(pool[i], { n: n++ });
          const r = ruleToken(t, compactJws)!;
          expect(r.header).toEqual(decodeToken(t).header);
          const part = t.slice(0, t.indexOf('.'));
          if (last?.part === part) expect(r.header).toBe(last.header);
          last = { part, header: r.header };
        }
      }),
      { numRuns: 300 },
    );
  });

  it('ruleToken finds an equal string that is another object, and forgets the oldest of its last 16', () => {
    const t = compact({ alg: 'RS256', kid: 'k1' }, { sub: 'a' });
    const r = ruleToken(t);
    expect(r).toBeDefined();
    expect(ruleToken(t.split('').join(''))).toBe(r);
    for (let i = 0; i < 16; i++) ruleToken(compact({ alg: 'RS256' }, { i }));
    const again = ruleToken(t);
    expect(again).not.toBe(r);
    expect(again).toEqual(r);
    expect(ruleToken('')).toBeUndefined();
    expect(ruleToken(undefined as unknown as string)).toBeUndefined();
  });
});
