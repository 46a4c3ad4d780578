import { obs } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './metadata-endpoint-foreign';

const md = (doc: object, url = 'https://as.example/.well-known/openid-configuration', status = 200) => obs(url, { type: 'fetch', status, responseBody: doc });
const base = { issuer: 'https://as.example', authorization_endpoint: 'https://as.example/authorize', jwks_uri: 'https://as.example/jwks' };

testRule(rule, {
  valid: [
    { name: 'every endpoint on the issuer origin', observations: () => [md({ ...base, token_endpoint: 'https://as.example/token', revocation_endpoint: 'https://as.example/revoke', pushed_authorization_request_endpoint: 'https://as.example/par' })] },
    { name: 'a foreign userinfo or jwks endpoint is not a client-authenticated endpoint', observations: () => [md({ ...base, token_endpoint: 'https://as.example/token', userinfo_endpoint: 'https://api.other.example/me', jwks_uri: 'https://keys.other.example/jwks' })] },
    {
      name: 'sibling host of the same site (Google-style oauth2.googleapis.com) is low only',
      observations: () => [md({ issuer: 'https://accounts.google.com', authorization_endpoint: 'https://accounts.google.com/o/oauth2/v2/auth', token_endpoint: 'https://oauth2.googleapis.com/token', revocation_endpoint: 'https://oauth2.googleapis.com/revoke' }, 'https://accounts.google.com/.well-known/openid-configuration')],
      allow: ['low'],
    },
    { name: 'an error page is not metadata', observations: () => [md({ ...base, token_endpoint: 'https://evil.example/token' }, undefined, 404)] },
    { name: 'explicit default port and host case on the issuer origin', observations: () => [md({ ...base, token_endpoint: 'https://AS.example:443/token', revocation_endpoint: 'https://as.example:443/revoke' })] },
    { name: 'issuer with a tenant path, endpoints on the same origin', observations: () => [md({ issuer: 'https://as.example/t1', authorization_endpoint: 'https://as.example/t1/authorize', token_endpoint: 'https://as.example/t1/token', pushed_authorization_request_endpoint: 'https://as.example/t1/par' }, 'https://as.example/t1/.well-known/openid-configuration')] },
    {
      name: 'mTLS aliases on a sibling host of the same site are low at most',
      observations: () => [md({ ...base, token_endpoint: 'https://as.example/token', mtls_endpoint_aliases: { token_endpoint: 'https://mtls.as.example/token' } })],
      allow: ['low'],
    },
  ],
  invalid: [
    {
      name: "the same document fetched again (the client's next logins): one finding per endpoint",
      observations: () => [1, 2, 3].map(() => md({ ...base, token_endpoint: 'https://evil.example/token' })),
      expect: [{ severity: 'high', variant: 'foreign-site', param: 'token_endpoint', count: 1 }],
    },
    {
      name: 'the document naming another foreign token endpoint later: a finding each',
      observations: () => [md({ ...base, token_endpoint: 'https://evil.example/token' }), md({ ...base, token_endpoint: 'https://evil2.example/token' })],
      expect: [{ severity: 'high', variant: 'foreign-site', param: 'token_endpoint', count: 2 }],
    },
    {
      name: "endpoints that begin with the issuer's origin but name another host (a longer host name, user info) → high",
      observations: () => [md({ ...base, token_endpoint: 'https://as.example.evil.example/token', revocation_endpoint: 'https://as.example@evil.example/revoke', introspection_endpoint: 'https://as.example/introspect' })],
      expect: [
        { severity: 'high', variant: 'foreign-site', param: 'token_endpoint', count: 1 },
        { severity: 'high', variant: 'foreign-site', param: 'revocation_endpoint', count: 1 },
      ],
    },
    {
      name: "attacker metadata claims the honest AS's token endpoint → high",
      observations: () => [md({ issuer: 'https://attacker.example', authorization_endpoint: 'https://attacker.example/auth', token_endpoint: 'https://honest-as.example/token', pushed_authorization_request_endpoint: 'https://attacker.example/par' }, 'https://attacker.example/.well-known/oauth-authorization-server')],
      expect: [{ severity: 'high', variant: 'foreign-site', param: 'token_endpoint', count: 1 }],
    },
    {
      name: 'tenants of a shared host (github.io is a public suffix): another tenant is another site → high',
      observations: () => [md({ issuer: 'https://attacker.github.io', authorization_endpoint: 'https://attacker.github.io/auth', token_endpoint: 'https://victim-tool.github.io/token' }, 'https://attacker.github.io/.well-known/oauth-authorization-server')],
      expect: [{ severity: 'high', variant: 'foreign-site', param: 'token_endpoint', count: 1 }],
    },
    {
      name: "Google's documented endpoint host is Google's only: an issuer hosted on googleapis.com claiming it → high",
      observations: () => [md({ issuer: 'https://evil-bucket.storage.googleapis.com', authorization_endpoint: 'https://evil-bucket.storage.googleapis.com/auth', token_endpoint: 'https://oauth2.googleapis.com/token' }, 'https://evil-bucket.storage.googleapis.com/.well-known/oauth-authorization-server')],
      expect: [{ severity: 'high', variant: 'foreign-site', param: 'token_endpoint', count: 1 }],
    },
    {
      name: 'same site, other host → low',
      observations: () => [md({ ...base, token_endpoint: 'https://login.example/token', introspection_endpoint: 'https://api.as.example/introspect' })],
      expect: [{ severity: 'low', variant: 'same-site', param: 'introspection_endpoint' }],
    },
    {
      name: 'every client-authenticated endpoint kind is checked (device, CIBA)',
      observations: () => [md({ ...base, token_endpoint: 'https://as.example/token', device_authorization_endpoint: 'https://dev.other.example/device', backchannel_authentication_endpoint: 'https://ciba.other.example/bc' })],
      expect: [{ param: 'device_authorization_endpoint', severity: 'high' }, { param: 'backchannel_authentication_endpoint', severity: 'high' }],
    },
    {
      name: 'foreign PAR endpoint',
      observations: () => [md({ ...base, token_endpoint: 'https://as.example/token', pushed_authorization_request_endpoint: 'https://honest-as.example/par' })],
      expect: [{ severity: 'high', param: 'pushed_authorization_request_endpoint' }],
    },
    {
      name: 'foreign revocation and introspection endpoints',
      observations: () => [md({ ...base, token_endpoint: 'https://as.example/token', revocation_endpoint: 'https://honest-as.example/revoke', introspection_endpoint: 'https://honest-as.example/introspect' })],
      expect: [{ param: 'revocation_endpoint', severity: 'high' }, { param: 'introspection_endpoint', severity: 'high' }],
    },
  ],
});
