import { obs, post, q, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import { fakeJwt } from '../../tokens/jwt-builder';
import rule from './jwt-risky-header';

const AS = 'https://as.example/authorize';
const CB = 'https://app.example/cb';
const TOKEN = 'https://as.example/token';
const claims = { iss: 'https://as.example', sub: 'u1', aud: 'c1', nonce: 'n-1', iat: 1, exp: 301 };
const fc = (idt: string) => [
  obs(`${AS}?${q({ response_type: 'code id_token', response_mode: 'form_post', client_id: 'c1', redirect_uri: CB, state: rand('s'), nonce: 'n-1', scope: 'openid' })}`),
  obs(CB, { method: 'POST', form: { state: rand('s'), code: rand('c'), id_token: idt } }),
];
const tr = (idt: string, form: Record<string, string> = {}, headers: Record<string, string> = {}) =>
  post(TOKEN, { grant_type: 'authorization_code', code: rand('c'), client_id: 'c1', code_verifier: rand('v', 43), ...form }, { headers, responseBody: { access_token: rand('at'), id_token: idt } });

testRule(rule, {
  valid: [
    { name: 'RS256 ID token with kid and x5t', observations: () => fc(fakeJwt({ alg: 'RS256', kid: 'key-2026-01', x5t: 'abc' }, claims)) },
    { name: 'HS256 ID token for a confidential client (client_secret_basic)', observations: () => [tr(fakeJwt({ alg: 'HS256' }, claims), {}, { Authorization: `Basic ${btoa('c1:s')}` })] },
    { name: 'x5c on a client assertion (certificate-bound client authentication) is not an ID token', observations: () => [post(TOKEN, { grant_type: 'client_credentials', client_assertion: fakeJwt({ alg: 'RS256', x5c: ['MIIB'] }, { iss: 'c1', sub: 'c1', aud: TOKEN }) })] },
    { name: 'Entra-style kid (base64url thumbprint)', observations: () => fc(fakeJwt({ alg: 'RS256', kid: 'nOo3ZDrODXEK1jKWhXslHR_KXEg' }, claims)) },
    { name: 'kid with single dots and dashes', observations: () => fc(fakeJwt({ alg: 'RS256', kid: 'sig-2026.01-rsa' }, claims)) },
    { name: 'Cognito-style kid (standard base64 with "/" and "+")', observations: () => fc(fakeJwt({ alg: 'RS256', kid: 'KyzF3nZq2qf2Fqp2ZC5P8wcs/pcb6yQH3S0O8kR+w3A=' }, claims)) },
    { name: 'HS256 ID token for a client authenticating with private_key_jwt', observations: () => [tr(fakeJwt({ alg: 'HS256' }, claims), { client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: rand('ca', 200) })] },
    { name: 'x5t#S256 is a thumbprint, not a key reference', observations: () => fc(fakeJwt({ alg: 'RS256', kid: 'k1', 'x5t#S256': 'abc' }, claims)) },
  ],
  invalid: [
    { name: 'jku header on a front-channel ID token', observations: () => fc(fakeJwt({ alg: 'RS256', jku: 'https://attacker.example/jwks' }, claims)), expect: [{ severity: 'medium', variant: 'header-jku', param: 'id_token' }] },
    { name: 'embedded jwk header', observations: () => fc(fakeJwt({ alg: 'ES256', jwk: { kty: 'EC' } }, claims)), expect: [{ variant: 'header-jwk' }] },
    { name: 'kid with path traversal on a client assertion', observations: () => [post(TOKEN, { grant_type: 'client_credentials', client_assertion: fakeJwt({ alg: 'HS256', kid: '../../dev/null' }, { iss: 'c1', sub: 'c1', aud: TOKEN }) })], expect: [{ variant: 'kid-metacharacters', param: 'client_assertion' }] },
    { name: "kid with SQL metacharacters", observations: () => fc(fakeJwt({ alg: 'RS256', kid: "x' OR '1'='1" }, claims)), expect: [{ variant: 'kid-metacharacters' }] },
    { name: 'HS256 ID token for a public client (PKCE, no client authentication)', observations: () => [tr(fakeJwt({ alg: 'HS256' }, claims))], expect: [{ severity: 'medium', variant: 'hs-public-client' }] },
    { name: 'x5u header on a front-channel ID token', observations: () => fc(fakeJwt({ alg: 'RS256', x5u: 'https://attacker.example/cert.pem' }, claims)), expect: [{ variant: 'header-x5u' }] },
    { name: 'x5c header on an ID token in the token response', observations: () => [tr(fakeJwt({ alg: 'RS256', x5c: ['MIIB'] }, claims), {}, { Authorization: `Basic ${btoa('c1:s')}` })], expect: [{ variant: 'header-x5c' }] },
    { name: 'kid that is a URL', observations: () => fc(fakeJwt({ alg: 'RS256', kid: 'https://attacker.example/key.pem' }, claims)), expect: [{ variant: 'kid-metacharacters' }] },
    { name: 'kid that is an absolute path', observations: () => fc(fakeJwt({ alg: 'RS256', kid: '/dev/null' }, claims)), expect: [{ variant: 'kid-metacharacters' }] },
  ],
});
