import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { post, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import { entropyBits } from '../../util/secret';
import rule, { usualVerifier } from './pkce-verifier-weak';

const treq = (verifier: string, url = 'https://as.example/token') => post(url, { grant_type: 'authorization_code', code: rand('c'), client_id: 'spa', redirect_uri: 'https://app.example/cb', code_verifier: verifier });

testRule(rule, {
  valid: [
    { name: '43-character base64url verifier', observations: () => [treq(rand('v', 43))] },
    { name: '128-character verifier', observations: () => [treq(rand('v', 128))] },
    { name: 'all unreserved characters (. ~ - _) are allowed', observations: () => [treq(`${rand('v', 40)}.~_`)] },
    { name: '64 hex characters (256 bits)', observations: () => [treq('9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08')] },
    { name: 'no verifier (confidential client)', observations: () => [post('https://as.example/token', { grant_type: 'authorization_code', code: rand('c'), client_secret: rand('s') })] },
  ],
  invalid: [
    { name: 'too short', observations: () => [treq(rand('v', 20))], expect: [{ severity: 'medium', message: /length 20/ }] },
    { name: 'reserved characters', observations: () => [treq(`${rand('v', 42)}+/=`)], expect: [{ message: /characters outside/ }] },
    { name: 'low entropy (digits only)', observations: () => [treq('1'.repeat(50))], expect: [{ message: /entropy/ }] },
    { name: '42 characters (one under the minimum)', observations: () => [treq(rand('v', 42))], expect: [{ severity: 'medium', message: /length 42/ }] },
    { name: '129 characters (one over the maximum)', observations: () => [treq(rand('v', 129))], expect: [{ message: /length 129/ }] },
    { name: 'a repeating pattern (low entropy despite its length)', observations: () => [treq('ab'.repeat(30))], expect: [{ message: /entropy/ }] },
    { name: 'a space (a + decoded from the form) is outside the unreserved set', observations: () => [treq(`${rand('v', 30)} ${rand('w', 20)}`)], expect: [{ message: /characters outside/ }] },
    { name: 'verifier only in the token request URL, not the body: high', observations: () => [post(`https://as.example/token?code_verifier=${rand('vq', 43)}`, { grant_type: 'authorization_code', code: rand('c'), client_id: 'spa' })], expect: [{ severity: 'high', variant: 'in-url' }] },
    { name: 'verifier in the URL: high', observations: () => [treq(rand('v', 43), `https://as.example/token?code_verifier=${rand('v', 43)}`)], expect: [{ severity: 'high', variant: 'in-url' }] },
  ],
});

describe('usualVerifier', () => {
  /** the rule's early exit before it (4d5723d), as the reference */
  const old = (v: string) => !(v.length < 43 || v.length > 128) && /^[A-Za-z0-9\-._~]*$/.test(v) && entropyBits(v) >= 128;

  it('says what the length, character and entropy checks said together, for any string', () => {
    const unreserved = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~';
    // verifiers from few distinct characters (around the entropy bound), with a stray character,
    // and arbitrary strings, at lengths around 43 and 128
    const few = fc.tuple(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 65 })).chain(([k, from]) =>
      fc.string({ unit: fc.constantFrom(...(unreserved + unreserved).slice(from, from + k).split('')), minLength: 30, maxLength: 140 }),
    );
    const stray = fc.tuple(few, fc.nat(), fc.constantFrom('+', '/', '=', ' ', '%', 'é', '\u{1F600}', '\u0000', '\u007f')).map(([v, at, c]) => `${v.slice(0, at % (v.length + 1))}${c}${v.slice(at % (v.length + 1))}`);
    const any = fc.string({ minLength: 0, maxLength: 140 });
    fc.assert(
      fc.property(fc.oneof(few, stray, any), (v) => {
        expect(usualVerifier(v)).toBe(old(v));
      }),
      { numRuns: 5000 },
    );
    // every length 43-128 with k distinct characters, for each k up to 40
    for (let n = 43; n <= 128; n++) for (let k = 1; k <= 40; k++) {
      const v = Array.from({ length: n }, (_, i) => unreserved[i % k]).join('');
      expect(usualVerifier(v)).toBe(old(v));
    }
  });
});
