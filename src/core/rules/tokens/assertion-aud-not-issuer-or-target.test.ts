import { obs, post, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import { fakeJwt } from '../../tokens/jwt-builder';
import rule from './assertion-aud-not-issuer-or-target';

const ISS = 'https://as.example/tenant1';
const MD = { issuer: ISS, authorization_endpoint: 'https://as.example/tenant1/authorize', token_endpoint: 'https://as.example/tenant1/token', pushed_authorization_request_endpoint: 'https://as.example/tenant1/par', introspection_endpoint: 'https://as.example/tenant1/introspect' };
const metadata = () => obs('https://as.example/tenant1/.well-known/openid-configuration', { type: 'fetch', responseBody: MD });
const ca = (aud: unknown) => fakeJwt({ alg: 'ES256' }, { iss: 'c1', sub: 'c1', aud, jti: rand('j'), iat: 1, exp: 61 });
const to = (url: string, aud: unknown, grant = false) =>
  post(url, { ...(grant ? { grant_type: 'client_credentials' } : { token: rand('t') }), client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: ca(aud) });

testRule(rule, {
  valid: [
    { name: 'aud = issuer at the introspection endpoint', observations: () => [metadata(), to(MD.introspection_endpoint, ISS)] },
    { name: 'aud = the exact introspection endpoint', observations: () => [metadata(), to(MD.introspection_endpoint, MD.introspection_endpoint)] },
    { name: 'aud = token endpoint at the token endpoint (exact target)', observations: () => [metadata(), to(MD.token_endpoint, MD.token_endpoint, true)] },
    { name: 'issuer unknown (no metadata): origin fallback does not count', observations: () => [to('https://as2.example/introspect', 'https://as2.example/some/other')] },
    { name: 'token endpoint as aud at the PAR endpoint is audience-injection, not this rule', observations: () => [metadata(), to(MD.pushed_authorization_request_endpoint, MD.token_endpoint)] },
    { name: 'aud = issuer with a trailing slash', observations: () => [metadata(), to(MD.introspection_endpoint, `${ISS}/`)] },
    { name: 'one-element array holding the issuer (audience-injection\'s low case)', observations: () => [metadata(), to(MD.introspection_endpoint, [ISS])] },
    { name: 'no client assertion (client_secret_post)', observations: () => [metadata(), post(MD.token_endpoint, { grant_type: 'client_credentials', client_id: 'c1', client_secret: rand('cs') })] },
  ],
  invalid: [
    { name: 'aud = the AS origin, not its issuer (tenant path)', observations: () => [metadata(), to(MD.introspection_endpoint, 'https://as.example')], expect: [{ severity: 'medium', param: 'client_assertion', message: /tenant1/ }] },
    { name: 'aud = a client-id-like string', observations: () => [metadata(), to(MD.token_endpoint, 'my-as', true)], expect: [{ severity: 'medium' }] },
    { name: 'a client-id-like audience at the PAR endpoint', observations: () => [metadata(), post(MD.pushed_authorization_request_endpoint, { response_type: 'code', client_id: 'c1', redirect_uri: 'https://app.example/cb', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: ca('as-example') }, { status: 201, responseBody: { request_uri: 'urn:ietf:params:oauth:request_uri:q', expires_in: 60 } })], expect: [{ severity: 'medium' }] },
    { name: 'one-element array with another endpoint of the same AS', observations: () => [metadata(), to(MD.introspection_endpoint, ['https://as.example/tenant1/userinfo'])], expect: [{ severity: 'medium' }] },
    {
      name: 'a jwt-bearer grant with a client assertion too: the second assertion is judged with the metadata as well',
      observations: () => [
        metadata(),
        post(MD.token_endpoint, {
          grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
          assertion: ca('https://as.example'),
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: ca(ISS),
        }),
      ],
      expect: [{ severity: 'medium', param: 'assertion', message: /tenant1/ }],
    },
  ],
});
