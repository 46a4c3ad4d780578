import { describe, expect, it } from 'vitest';
import { fetchRefusal, hostScope } from './fetch-policy';

describe('hostScope', () => {
  it.each([
    ['as.example.com', 'public'],
    ['8.8.8.8', 'public'],
    ['[2001:db8::1]', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.9.9.9', 'loopback'],
    ['localhost', 'loopback'],
    ['api.localhost', 'loopback'],
    ['[::1]', 'loopback'],
    ['[::ffff:7f00:1]', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['[fc00::1]', 'private'],
    ['[fd12:3456::1]', 'private'],
    ['169.254.169.254', 'link-local'],
    ['[fe80::1]', 'link-local'],
    ['0.0.0.0', 'reserved'],
    ['224.0.0.1', 'reserved'],
    ['printer.local', 'local-name'],
    ['vault.internal', 'local-name'],
    ['router.home.arpa', 'local-name'],
    ['intranet', 'local-name'],
  ])('%s is %s', (h, scope) => expect(hostScope(h)).toBe(scope));
  it('172.15 and 172.32 are public (the private block is 172.16/12)', () => {
    expect(hostScope('172.15.0.1')).toBe('public');
    expect(hostScope('172.32.0.1')).toBe('public');
  });
});

describe('fetchRefusal', () => {
  it('lets a public https URL through', () => {
    expect(fetchRefusal('https://accounts.example.com/.well-known/openid-configuration')).toBeUndefined();
  });
  it.each([
    ['http://127.0.0.1:8080/jwks', 'PRIVATE_HOST'],
    ['https://2130706433/.well-known/openid-configuration', 'PRIVATE_HOST'], // 127.0.0.1 written as a number
    ['https://0x7f.1/x', 'PRIVATE_HOST'],
    ['https://[::ffff:127.0.0.1]/x', 'PRIVATE_HOST'],
    ['https://169.254.169.254/latest/meta-data/', 'PRIVATE_HOST'],
    ['https://keys.corp.internal/jwks', 'PRIVATE_HOST'],
    ['http://as.example.com/.well-known/openid-configuration', 'NOT_HTTPS'],
    ['file:///etc/passwd', 'NOT_URL'],
    ['javascript:alert(1)', 'NOT_URL'],
    ['not a url', 'NOT_URL'],
  ])('refuses %s (%s)', (url, code) => expect(fetchRefusal(url)?.code).toBe(code));
  it('allowPrivate lets loopback and private hosts through, over http too; public http stays refused', () => {
    expect(fetchRefusal('http://127.0.0.1:8080/jwks', { allowPrivate: true })).toBeUndefined();
    expect(fetchRefusal('https://10.0.0.5/jwks', { allowPrivate: true })).toBeUndefined();
    expect(fetchRefusal('http://as.example.com/jwks', { allowPrivate: true })?.code).toBe('NOT_HTTPS');
  });
  it('an origin the user allowed is fetched whatever it is', () => {
    expect(fetchRefusal('http://127.0.0.1:8080/jwks', { allowedOrigins: ['http://127.0.0.1:8080'] })).toBeUndefined();
    expect(fetchRefusal('http://127.0.0.1:8081/jwks', { allowedOrigins: ['http://127.0.0.1:8080'] })?.code).toBe('PRIVATE_HOST');
  });
  it('a jwks_uri on another site than its issuer needs asking, unless the issuer owns that host', () => {
    const iss = { url: 'https://login.example.com' };
    expect(fetchRefusal('https://keys.example.com/jwks', {}, iss)).toBeUndefined();
    const r = fetchRefusal('https://evil.example.net/jwks', {}, iss);
    expect(r?.code).toBe('CROSS_SITE');
    expect(r?.origin).toBe('https://evil.example.net');
    expect(fetchRefusal('https://www.googleapis.com/oauth2/v3/certs', {}, { url: 'https://accounts.google.com', sameOwner: (h) => h === 'www.googleapis.com' })).toBeUndefined();
    expect(fetchRefusal('https://evil.example.net/jwks', { allowedOrigins: ['https://evil.example.net'] }, iss)).toBeUndefined();
  });
});
