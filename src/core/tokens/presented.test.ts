import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bearerKey } from '../mcp/ledger';
import type { Observation } from '../observe/observation';
import { parseUrl } from '../util/url';
import { ruleToken } from './decode';
import { decodeJwtPayloadUnsafe } from './peek';
import { PresentedJwt, urlAudiences } from './presented';
import { authorizationJwt } from './sources';

const b64 = (o: unknown) => Buffer.from(typeof o === 'string' ? o : JSON.stringify(o)).toString('base64url');
const obs = (value: string): Observation =>
  ({ id: 'o', url: 'https://api.example/x', method: 'GET', type: 'xhr', context: 't', time: 0, requestHeaders: [{ name: 'authorization', value }], responseHeaders: [], ref: { input: 0, entry: 0 } }) as unknown as Observation;

/** the bearer rule's audiences before they were kept with the token (copied from bearer-audience-mismatch.ts) */
function oldUrlAudiences(aud: unknown): string[] {
  const all = Array.isArray(aud) ? aud : [aud];
  return all.filter((a): a is string => typeof a === 'string' && /^https?:\/\/[^/]/i.test(a));
}

const AUD = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom('https://api.example', 'https://api.example/v1/', 'http://x.example:8080/a', 'urn:api', 'api://x', 'HTTPS://Up.Example/', 'https:///nohost', 'https://bad host/'),
  fc.array(fc.oneof(fc.constantFrom('https://a.example', 'urn:x', 'https://b.example/api'), fc.integer(), fc.constant(null)), { maxLength: 4 }),
  fc.integer(),
);
const PAYLOAD = fc.oneof(
  fc.record({ aud: AUD, iss: fc.constantFrom('https://as.example', 'x'), nonce: fc.option(fc.string({ maxLength: 4 }), { nil: undefined }) }).map((p) => b64(p)),
  fc.constantFrom(b64('"a string"'), b64('[1,2]'), b64('{bad json'), 'e30', 'x', '%%%'),
);
const HEADER = fc.constantFrom(b64({ alg: 'RS256', typ: 'at+jwt', kid: 'k' }), b64({ alg: 'none' }), b64({ alg: 'HS256', typ: 'JWT' }), 'eyJ', b64('not json'));

describe('PresentedJwt', () => {
  it('derives what each reader computed on its own: the ledger key, the payload, the rules view, the URL audiences', () => {
    fc.assert(
      fc.property(HEADER, PAYLOAD, fc.constantFrom('c2ln', '', 'abc_-'), fc.constantFrom('bearer', 'dpop') as fc.Arbitrary<'bearer' | 'dpop'>, (h, p, sig, scheme) => {
        const jwt = `${h}.${p}.${sig}`;
        const t = new PresentedJwt(scheme, jwt);
        // twice: the second answer is the kept one
        for (let k = 0; k < 2; k++) {
          expect(t.key).toBe(bearerKey(jwt));
          expect(t.payload).toEqual(decodeJwtPayloadUnsafe(jwt));
          expect(t.report).toEqual(ruleToken(jwt, true));
          const auds = oldUrlAudiences(decodeJwtPayloadUnsafe(jwt)?.aud);
          expect(t.audiences.map((a) => a.aud)).toEqual(decodeJwtPayloadUnsafe(jwt) ? auds : []);
          expect(t.audiences.map((a) => a.origin)).toEqual(decodeJwtPayloadUnsafe(jwt) ? auds.map((a) => parseUrl(a)?.origin) : []);
        }
        const aud = decodeJwtPayloadUnsafe(jwt)?.aud;
        expect(urlAudiences(aud)).toEqual(oldUrlAudiences(aud));
      }),
      { numRuns: 800 },
    );
  });

  it('reads the same payload whether the rules view was decoded first or not', () => {
    const space = fc.constantFrom('', ' ', '\n', '\t', '\u00a0', '\ufeff', '\u2000', '\r\n');
    const deep = fc.nat(70).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`);
    const text = fc.oneof(
      fc.tuple(space, fc.oneof(fc.json(), fc.jsonValue().map((v) => JSON.stringify({ v })), deep), space).map((xs) => xs.join('')),
      fc.string({ unit: 'binary', maxLength: 30 }),
      fc.constantFrom('{', '{}x', '[]', '"s"', 'null', '{"a":1}{', '{"__proto__":{"x":1}}'),
    );
    const header = fc.constantFrom({ alg: 'RS256' }, { alg: 'none', typ: 'JWT' }, { alg: 'HS256', b64: false, crit: ['b64'] }, { alg: 'RS256', b64: true });
    fc.assert(
      fc.property(header, text, fc.boolean(), (h, t, reportFirst) => {
        const jwt = `${b64(h)}.${Buffer.from(t).toString('base64url') || 'e30'}.c2ln`;
        const p = new PresentedJwt('bearer', jwt);
        if (reportFirst) expect(p.report).toEqual(ruleToken(jwt, true));
        expect(p.payload).toEqual(decodeJwtPayloadUnsafe(jwt));
        expect(p.report).toEqual(ruleToken(jwt, true));
      }),
      { numRuns: 3000 },
    );
  });

  it('is the same object, with what was derived, for a header value that comes back', () => {
    const jwt = `${b64({ alg: 'RS256', typ: 'at+jwt' })}.${b64({ aud: 'https://api.example', sub: 'u' })}.c2ln`;
    const a = authorizationJwt(obs(`Bearer ${jwt}`))!;
    expect(a.payload).toEqual({ aud: 'https://api.example', sub: 'u' });
    const b = authorizationJwt(obs(`Bearer ${jwt.split('').join('')}`))!;
    expect(b).toBe(a);
    expect(b.key).toBe(bearerKey(jwt));
    // another scheme's header is another value: another answer
    const c = authorizationJwt(obs(`DPoP ${jwt}`))!;
    expect(c).not.toBe(a);
    expect(c.scheme).toBe('dpop');
  });
});
