import { obs, post, q, rand, redirect } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import { fakeJwt } from '../../tokens/jwt-builder';
import { base64url, sha256 } from '../../util/sha256';
import rule from './idtoken-hash-mismatch';

const AS = 'https://as.example/authorize';
const CB = 'https://app.example/cb';
const half = (v: string) => base64url(sha256(v).slice(0, 16));
const claims = { iss: 'https://as.example', sub: 'u1', aud: 'c1', nonce: 'n-1', iat: 1, exp: 301 };
const areq = (rt: string) => obs(`${AS}?${q({ response_type: rt, response_mode: 'form_post', client_id: 'c1', redirect_uri: CB, state: rand('s'), nonce: 'n-1', scope: 'openid' })}`);
const resp = (form: Record<string, string>) => obs(CB, { method: 'POST', form: { state: rand('s'), ...form } });

// OIDC Core §A.4 style: the hash of the real value
const code = rand('code');
const at = rand('at');

testRule(rule, {
  valid: [
    { name: 'hybrid: c_hash matches the code', observations: () => [areq('code id_token'), resp({ code, id_token: fakeJwt({ alg: 'RS256' }, { ...claims, c_hash: half(code) }) })] },
    { name: 'implicit: at_hash matches the access token', observations: () => [areq('id_token token'), resp({ access_token: at, id_token: fakeJwt({ alg: 'ES256' }, { ...claims, at_hash: half(at) }) })] },
    {
      name: 'OIDC Core §A.4/§A.6 published vectors (code → c_hash, access token → at_hash)',
      observations: () => [
        areq('code id_token token'),
        resp({
          code: 'Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk',
          access_token: 'jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y',
          id_token: fakeJwt({ alg: 'RS256' }, { ...claims, c_hash: 'LDktKdoQak3Pk0cnXxCltA', at_hash: '77QmUPtjPfzWtF2AnpK9RQ' }),
        }),
      ],
    },
    { name: 'id_token alone: nothing to bind', observations: () => [areq('id_token'), resp({ id_token: fakeJwt({ alg: 'RS256' }, claims) })] },
    { name: 'RS384 is not checked (no sync SHA-384)', observations: () => [areq('code id_token'), resp({ code, id_token: fakeJwt({ alg: 'RS384' }, { ...claims, c_hash: 'x' }) })] },
    {
      name: 'c_hash is computed over the decoded code (Google 4/0A… percent-encoded in the query)',
      observations: () => {
        const g = `4/0A${rand('g', 40)}`;
        return [areq('code id_token'), obs(`${CB}?${q({ state: rand('s'), code: g, id_token: fakeJwt({ alg: 'RS256' }, { ...claims, c_hash: half(g) }) })}`)];
      },
    },
    {
      name: 'the token response (back channel) is not this rule',
      observations: () => [post('https://as.example/token', { grant_type: 'authorization_code', code: rand('c'), client_id: 'c1' }, { responseBody: { access_token: at, id_token: fakeJwt({ alg: 'RS256' }, { ...claims, at_hash: half('other') }) } })],
    },
    { name: 'code id_token without c_hash is not a mismatch', observations: () => [areq('code id_token'), resp({ code, id_token: fakeJwt({ alg: 'RS256' }, claims) })] },
  ],
  invalid: [
    { name: 'c_hash of another code (code injection)', observations: () => [areq('code id_token'), resp({ code, id_token: fakeJwt({ alg: 'RS256' }, { ...claims, c_hash: half(rand('other')) }) })], expect: [{ severity: 'high', variant: 'c-hash-mismatch', param: 'code' }] },
    {
      name: 'at_hash of another access token, in a fragment',
      observations: () => [areq('id_token token'), ...redirect('https://as.example/login', `${CB}#${q({ state: rand('s'), access_token: at, id_token: fakeJwt({ alg: 'RS256' }, { ...claims, at_hash: half('x') }) })}`)],
      expect: [{ severity: 'high', variant: 'at-hash-mismatch' }],
    },
    { name: 'at_hash missing with id_token token → medium', observations: () => [areq('id_token token'), resp({ access_token: at, id_token: fakeJwt({ alg: 'RS256' }, claims) })], expect: [{ severity: 'medium', variant: 'at-hash-missing' }] },
    { name: 'PS256 and ES256 are checked', observations: () => [areq('code id_token'), resp({ code, id_token: fakeJwt({ alg: 'PS256' }, { ...claims, c_hash: half(rand('zz')) }) })], expect: [{ variant: 'c-hash-mismatch' }] },
    {
      name: 'hybrid code id_token token: both hashes wrong',
      observations: () => [areq('code id_token token'), resp({ code, access_token: at, id_token: fakeJwt({ alg: 'ES256' }, { ...claims, c_hash: half('a'), at_hash: half('b') }) })],
      expect: [{ variant: 'c-hash-mismatch' }, { variant: 'at-hash-mismatch' }],
    },
    {
      name: 'at_hash missing with code id_token token → medium',
      observations: () => [areq('code id_token token'), resp({ code, access_token: at, id_token: fakeJwt({ alg: 'RS256' }, { ...claims, c_hash: half(code) }) })],
      expect: [{ severity: 'medium', variant: 'at-hash-missing' }],
    },
  ],
});
