/**
 * pickRequestParams against what it replaced: `Params.get(name)` for each name the store reads
 * (the first value of the name, an empty one included), on parameter lists that repeat names, mix
 * in names of the same lengths, and leave names out.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseParams, Params } from '../../util/url';
import { pickRequestParams, PICKED_NAMES } from './request-params';

const NAMES = [...Object.keys(PICKED_NAMES), 'iss', 'code', 'stat', 'states', 'prompt', 'login_hint', 'client_i', 'request', 'response', 'Scope', 'redirect_url', 'x'];

describe('pickRequestParams', () => {
  it('equals Params.get for every picked name', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...NAMES), fc.oneof(fc.constant(''), fc.string({ maxLength: 6 }))), { maxLength: 30 }), (entries) => {
        const p = new Params(entries.map(([k, v]) => [k, v] as [string, string]));
        const picked = pickRequestParams(p);
        for (const [name, field] of Object.entries(PICKED_NAMES)) expect(picked[field]).toBe(p.get(name));
      }),
      { numRuns: 2000 },
    );
  });

  it('reads parsed query strings as Params.get does (decoded names, repeats)', () => {
    const p = parseParams('client_id=a&state=&state=x&nonce=n%20&code_challenge=c&scope=openid+email&redirect_uri=https%3A%2F%2Fc%2Fcb&resource=r');
    expect(pickRequestParams(p)).toEqual({
      clientId: 'a', redirectUri: 'https://c/cb', responseType: undefined, requestUri: undefined, state: '', nonce: 'n ',
      codeChallenge: 'c', codeChallengeMethod: undefined, responseMode: undefined, scope: 'openid email', resource: 'r',
    });
  });
});
