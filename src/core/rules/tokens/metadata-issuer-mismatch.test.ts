import { obs } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './metadata-issuer-mismatch';

const md = (url: string, issuer: unknown, status = 200) => obs(url, { type: 'fetch', status, responseBody: issuer === undefined ? { authorization_endpoint: 'https://x/a' } : { issuer, authorization_endpoint: 'https://x/a' } });

testRule(rule, {
  valid: [
    { name: 'OIDC at the root', observations: () => [md('https://as.example/.well-known/openid-configuration', 'https://as.example')] },
    { name: 'OIDC appended form with a path (Keycloak realm)', observations: () => [md('https://sso.example.com/realms/r1/.well-known/openid-configuration', 'https://sso.example.com/realms/r1')] },
    { name: 'RFC 8414 §3.1 path insertion', observations: () => [md('https://as.example/.well-known/oauth-authorization-server/tenant1', 'https://as.example/tenant1')] },
    { name: 'RFC 8414 name in the appended form (common deployment)', observations: () => [md('https://as.example/tenant1/.well-known/oauth-authorization-server', 'https://as.example/tenant1')] },
    { name: "Entra's templated issuer at /common", observations: () => [md('https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration', 'https://login.microsoftonline.com/{tenantid}/v2.0')] },
    { name: 'a 404 body is not metadata', observations: () => [md('https://as.example/.well-known/openid-configuration', 'https://evil.example', 404)] },
    { name: 'trailing slash only is low', observations: () => [md('https://as.example/.well-known/openid-configuration', 'https://as.example/')], allow: ['low'] },
    { name: 'a query on the metadata URL is not part of the issuer', observations: () => [md('https://as.example/.well-known/openid-configuration?appid=123', 'https://as.example')] },
    { name: 'Entra tenant GUID issuer', observations: () => [md('https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0/.well-known/openid-configuration', 'https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0')] },
  ],
  invalid: [
    {
      name: "the same document fetched again (the client's next logins): one finding",
      observations: () => [1, 2, 3].map(() => md('https://attacker.example/.well-known/openid-configuration', 'https://honest-as.example')),
      expect: [{ severity: 'high', variant: 'mismatch', count: 1 }],
    },
    {
      name: 'the URL serving another wrong issuer later: a finding each',
      observations: () => [md('https://attacker.example/.well-known/openid-configuration', 'https://as1.example'), md('https://attacker.example/.well-known/openid-configuration', 'https://as2.example'), md('https://attacker.example/.well-known/openid-configuration', 'https://as1.example')],
      expect: [{ severity: 'high', variant: 'mismatch', count: 2 }],
    },
    { name: 'issuer on another host', observations: () => [md('https://attacker.example/.well-known/openid-configuration', 'https://honest-as.example')], expect: [{ severity: 'high', variant: 'mismatch', param: 'issuer' }] },
    { name: 'issuer with another path', observations: () => [md('https://as.example/.well-known/oauth-authorization-server/t1', 'https://as.example/t2')], expect: [{ severity: 'high', message: /https:\/\/as\.example\/t1/ }] },
    { name: 'root URL but issuer claims a tenant path', observations: () => [md('https://as.example/.well-known/openid-configuration', 'https://as.example/tenant')], expect: [{ severity: 'high' }] },
    { name: 'no issuer at all', observations: () => [md('https://as.example/.well-known/openid-configuration', undefined)], expect: [{ severity: 'high', variant: 'missing' }] },
    { name: 'trailing-slash difference → low', observations: () => [md('https://as.example/.well-known/openid-configuration', 'https://as.example/')], expect: [{ severity: 'low', variant: 'trailing-slash' }] },
    { name: 'http issuer for an https metadata URL', observations: () => [md('https://as.example/.well-known/openid-configuration', 'http://as.example')], expect: [{ severity: 'high' }] },
    {
      // one text, parsed once (the same document object): the verdict kept with it is its first URL's
      name: 'the same document fetched again from another URL is judged for that URL',
      observations: () => [md('https://as.example/.well-known/openid-configuration', 'https://as.example'), md('https://attacker.example/.well-known/openid-configuration', 'https://as.example'), md('https://as.example/.well-known/openid-configuration', 'https://as.example')],
      expect: [{ severity: 'high', variant: 'mismatch', message: /attacker\.example/ }],
    },
    { name: 'templated issuer on another host', observations: () => [md('https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration', 'https://evil.example/{tenantid}/v2.0')], expect: [{ severity: 'high' }] },
  ],
});
