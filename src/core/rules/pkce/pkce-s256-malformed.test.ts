import { describe, expect, it } from 'vitest';
import { obs, post, q, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule, { malformedKind } from './pkce-s256-malformed';

const b64 = (o: object) => btoa(JSON.stringify(o)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const jws = (o: object) => `eyJhbGciOiJSUzI1NiJ9.${b64(o)}.${rand('sig', 43)}`;
const areq = (p: Record<string, string | undefined>) => obs(`https://as.example/authorize?${q({ client_id: 'c', response_type: 'code', state: rand('s'), redirect_uri: 'https://app.example/cb', ...p })}`);

// SHA-256 of one verifier in the wrong encodings (computed with node:crypto)
const HEX = '6ddc77c4f7d3cb4ecf7c0e80575606ce433a2cec1626d7185d864848a9979359';
const B64_OF_HEX = 'NmRkYzc3YzRmN2QzY2I0ZWNmN2MwZTgwNTc1NjA2Y2U0MzNhMmNlYzE2MjZkNzE4NWQ4NjQ4NDhhOTk3OTM1OQ==';
const PADDED = 'bdx3xPfTy07PfA6AV1YGzkM6LOwWJtcYXYZISKmXk1k=';
const STD_B64 = 'twoU7h4V16qUvYEOwG9Mt3o0bo8zrva/6uPXxEQtepM=';

testRule(rule, {
  valid: [
    { name: 'S256 with a 43-character base64url challenge', observations: () => [areq({ code_challenge: rand('c', 43), code_challenge_method: 'S256' })] },
    { name: 'S256 challenge with - and _ (base64url alphabet)', observations: () => [areq({ code_challenge: 'Ak8zdABjxrg4vo8BnAgJND024r8D5eJzYcAgLsrOyB4'.slice(0, 40) + '-_x', code_challenge_method: 'S256' })] },
    { name: 'plain with a long verifier-shaped challenge is pkce-plain, not this', observations: () => [areq({ code_challenge: rand('v', 80), code_challenge_method: 'plain' })] },
    { name: 'no method with an 88-character challenge is pkce-plain, not this', observations: () => [areq({ code_challenge: B64_OF_HEX })] },
    { name: 'no PKCE at all', observations: () => [areq({})] },
    { name: 'PAR request_uri: parameters unknown', observations: () => [obs(`https://as.example/authorize?${q({ client_id: 'c', request_uri: 'urn:ietf:params:oauth:request_uri:m1' })}`)] },
    { name: 'GitHub §3 shape (no response_type, S256, 43 characters)', observations: () => [obs(`https://github.com/login/oauth/authorize?${q({ client_id: 'Iv1.8a61f9b3a7aba766', redirect_uri: 'https://app.example/auth/github/callback', scope: 'read:user', state: rand('gh'), code_challenge: rand('ghc', 43), code_challenge_method: 'S256' })}`)] },
  ],
  invalid: [
    { name: 'base64 of the hex digest (Entra docs example shape)', observations: () => [areq({ code_challenge: B64_OF_HEX, code_challenge_method: 'S256' })], expect: [{ severity: 'low', variant: 'base64-of-hex', param: 'code_challenge' }] },
    { name: 'the same without padding (86 characters)', observations: () => [areq({ code_challenge: B64_OF_HEX.replace(/=+$/, ''), code_challenge_method: 'S256' })], expect: [{ variant: 'base64-of-hex' }] },
    { name: 'hex digest', observations: () => [areq({ code_challenge: HEX, code_challenge_method: 'S256' })], expect: [{ severity: 'low', variant: 'hex' }] },
    { name: 'padding kept', observations: () => [areq({ code_challenge: PADDED, code_challenge_method: 'S256' })], expect: [{ variant: 'padding', message: /padding/ }] },
    { name: 'standard base64 with / and =', observations: () => [areq({ code_challenge: STD_B64, code_challenge_method: 'S256' })], expect: [{ variant: 'base64' }] },
    { name: 'standard base64 whose + was sent unencoded (decoded as a space)', observations: () => [obs(`https://as.example/authorize?client_id=c&response_type=code&state=${rand('s')}&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&code_challenge=${rand('c', 20)}+${rand('d', 22)}&code_challenge_method=S256`)], expect: [{ variant: 'base64' }] },
    { name: '42 characters (truncated)', observations: () => [areq({ code_challenge: rand('c', 42), code_challenge_method: 'S256' })], expect: [{ variant: 'other', message: /42-character/ }] },
    { name: 'lower-case s256 method is judged and noted', observations: () => [areq({ code_challenge: HEX, code_challenge_method: 's256' })], expect: [{ variant: 'hex', message: /case-sensitive/ }] },
    { name: 'inside a signed request object (JAR)', observations: () => [obs(`https://as.example/authorize?${q({ client_id: 'c', request: jws({ client_id: 'c', response_type: 'code', redirect_uri: 'https://app.example/cb', state: rand('s'), code_challenge: HEX, code_challenge_method: 'S256' }) })}`)], expect: [{ variant: 'hex' }] },
    { name: 'PAR whose pushed body (DT/HAR) has a padded challenge', observations: () => [post('https://as.example/par', { client_id: 'c', redirect_uri: 'https://app.example/cb', response_type: 'code', state: rand('s'), code_challenge: PADDED, code_challenge_method: 'S256' }, { status: 201, responseBody: { request_uri: 'urn:ietf:params:oauth:request_uri:m2', expires_in: 60 } }), obs(`https://as.example/authorize?${q({ client_id: 'c', request_uri: 'urn:ietf:params:oauth:request_uri:m2' })}`)], expect: [{ variant: 'padding' }] },
    { name: 'form-POST authorization request', observations: () => [obs('https://as.example/authorize', { method: 'POST', form: { client_id: 'c', response_type: 'code', redirect_uri: 'https://app.example/cb', state: rand('s'), code_challenge: HEX, code_challenge_method: 'S256' } })], expect: [{ variant: 'hex', count: 1 }] },
  ],
});

describe('pkce-s256-malformed: reloads', () => {
  it('a reloaded request raises one finding, not two', async () => {
    const { resetBuilders, run } = await import('../../testing/builders');
    resetBuilders();
    const url = `https://as.example/authorize?${q({ client_id: 'c', response_type: 'code', state: rand('s'), redirect_uri: 'https://app.example/cb', code_challenge: HEX, code_challenge_method: 'S256' })}`;
    const { findings } = run([obs(url), obs(url, { transition: { type: 'reload', qualifiers: [] } })]);
    expect(findings.filter((f) => f.ruleId === 'pkce-s256-malformed')).toHaveLength(1);
  });
  it('classifies the transforms', () => {
    expect(malformedKind(HEX)).toBe('hex');
    expect(malformedKind(B64_OF_HEX)).toBe('base64-of-hex');
    expect(malformedKind(PADDED)).toBe('padding');
    expect(malformedKind(STD_B64)).toBe('base64');
    expect(malformedKind('x'.repeat(88))).toBe('other');
  });
});
