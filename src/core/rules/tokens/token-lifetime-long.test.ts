import { obs, post, q, rand, redirect } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import { fakeJwt } from '../../tokens/jwt-builder';
import rule from './token-lifetime-long';

const TOKEN = 'https://as.example/token';
const CB = 'https://app.example/cb';
const now = 1768471200;
const treq = (body: object, init = {}) => post(TOKEN, { grant_type: 'authorization_code', code: rand('c'), client_id: 'c1' }, { responseBody: body, ...init });

testRule(rule, {
  valid: [
    { name: 'expires_in = 3600 exactly', observations: () => [treq({ access_token: rand('at'), token_type: 'Bearer', expires_in: 3600 })] },
    { name: 'short-lived opaque token', observations: () => [treq({ access_token: rand('at'), token_type: 'Bearer', expires_in: 300 })] },
    { name: 'long refresh_expires_in only (refresh tokens may live long)', observations: () => [treq({ access_token: rand('at'), expires_in: 300, refresh_token: rand('rt'), refresh_expires_in: 86400 })] },
    { name: 'error response with a big number', observations: () => [treq({ error: 'slow_down', expires_in: 99999 }, { status: 400 })] },
    { name: 'JWT access token living 1 h', observations: () => [treq({ access_token: fakeJwt({ alg: 'RS256', typ: 'at+jwt' }, { iat: now, exp: now + 3600, scope: 'a' }), token_type: 'Bearer' })] },
    { name: 'a long-lived ID token is not an access token', observations: () => [treq({ access_token: rand('at'), expires_in: 600, id_token: fakeJwt({ alg: 'RS256' }, { iat: now, exp: now + 36000, aud: 'c1' }) })] },
    { name: 'expires_in "3600" as a string', observations: () => [treq({ access_token: rand('at'), expires_in: '3600' })] },
    { name: 'no expires_in at all (not this rule\'s signature)', observations: () => [treq({ access_token: rand('at'), token_type: 'bearer', scope: 'repo' })] },
    { name: 'JWT access token of 1 h with a short expires_in', observations: () => [treq({ access_token: fakeJwt({ alg: 'RS256', typ: 'at+jwt' }, { iat: now, exp: now + 3600, scope: 'a' }), expires_in: 600 })] },
  ],
  invalid: [
    { name: 'expires_in = 86400', observations: () => [treq({ access_token: rand('at'), token_type: 'Bearer', expires_in: 86400 })], expect: [{ severity: 'low', variant: 'expires-in', param: 'expires_in' }] },
    { name: 'expires_in as a string', observations: () => [treq({ access_token: rand('at'), expires_in: '7200' })], expect: [{ variant: 'expires-in', message: /2 h/ }] },
    {
      name: 'JWT access token with exp - iat = 8 h and no expires_in',
      observations: () => [treq({ access_token: fakeJwt({ alg: 'RS256', typ: 'at+jwt' }, { iat: now, exp: now + 8 * 3600, scope: 'a' }), token_type: 'Bearer' })],
      expect: [{ severity: 'low', variant: 'jwt-exp', param: 'access_token' }],
    },
    {
      name: 'implicit response with expires_in over an hour',
      observations: () => [
        obs(`https://as.example/authorize?${q({ response_type: 'token', client_id: 'c1', redirect_uri: CB, state: rand('s') })}`),
        ...redirect('https://as.example/login', `${CB}#${q({ access_token: rand('at'), token_type: 'Bearer', expires_in: '5000', state: rand('s') })}`),
      ],
      expect: [{ variant: 'expires-in' }],
    },
    { name: 'refresh_token grant response with expires_in over an hour', observations: () => [post(TOKEN, { grant_type: 'refresh_token', refresh_token: rand('rt') }, { responseBody: { access_token: rand('at'), expires_in: 43200 } })], expect: [{ variant: 'expires-in' }] },
    { name: 'client_credentials grant response', observations: () => [post(TOKEN, { grant_type: 'client_credentials', client_id: 'svc' }, { responseBody: { access_token: rand('at'), expires_in: 31536000 } })], expect: [{ severity: 'low', variant: 'expires-in' }] },
    {
      name: 'short expires_in but the JWT access token itself lives a day',
      observations: () => [treq({ access_token: fakeJwt({ alg: 'RS256', typ: 'at+jwt' }, { iat: now, exp: now + 86400, scope: 'a' }), expires_in: 300 })],
      expect: [{ variant: 'jwt-exp', param: 'access_token' }],
    },
    {
      name: 'implicit response with a long-lived JWT access token and no expires_in',
      observations: () => [
        obs(`https://as.example/authorize?${q({ response_type: 'token', client_id: 'c1', redirect_uri: CB, state: rand('s') })}`),
        ...redirect('https://as.example/login', `${CB}#${q({ access_token: fakeJwt({ alg: 'RS256', typ: 'at+jwt' }, { iat: now, exp: now + 7200, scope: 'a' }), token_type: 'Bearer', state: rand('s') })}`),
      ],
      expect: [{ variant: 'jwt-exp' }],
    },
  ],
});
