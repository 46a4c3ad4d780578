import { describe, expect, it } from 'vitest';
import { obs, post, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import { fakeJwt } from '../../tokens/jwt-builder';
import rule, { distinctiveKid, jwkThumbprint, specificClientId, x5cThumbprint } from './assertion-key-shared-across-as';

const CA_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const now = 1768471200;

/** a self-signed P-256 certificate (openssl req -x509), base64 DER, and its thumbprints computed with node:crypto */
const CERT =
  'MIIBiDCCAS2gAwIBAgIUeVDgeDy3DMCD9OEfkixBuJ1hICswCgYIKoZIzj0EAwIwGTEXMBUGA1UEAwwOY2xpZW50LmV4YW1wbGUwHhcNMjYxMjA1MTQwNTA0WhcNMjYxMjA2MTQwNTA0WjAZMRcwFQYDVQQDDA5jbGllbnQuZXhhbXBsZTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABMY16aPwQ6r1w5teAO+WYzwFCipM5sD+ve4TxXdCHpXJ2BXBo8M6IcYENHxGg6exTtZUIaHT/LRuzIAS1DRCTiSjUzBRMB0GA1UdDgQWBBSCH61sDS//IY7XpMckOn3q86a3xTAfBgNVHSMEGDAWgBSCH61sDS//IY7XpMckOn3q86a3xTAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0kAMEYCIQCP1vG7d9zOarXuLgL3Z0kSURB+tLpjgC/XN8E7MmGghAIhANck0yZw5ZwljewGSnWJNFWQWfho/3AXhRqStXksYtbW';
const CERT_S256 = 'cXzIu58rVAG03SeH0gCmlbTuhVEfDWtgxRfd1cPORvg';
const CERT_SHA1 = 'PMQTZ3TRyqs_WocF4N5if1jRNxI';
const OTHER_S256 = 'Xk3p9TqLm2ZvR8wYc1HbN4sJ0dFgA6uE7iK5oQ9tWyU';

/** RFC 7638 §3.1's example key and its thumbprint */
const RFC7638_N =
  '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw';
const RFC7638_JWK = { kty: 'RSA', n: RFC7638_N, e: 'AQAB', alg: 'RS256', kid: '2011-04-29' };
const RFC7638_THUMB = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';
/** a P-256 public key (node:crypto) */
const EC_JWK = { kty: 'EC', crv: 'P-256', x: 'CbWuRjVWZxqlcacHxi5cn9TnwRjsaxxOfO7_DASCqbQ', y: '-z5FLN0DLUo-V95AB3gqloyHRx_xnr-kwxgeMyLszW4' };
const EC_THUMB = 'R7r53bAXSC68JyMr-bAQnGtnPqDVnGXoNspFwjpbAvM';

interface Opts {
  /** JWS header members besides alg */
  h?: Record<string, unknown>;
  /** iss = sub (the client id) */
  client?: string;
  aud?: unknown;
  claims?: Record<string, unknown>;
}

/** an assertion for a request to `url` (aud defaults to the receiving origin; jti fixed by the inputs) */
function assertion(url: string, o: Opts): string {
  const client = o.client ?? 'c1';
  const claims = { iss: client, sub: client, aud: o.aud ?? new URL(url).origin, jti: rand(`${url}|${JSON.stringify(o)}`, 16), iat: now, exp: now + 60, ...o.claims };
  return fakeJwt({ alg: 'ES256', typ: 'client-authentication+jwt', ...o.h }, claims);
}
const tokenReq = (url: string, o: Opts = {}) => post(url, { grant_type: 'client_credentials', client_assertion_type: CA_TYPE, client_assertion: assertion(url, o) });
const par = (url: string, o: Opts = {}) =>
  post(
    url,
    { response_type: 'code', client_id: o.client ?? 'c1', redirect_uri: 'https://app.example/cb', client_assertion_type: CA_TYPE, client_assertion: assertion(url, o) },
    { status: 201, responseBody: { request_uri: 'urn:ietf:params:oauth:request_uri:r', expires_in: 60 } },
  );
const revoke = (url: string, o: Opts = {}) => post(url, { token: 'opaque-token-value', client_assertion_type: CA_TYPE, client_assertion: assertion(url, o) });
const grant = (url: string, o: Opts = {}) => post(url, { grant_type: JWT_BEARER, assertion: assertion(url, o) });
/** RFC 8414 metadata of an AS whose endpoints are `${base}/token` etc. unless given */
const metadata = (issuer: string, endpoints: Record<string, string> = {}) =>
  obs(`${issuer}/.well-known/oauth-authorization-server`, {
    type: 'fetch',
    responseBody: {
      issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      pushed_authorization_request_endpoint: `${issuer}/par`,
      revocation_endpoint: `${issuer}/revoke`,
      ...endpoints,
    },
  });

const A1 = 'https://as-one.example';
const A2 = 'https://as-two.example';
const A3 = 'https://as-three.example';
const S256 = { 'x5t#S256': CERT_S256 };
const THUMB_KID = 'kH3x9QzLw7TmB2vRc8YpN5sJ1dFgA4uE6iK0oM7tWyZ';

testRule(rule, {
  valid: [
    { name: 'one AS through its token and PAR endpoints (metadata)', observations: () => [metadata(A1), par(`${A1}/par`, { h: S256, aud: A1 }), tokenReq(`${A1}/token`, { h: S256, aud: A1 })] },
    { name: 'one AS through token, PAR and revocation endpoints (no metadata)', observations: () => [tokenReq(`${A1}/token`, { h: S256 }), par(`${A1}/par`, { h: S256 }), revoke(`${A1}/revoke`, { h: S256 })] },
    {
      name: 'one AS whose PAR endpoint is on a sibling host of its site (no metadata, G2)',
      observations: () => [tokenReq('https://login.corp.example/token', { h: S256 }), par('https://par.corp.example/par', { h: S256 })],
    },
    {
      name: 'one AS whose token endpoint is on another site than its issuer: the metadata lists it',
      observations: () => [
        metadata('https://login.idp.example', { token_endpoint: 'https://tokens.idp-edge.example/oauth/token' }),
        tokenReq('https://tokens.idp-edge.example/oauth/token', { h: S256, aud: 'https://login.idp.example' }),
        par('https://login.idp.example/par', { h: S256, aud: 'https://login.idp.example' }),
      ],
    },
    {
      name: 'one AS whose token endpoint is on another site, used before its metadata was fetched (looked up again later)',
      observations: () => [
        tokenReq('https://tokens.idp-edge.example/oauth/token', { h: S256, aud: 'https://login.idp.example' }),
        metadata('https://login.idp.example', { token_endpoint: 'https://tokens.idp-edge.example/oauth/token' }),
        par('https://login.idp.example/par', { h: S256, aud: 'https://login.idp.example' }),
      ],
    },
    {
      name: 'one AS met before and after its metadata was fetched (origin fallback, then issuer on the same site)',
      observations: () => [tokenReq(`${A1}/token`, { h: S256 }), metadata(A1), par(`${A1}/par`, { h: S256, aud: A1 })],
    },
    { name: 'two ASes, two different certificates', observations: () => [tokenReq(`${A1}/token`, { h: S256 }), tokenReq(`${A2}/token`, { h: { 'x5t#S256': OTHER_S256 } })] },
    { name: 'two ASes, two different embedded keys', observations: () => [tokenReq(`${A1}/token`, { h: { jwk: RFC7638_JWK } }), tokenReq(`${A2}/token`, { h: { jwk: EC_JWK } })] },
    {
      name: 'generic kid "1" at two ASes with different certificates (same URL client id: the key material decides)',
      observations: () => [
        tokenReq(`${A1}/token`, { h: { kid: '1', ...S256 }, client: 'https://app.example/client.json' }),
        tokenReq(`${A2}/token`, { h: { kid: '1', 'x5t#S256': OTHER_S256 }, client: 'https://app.example/client.json' }),
      ],
    },
    { name: 'generic kid "1" at two ASes, two clients, no key material', observations: () => [tokenReq(`${A1}/token`, { h: { kid: '1' }, client: 'Xa81bq2Lm9' }), tokenReq(`${A2}/token`, { h: { kid: '1' }, client: 'Pq03Nv7Rz2' })] },
    { name: 'generic kid "default" at two ASes under a generic client id', observations: () => [tokenReq(`${A1}/token`, { h: { kid: 'default' }, client: 'my-app' }), tokenReq(`${A2}/token`, { h: { kid: 'default' }, client: 'my-app' })] },
    { name: 'kid "key1" / "rsa" at two ASes, two clients', observations: () => [tokenReq(`${A1}/token`, { h: { kid: 'key1' } }), tokenReq(`${A2}/token`, { h: { kid: 'key1' }, client: 'c2' }), tokenReq(`${A3}/token`, { h: { kid: 'rsa' } })] },
    {
      name: 'a long but human kid (camel case) at two ASes, two clients',
      observations: () => [tokenReq(`${A1}/token`, { h: { kid: 'ClientSigningKey2024Prod' }, client: 'Xa81bq2Lm9' }), tokenReq(`${A2}/token`, { h: { kid: 'ClientSigningKey2024Prod' }, client: 'Pq03Nv7Rz2' })],
    },
    { name: 'no key hint at all at two ASes (same client id)', observations: () => [tokenReq(`${A1}/token`, { client: 's6BhdRkqt3' }), tokenReq(`${A2}/token`, { client: 's6BhdRkqt3' })] },
    { name: 'the same key sent to one AS again and again', observations: () => [tokenReq(`${A1}/token`, { h: S256 }), tokenReq(`${A1}/token`, { h: S256, claims: { jti: 'second-jti-value-xyz' } }), revoke(`${A1}/revoke`, { h: S256 })] },
    { name: 'a client_secret client at two ASes (no assertion)', observations: () => [post(`${A1}/token`, { grant_type: 'client_credentials', client_id: 'c1', client_secret: 'hunter2-but-longer-xyz' }), post(`${A2}/token`, { grant_type: 'client_credentials', client_id: 'c1', client_secret: 'hunter2-but-longer-xyz' })] },
  ],
  invalid: [
    {
      name: 'one certificate (x5t#S256) at two ASes known from metadata → low, key material',
      observations: () => [metadata(A1), metadata(A2), tokenReq(`${A1}/token`, { h: S256, aud: A1 }), par(`${A2}/par`, { h: S256, aud: A2 })],
      expect: [{ severity: 'low', confidence: 'strong', variant: 'key-material', count: 1, param: 'client_assertion', message: /as-two\.example.*x5t#S256.*as-one\.example/ }],
    },
    {
      name: 'one certificate at two ASes without metadata (origins on two sites)',
      observations: () => [tokenReq(`${A1}/token`, { h: S256 }), tokenReq(`${A2}/token`, { h: S256 })],
      expect: [{ severity: 'low', variant: 'key-material' }],
    },
    {
      name: 'x5c at one AS, the same certificate as x5t#S256 at another',
      observations: () => [tokenReq(`${A1}/token`, { h: { x5c: [CERT] } }), tokenReq(`${A2}/token`, { h: S256 })],
      expect: [{ severity: 'low', confidence: 'strong', variant: 'key-material', message: new RegExp(`x5t#S256.*${CERT_S256}`) }],
    },
    {
      name: 'x5t (SHA-1) at two ASes',
      observations: () => [tokenReq(`${A1}/token`, { h: { x5t: CERT_SHA1 } }), revoke(`${A2}/revoke`, { h: { x5t: CERT_SHA1 } })],
      expect: [{ severity: 'low', variant: 'key-material' }],
    },
    {
      name: 'one embedded jwk at two ASes, members in another order and extra members (RFC 7638 thumbprint)',
      observations: () => [tokenReq(`${A1}/token`, { h: { jwk: RFC7638_JWK } }), tokenReq(`${A2}/token`, { h: { jwk: { e: 'AQAB', use: 'sig', n: RFC7638_N, kty: 'RSA' } } })],
      expect: [{ severity: 'low', confidence: 'strong', variant: 'key-material', message: new RegExp(RFC7638_THUMB) }],
    },
    {
      name: 'an embedded jwk at one AS, its thumbprint as kid at another → heuristic',
      observations: () => [tokenReq(`${A1}/token`, { h: { jwk: EC_JWK } }), tokenReq(`${A2}/token`, { h: { kid: EC_THUMB } })],
      expect: [{ severity: 'low', confidence: 'heuristic', variant: 'kid' }],
    },
    {
      name: 'a thumbprint-like kid at two ASes, two clients → heuristic',
      observations: () => [tokenReq(`${A1}/token`, { h: { kid: THUMB_KID } }), par(`${A2}/par`, { h: { kid: THUMB_KID }, client: 'c2' })],
      expect: [{ severity: 'low', confidence: 'heuristic', variant: 'kid' }],
    },
    {
      name: 'a UUID kid at two ASes',
      observations: () => [tokenReq(`${A1}/token`, { h: { kid: '3f2b8c1e-9d4a-4e7b-b6f0-2a5c9e8d1f07' } }), tokenReq(`${A2}/token`, { h: { kid: '3f2b8c1e-9d4a-4e7b-b6f0-2a5c9e8d1f07' } })],
      expect: [{ variant: 'kid' }],
    },
    {
      name: 'a key vault URL kid at two ASes',
      observations: () => [tokenReq(`${A1}/token`, { h: { kid: 'https://vault.example.net/keys/client-sign/4f1c2d3e' } }), tokenReq(`${A2}/token`, { h: { kid: 'https://vault.example.net/keys/client-sign/4f1c2d3e' } })],
      expect: [{ variant: 'kid' }],
    },
    {
      name: 'generic kid "1" under one Client ID Metadata Document URL at two ASes → client-kid',
      observations: () => [tokenReq(`${A1}/token`, { h: { kid: '1' }, client: 'https://app.example/client.json' }), tokenReq(`${A2}/token`, { h: { kid: '1' }, client: 'https://app.example/client.json' })],
      expect: [{ severity: 'low', confidence: 'heuristic', variant: 'client-kid', message: /app\.example\/client\.json/ }],
    },
    {
      name: 'generic kid "1" under the same AS-assigned client id at two ASes (the draft\'s attack setting) → client-kid',
      observations: () => [tokenReq(`${A1}/token`, { h: { kid: '1' }, client: 's6BhdRkqt3' }), par(`${A2}/par`, { h: { kid: '1' }, client: 's6BhdRkqt3' })],
      expect: [{ variant: 'client-kid', message: /s6BhdRkqt3/ }],
    },
    {
      name: 'the same certificate and the same client id at two ASes: the message says so',
      observations: () => [tokenReq(`${A1}/token`, { h: S256, client: 's6BhdRkqt3' }), tokenReq(`${A2}/token`, { h: S256, client: 's6BhdRkqt3' })],
      expect: [{ variant: 'key-material', message: /same client_id s6BhdRkqt3/ }],
    },
    {
      name: 'jwt-bearer grant assertions with one key at two ASes',
      observations: () => [grant(`${A1}/token`, { h: S256 }), grant(`${A2}/token`, { h: S256 })],
      expect: [{ severity: 'low', param: 'assertion' }],
    },
    {
      name: 'two realms of one server, each with its own issuer (§0.4: different known issuers)',
      observations: () => [
        metadata('https://sso.example/realms/a'),
        metadata('https://sso.example/realms/b'),
        tokenReq('https://sso.example/realms/a/token', { h: S256, aud: 'https://sso.example/realms/a' }),
        tokenReq('https://sso.example/realms/b/token', { h: S256, aud: 'https://sso.example/realms/b' }),
      ],
      expect: [{ severity: 'low', message: /realms\/b.*realms\/a/ }],
    },
    {
      name: 'reported once per key, however many ASes follow',
      observations: () => [tokenReq(`${A1}/token`, { h: S256 }), tokenReq(`${A2}/token`, { h: S256 }), tokenReq(`${A3}/token`, { h: S256 }), par(`${A3}/par`, { h: S256 })],
      expect: [{ count: 1 }],
    },
    {
      name: 'once per key across its identities: x5t#S256 + kid, then the x5t#S256, then the kid alone',
      observations: () => [tokenReq(`${A1}/token`, { h: { ...S256, kid: THUMB_KID } }), tokenReq(`${A2}/token`, { h: S256 }), tokenReq(`${A3}/token`, { h: { kid: THUMB_KID } })],
      expect: [{ count: 1 }, { variant: 'key-material' }],
    },
    {
      name: 'medium alongside audience-injection: the first assertion (PAR at a rogue AS) names the honest token endpoint',
      observations: () => [
        metadata(A1),
        par(`${A2}/par`, { h: S256, aud: `${A1}/token` }),
        tokenReq(`${A1}/token`, { h: S256, aud: A1 }),
      ],
      expect: [{ severity: 'medium', count: 1, message: /audience-injection/ }],
    },
    {
      name: 'medium alongside assertion-aud-not-issuer-or-target on the second assertion',
      observations: () => [metadata(A2), tokenReq(`${A1}/token`, { h: S256 }), par(`${A2}/par`, { h: S256, aud: 'as-two-audience' })],
      expect: [{ severity: 'medium', message: /assertion-aud-not-issuer-or-target/ }],
    },
    {
      name: 'medium alongside assertion-hygiene (an assertion of the key without jti)',
      observations: () => [tokenReq(`${A1}/token`, { h: S256, claims: { jti: undefined } }), tokenReq(`${A2}/token`, { h: S256 })],
      expect: [{ severity: 'medium', message: /assertion-hygiene/ }],
    },
    {
      name: 'a J finding after the report does not report the key again',
      observations: () => [tokenReq(`${A1}/token`, { h: S256 }), tokenReq(`${A2}/token`, { h: S256 }), tokenReq(`${A3}/token`, { h: S256, claims: { jti: undefined } })],
      expect: [{ count: 1 }, { severity: 'low' }],
    },
    {
      name: 'evidence names the first AS\'s request and the new one, with the header parameter',
      observations: () => [tokenReq(`${A1}/token`, { h: { x5c: [CERT] } }), par(`${A2}/par`, { h: S256 })],
      expect: [{ message: /x5t#S256/, param: 'client_assertion' }],
    },
  ],
});

describe('assertion-key-shared-across-as helpers', () => {
  it('computes RFC 7638 thumbprints (the RFC\'s own example) and refuses incomplete keys', () => {
    expect(jwkThumbprint(RFC7638_JWK)).toBe(RFC7638_THUMB);
    expect(jwkThumbprint(EC_JWK)).toBe(EC_THUMB);
    expect(jwkThumbprint({ kty: 'EC', crv: 'P-256', x: EC_JWK.x })).toBeUndefined();
    expect(jwkThumbprint('not a key')).toBeUndefined();
  });
  it('computes the x5t#S256 of an x5c chain\'s first certificate', () => {
    expect(x5cThumbprint([CERT, 'MIIBignored'])).toBe(CERT_S256);
    expect(x5cThumbprint(['%%%not base64%%%'])).toBeUndefined();
    expect(x5cThumbprint(CERT)).toBeUndefined();
  });
  it('tells thumbprint-like kids from generic ones', () => {
    for (const k of [THUMB_KID, RFC7638_THUMB, CERT_SHA1, '3f2b8c1e-9d4a-4e7b-b6f0-2a5c9e8d1f07', 'a'.repeat(8) + '0123456789abcdef0123456789abcdef', 'https://vault.example.net/keys/k/4f1c', 'did:web:client.example#key-1'])
      expect(distinctiveKid(k), k).toBe(true);
    for (const k of ['1', 'default', 'key1', 'rsa', 'sig-2024', 'signing-key-production-2024', 'ClientSigningKey2024Prod', 'RSA2048SigningKeyForClientV2', 'abcdefghijklmnopqrstuvwxyz'])
      expect(distinctiveKid(k), k).toBe(false);
  });
  it('tells specific client ids from generic ones', () => {
    for (const c of ['https://app.example/client.json', 's6BhdRkqt3', '0oa1b2c3d4E5f6G7h8i9', '123456-abc.apps.googleusercontent.com']) expect(specificClientId(c), c).toBe(true);
    for (const c of ['my-app', 'web', 'frontend', 'c1', 'portal']) expect(specificClientId(c), c).toBe(false);
  });
});
