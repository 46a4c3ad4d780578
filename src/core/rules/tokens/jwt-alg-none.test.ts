import { obs, post, q, rand, redirect } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import { fakeJwt } from '../../tokens/jwt-builder';
import rule from './jwt-alg-none';

const AS = 'https://as.example/authorize';
const CB = 'https://app.example/cb';
const TOKEN = 'https://as.example/token';
const now = 1768471200;
const claims = { iss: 'https://as.example', sub: 'u1', aud: 'c1', iat: now, exp: now + 300, nonce: 'n-1' };
const signed = () => fakeJwt({ alg: 'RS256', kid: 'k1' }, claims);
const none = (alg = 'none') => `${fakeJwt({ alg }, claims, '')}`;

function areq(extra: Record<string, string> = {}) {
  return obs(`${AS}?${q({ response_type: 'code id_token', client_id: 'c1', redirect_uri: CB, state: rand('s'), nonce: 'n-1', scope: 'openid', ...extra })}`);
}

testRule(rule, {
  valid: [
    {
      name: 'signed ID token in a form_post response',
      observations: () => [areq(), obs(CB, { method: 'POST', form: { state: rand('s'), code: rand('c'), id_token: signed() } })],
    },
    {
      name: 'signed ID token in the token response',
      observations: () => [post(TOKEN, { grant_type: 'authorization_code', code: rand('c'), client_id: 'c1' }, { responseBody: { access_token: rand('at'), token_type: 'Bearer', id_token: signed() } })],
    },
    {
      name: 'a JWE request object (cannot be read, not unsecured)',
      observations: () => [obs(`${AS}?${q({ client_id: 'c1', request: 'eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a.b.c.d' })}`)],
    },
    {
      name: 'an error response to a token request whose body mentions alg none is not a token',
      observations: () => [post(TOKEN, { grant_type: 'authorization_code', code: rand('c') }, { status: 400, responseBody: { error: 'invalid_grant', id_token: none() } })],
    },
    {
      name: 'a signed client assertion at the token endpoint',
      observations: () => [
        post(TOKEN, { grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: fakeJwt({ alg: 'PS256' }, { iss: 'c1', sub: 'c1', aud: TOKEN, jti: 'j', exp: now }) }),
      ],
    },
    {
      name: 'a JWE ID token in the front channel (encrypted, not unsecured)',
      observations: () => [areq(), obs(CB, { method: 'POST', form: { state: rand('s'), code: rand('c'), id_token: 'eyJhbGciOiJSU0EtT0FFUC0yNTYiLCJlbmMiOiJBMjU2R0NNIn0.a2V5.aXY.Y2lwaGVy.dGFn' } })],
    },
    { name: 'a signed JWT access token as an API bearer token', observations: () => [obs('https://api.example/v1/me', { type: 'xhr', headers: { Authorization: `Bearer ${fakeJwt({ alg: 'RS256', typ: 'at+jwt' }, { scope: 'a', exp: now })}` } })] },
    { name: 'an opaque bearer token', observations: () => [obs('https://api.example/v1/me', { type: 'fetch', headers: { Authorization: `Bearer ${rand('opaque', 40)}` } })] },
  ],
  invalid: [
    {
      name: 'alg none ID token in the front channel → critical',
      observations: () => [areq(), obs(CB, { method: 'POST', form: { state: rand('s'), code: rand('c'), id_token: none() } })],
      expect: [{ severity: 'critical', variant: 'alg-none', param: 'id_token' }],
    },
    {
      name: 'alg "None" (other case) in a fragment response',
      observations: () => [areq({ response_mode: 'fragment' }), ...redirect('https://as.example/login', `${CB}#${q({ state: rand('s'), id_token: none('None') })}`)],
      expect: [{ severity: 'critical', variant: 'alg-none' }],
    },
    {
      name: 'empty signature under RS256 in the front channel',
      observations: () => [areq(), obs(CB, { method: 'POST', form: { state: rand('s'), code: rand('c'), id_token: fakeJwt({ alg: 'RS256' }, claims, '') } })],
      expect: [{ severity: 'critical', variant: 'empty-signature' }],
    },
    {
      name: 'alg none ID token in the token response → high',
      observations: () => [post(TOKEN, { grant_type: 'authorization_code', code: rand('c'), client_id: 'c1' }, { responseBody: { access_token: rand('at'), token_type: 'Bearer', id_token: none() } })],
      expect: [{ severity: 'high', param: 'id_token', message: /token response/ }],
    },
    {
      name: 'unsecured request object in an authorization request',
      observations: () => [obs(`${AS}?${q({ client_id: 'c1', request: fakeJwt({ alg: 'none' }, { response_type: 'code', client_id: 'c1', redirect_uri: CB }, '') })}`)],
      expect: [{ severity: 'critical', param: 'request' }],
    },
    {
      name: 'unsecured client assertion at a PAR endpoint → high',
      observations: () => [
        post('https://as.example/par', { response_type: 'code', client_id: 'c1', redirect_uri: CB, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: fakeJwt({ alg: 'none' }, { iss: 'c1', sub: 'c1', aud: 'https://as.example' }, '') }, { status: 201, responseBody: { request_uri: 'urn:ietf:params:oauth:request_uri:x', expires_in: 60 } }),
      ],
      expect: [{ severity: 'high', param: 'client_assertion' }],
    },
    {
      name: 'unsecured JWT access token in the token response',
      observations: () => [post(TOKEN, { grant_type: 'refresh_token', refresh_token: rand('rt') }, { responseBody: { access_token: fakeJwt({ alg: 'none', typ: 'at+jwt' }, { scope: 'a', exp: now }, ''), token_type: 'Bearer' } })],
      expect: [{ severity: 'high', param: 'access_token' }],
    },
    {
      name: 'unsecured back-channel logout token',
      observations: () => [post('https://app.example/backchannel-logout', { logout_token: fakeJwt({ alg: 'none' }, { iss: 'https://as.example', sid: 's', events: {} }, '') })],
      expect: [{ severity: 'high', param: 'logout_token' }],
    },
    {
      name: 'unsecured JARM response',
      observations: () => [areq({ response_mode: 'query.jwt' }), obs(`${CB}?${q({ response: fakeJwt({ alg: 'none' }, { iss: 'https://as.example', aud: 'c1', code: rand('c'), state: rand('s') }, '') })}`)],
      expect: [{ severity: 'critical', param: 'response' }],
    },
    {
      name: 'alg none ID token in a query response',
      observations: () => [areq({ response_type: 'id_token', response_mode: 'query' }), obs(`${CB}?${q({ state: rand('s'), id_token: none() })}`)],
      expect: [{ severity: 'critical', variant: 'alg-none', param: 'id_token' }],
    },
    {
      name: 'unsecured JWT access token in an implicit fragment → critical',
      observations: () => [areq({ response_type: 'token' }), ...redirect('https://as.example/login', `${CB}#${q({ state: rand('s'), access_token: fakeJwt({ alg: 'none', typ: 'at+jwt' }, { scope: 'a', exp: now }, ''), token_type: 'Bearer' })}`)],
      expect: [{ severity: 'critical', param: 'access_token' }],
    },
    {
      name: 'unsecured client assertion at the token endpoint → high',
      observations: () => [post(TOKEN, { grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: fakeJwt({ alg: 'none' }, { iss: 'c1', sub: 'c1', aud: TOKEN, jti: 'j2', exp: now }, '') })],
      expect: [{ severity: 'high', param: 'client_assertion' }],
    },
    {
      name: 'unsecured jwt-bearer authorization grant assertion',
      observations: () => [post(TOKEN, { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: fakeJwt({ alg: 'NONE' }, { iss: 'idp', sub: 'u1', aud: TOKEN, exp: now }, '') })],
      expect: [{ severity: 'high', param: 'assertion' }],
    },
    {
      name: 'unsecured request object pushed to the PAR endpoint → high',
      observations: () => [post('https://as.example/par', { client_id: 'c1', request: fakeJwt({ alg: 'none' }, { response_type: 'code', client_id: 'c1', redirect_uri: CB }, '') }, { status: 201, responseBody: { request_uri: 'urn:ietf:params:oauth:request_uri:y', expires_in: 60 } })],
      expect: [{ severity: 'high', param: 'request' }],
    },
    {
      name: 'unsecured request object in a form-POST authorization request → critical',
      observations: () => [obs(AS, { method: 'POST', form: { client_id: 'c1', request: fakeJwt({ alg: 'none' }, { response_type: 'code', client_id: 'c1', redirect_uri: CB }, '') } })],
      expect: [{ severity: 'critical', param: 'request' }],
    },
    {
      name: 'alg none even with a non-empty signature part',
      observations: () => [areq(), obs(CB, { method: 'POST', form: { state: rand('s'), code: rand('c'), id_token: fakeJwt({ alg: 'none' }, claims) } })],
      expect: [{ severity: 'critical', variant: 'alg-none' }],
    },
    {
      name: 'an unsecured JWT access token presented as an API bearer token → high',
      observations: () => [obs('https://api.example/v1/me', { type: 'xhr', headers: { Authorization: `Bearer ${fakeJwt({ alg: 'none', typ: 'at+jwt' }, { scope: 'a', exp: now }, '')}` } })],
      expect: [{ severity: 'high', param: 'authorization' }],
    },
  ],
});
