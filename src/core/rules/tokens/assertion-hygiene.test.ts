import { post, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import { fakeJwt } from '../../tokens/jwt-builder';
import rule from './assertion-hygiene';

const TOKEN = 'https://as.example/token';
const good = { iss: 'c1', sub: 'c1', aud: 'https://as.example', iat: 1000, exp: 1060 };
const send = (claims: Record<string, unknown>, header: Record<string, unknown> = { alg: 'ES256', typ: 'client-authentication+jwt' }) =>
  post(TOKEN, { grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: fakeJwt(header, claims) });

testRule(rule, {
  valid: [
    { name: 'well-formed assertion', observations: () => [send({ ...good, jti: rand('a') })] },
    { name: 'two assertions with different jti', observations: () => [send({ ...good, jti: rand('a') }), send({ ...good, jti: rand('b') })] },
    { name: 'missing typ is info only', observations: () => [send({ ...good, jti: rand('a') }, { alg: 'ES256' })], allow: ['info'] },
    { name: 'a client_secret_post request has no assertion', observations: () => [post(TOKEN, { grant_type: 'client_credentials', client_id: 'c1', client_secret: rand('cs') })] },
    { name: 'typ with the application/ prefix', observations: () => [send({ ...good, jti: rand('a') }, { alg: 'ES256', typ: 'application/client-authentication+jwt' })] },
    { name: 'exactly 5 minutes', observations: () => [send({ ...good, exp: 1300, jti: rand('a') })] },
    {
      name: 'a jwt-bearer authorization grant assertion (iss = IdP, sub = user) is not a client assertion',
      observations: () => [post(TOKEN, { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: fakeJwt({ alg: 'RS256' }, { iss: 'https://idp.example', sub: 'user-1', aud: TOKEN, exp: 5000 }) })],
    },
    { name: 'aud as a one-element array is there (its form is audience-injection\'s)', observations: () => [send({ ...good, aud: ['https://as.example'], jti: rand('a') })] },
    { name: 'the same jti from two different clients', observations: () => [send({ ...good, jti: 'shared-0001' }), send({ ...good, iss: 'c2', sub: 'c2', jti: 'shared-0001' })] },
  ],
  invalid: [
    { name: 'no aud → medium', observations: () => [send({ iss: 'c1', sub: 'c1', iat: 1000, exp: 1060, jti: rand('a') })], expect: [{ severity: 'medium', variant: 'no-aud', message: /no aud/ }] },
    { name: 'iss ≠ sub', observations: () => [send({ ...good, sub: 'user', jti: rand('a') })], expect: [{ severity: 'low', variant: 'iss-not-sub' }] },
    { name: 'no jti, no exp', observations: () => [send({ iss: 'c1', sub: 'c1', aud: 'https://as.example' })], expect: [{ variant: 'no-jti' }, { variant: 'no-exp' }] },
    { name: 'one hour lifetime', observations: () => [send({ ...good, exp: 4600, jti: rand('a') })], expect: [{ severity: 'low', variant: 'long-lived' }] },
    { name: 'the same jti twice → medium replay', observations: () => [send({ ...good, jti: 'same-jti-0001' }), send({ ...good, jti: 'same-jti-0001', iat: 1001 })], expect: [{ severity: 'medium', variant: 'jti-replay', count: 1 }] },
    { name: 'typ JWT → info', observations: () => [send({ ...good, jti: rand('a') }, { alg: 'ES256', typ: 'JWT' })], expect: [{ severity: 'info', variant: 'typ' }] },
    { name: 'no jti at a PAR endpoint', observations: () => [post('https://as.example/par', { response_type: 'code', client_id: 'c1', redirect_uri: 'https://app.example/cb', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: fakeJwt({ alg: 'ES256', typ: 'client-authentication+jwt' }, good) }, { status: 201, responseBody: { request_uri: 'urn:ietf:params:oauth:request_uri:h', expires_in: 60 } })], expect: [{ severity: 'low', variant: 'no-jti' }] },
    { name: 'the same jti at the PAR and then the token endpoint → replay', observations: () => [post('https://as.example/par', { response_type: 'code', client_id: 'c1', redirect_uri: 'https://app.example/cb', client_assertion: fakeJwt({ alg: 'ES256', typ: 'client-authentication+jwt' }, { ...good, jti: 'reuse-1' }) }), send({ ...good, jti: 'reuse-1' })], expect: [{ severity: 'medium', variant: 'jti-replay' }] },
  ],
});
