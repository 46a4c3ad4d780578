import { obs, post, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import { fakeJwt } from '../../tokens/jwt-builder';
import rule from './audience-injection';

const ISS = 'https://as.example';
const MD = {
  issuer: ISS,
  authorization_endpoint: `${ISS}/authorize`,
  token_endpoint: `${ISS}/oauth2/token`,
  pushed_authorization_request_endpoint: `${ISS}/oauth2/par`,
  revocation_endpoint: `${ISS}/oauth2/revoke`,
  introspection_endpoint: `${ISS}/oauth2/introspect`,
};
const CA_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const now = 1768471200;
const assertion = (aud: unknown) => fakeJwt({ alg: 'ES256', kid: 'ck1' }, { iss: 'c1', sub: 'c1', aud, jti: rand('j', 16), iat: now, exp: now + 60 });
const metadata = () => obs(`${ISS}/.well-known/openid-configuration`, { type: 'fetch', responseBody: MD });
const par = (aud: unknown, url = MD.pushed_authorization_request_endpoint) =>
  post(url, { response_type: 'code', client_id: 'c1', redirect_uri: 'https://app.example/cb', client_assertion_type: CA_TYPE, client_assertion: assertion(aud) }, { status: 201, responseBody: { request_uri: 'urn:ietf:params:oauth:request_uri:r', expires_in: 60 } });
const revoke = (aud: unknown) => post(MD.revocation_endpoint, { token: rand('t'), client_assertion_type: CA_TYPE, client_assertion: assertion(aud) });
const tokenReq = (aud: unknown, url = MD.token_endpoint) => post(url, { grant_type: 'authorization_code', code: rand('c'), client_assertion_type: CA_TYPE, client_assertion: assertion(aud) });

testRule(rule, {
  valid: [
    {
      name: 'a jwt-bearer grant with a client assertion too, at a token endpoint on another origin than its issuer: both assertions are judged with the metadata',
      observations: () => [
        obs('https://login.as2.example/.well-known/openid-configuration', { type: 'fetch', responseBody: { issuer: 'https://login.as2.example', token_endpoint: 'https://token.as2-cdn.example/token' } }),
        post('https://token.as2-cdn.example/token', { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: assertion('https://login.as2.example'), client_assertion_type: CA_TYPE, client_assertion: assertion('https://login.as2.example') }),
      ],
    },
    { name: 'PAR with aud = the issuer (draft-02 §2.1.2.1)', observations: () => [metadata(), par(ISS)] },
    { name: 'PAR with aud = the exact PAR endpoint (§2.1.2.2)', observations: () => [metadata(), par(MD.pushed_authorization_request_endpoint)] },
    { name: 'token endpoint with aud = that token endpoint', observations: () => [metadata(), tokenReq(MD.token_endpoint)] },
    { name: 'token endpoint with aud = the issuer', observations: () => [metadata(), tokenReq(`${ISS}/`)] },
    { name: 'revocation with aud = issuer, no metadata seen', observations: () => [post('https://as2.example/revoke', { token: rand('t'), client_assertion: assertion('https://as2.example') })] },
    { name: 'a non-URL audience (client-id style) is not this rule', observations: () => [metadata(), par('as-example-audience')] },
    { name: 'a single-element array is low only', observations: () => [metadata(), par([ISS])], allow: ['low'] },
    { name: 'PAR with aud = the issuer plus a trailing slash', observations: () => [metadata(), par(`${ISS}/`)] },
    { name: 'PAR with aud = the PAR endpoint, host in upper case', observations: () => [metadata(), par('https://AS.example/oauth2/par')] },
    {
      name: 'PAR endpoint on a sibling host listed in the metadata, aud = issuer',
      observations: () => [obs(`${ISS}/.well-known/oauth-authorization-server`, { type: 'fetch', responseBody: { ...MD, pushed_authorization_request_endpoint: 'https://par.as.example/par' } }), par(ISS, 'https://par.as.example/par')],
    },
    { name: 'a client_secret_post revocation has no assertion', observations: () => [metadata(), post(MD.revocation_endpoint, { token: rand('t'), client_id: 'c1', client_secret: rand('cs') })] },
    { name: 'jwt-bearer grant with aud = the issuer', observations: () => [metadata(), post(MD.token_endpoint, { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: assertion(ISS) })] },
  ],
  invalid: [
    {
      name: 'PAR with aud = the token endpoint (metadata known) → high token-endpoint-elsewhere',
      observations: () => [metadata(), par(MD.token_endpoint)],
      expect: [{ severity: 'high', variant: 'token-endpoint-elsewhere', param: 'client_assertion' }],
    },
    {
      name: 'revocation with aud = a /token path (no metadata)',
      observations: () => [post('https://as3.example/oauth/revoke', { token: rand('t'), client_assertion_type: CA_TYPE, client_assertion: assertion('https://as3.example/oauth/token') })],
      expect: [{ severity: 'high', variant: 'token-endpoint-elsewhere' }],
    },
    {
      name: "attacker AS's PAR endpoint gets an assertion for the honest AS's token endpoint → critical foreign",
      observations: () => [metadata(), par('https://honest-as.example/token', 'https://attacker.example/par')],
      expect: [{ severity: 'critical', variant: 'foreign', message: /honest-as\.example/ }],
    },
    {
      name: 'token endpoint receives an assertion for another origin → critical foreign',
      observations: () => [metadata(), tokenReq('https://other-as.example')],
      expect: [{ severity: 'critical', variant: 'foreign' }],
    },
    { name: 'several audiences → high multi', observations: () => [metadata(), revoke([ISS, MD.revocation_endpoint])], expect: [{ severity: 'high', variant: 'multi' }] },
    { name: 'one-element array → low', observations: () => [metadata(), revoke([ISS])], expect: [{ severity: 'low', variant: 'single-element-array' }] },
    {
      name: 'jwt-bearer authorization grant assertion with a foreign audience',
      observations: () => [metadata(), post(MD.token_endpoint, { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: assertion('https://elsewhere.example/token') })],
      expect: [{ severity: 'critical', variant: 'foreign', param: 'assertion' }],
    },
    {
      name: 'introspection endpoint with aud = the token endpoint (metadata known)',
      observations: () => [metadata(), post(MD.introspection_endpoint, { token: rand('t'), client_assertion_type: CA_TYPE, client_assertion: assertion(MD.token_endpoint) })],
      expect: [{ severity: 'high', variant: 'token-endpoint-elsewhere' }],
    },
    {
      name: 'device authorization endpoint (by path) with aud = a /token path',
      observations: () => [post('https://as4.example/oauth2/device_authorization', { client_id: 'tv', scope: 'openid', client_assertion_type: CA_TYPE, client_assertion: assertion('https://as4.example/oauth2/token') })],
      expect: [{ severity: 'high', variant: 'token-endpoint-elsewhere' }],
    },
    {
      name: 'CIBA endpoint (by path) with aud = a /token path',
      observations: () => [post('https://as5.example/bc-authorize', { scope: 'openid', login_hint: 'u', client_assertion_type: CA_TYPE, client_assertion: assertion('https://as5.example/token') })],
      expect: [{ severity: 'high', variant: 'token-endpoint-elsewhere' }],
    },
    {
      name: 'several audiences, one of them foreign: both variants',
      observations: () => [metadata(), par([ISS, 'https://other-as.example/token'])],
      expect: [{ severity: 'critical', variant: 'foreign', message: /other-as\.example/ }, { severity: 'high', variant: 'multi' }],
    },
  ],
});
