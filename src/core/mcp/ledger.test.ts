import { describe, expect, it } from 'vitest';
import { obs, resetBuilders } from '../testing/builders';
import { fastHash, hashSecret } from '../util/secret';
import { bearerKey, credentialKey, McpLedger } from './ledger';

describe('McpLedger', () => {
  it('stays bounded: contexts, entries per context, credentials', () => {
    resetBuilders();
    const l = new McpLedger();
    for (let i = 0; i < 300; i++) {
      l.observe(obs(`https://rs${i}.example/mcp`, { context: `tab:${i}`, type: 'fetch', status: 401, responseHeaders: { 'WWW-Authenticate': `Bearer resource_metadata="https://rs${i}.example/.well-known/oauth-protected-resource/mcp"` } }));
    }
    expect([...Array(300).keys()].filter((i) => l.ctx(`tab:${i}`)).length).toBeLessThanOrEqual(200);
    for (let i = 0; i < 100; i++) l.observe(obs('https://rs.example/mcp', { context: 'tab:x', type: 'fetch', status: 401, responseHeaders: { 'WWW-Authenticate': 'Bearer resource_metadata="https://rs.example/prm"' } }));
    expect(l.ctx('tab:x')!.challenges.length).toBeLessThanOrEqual(40);
    for (let i = 0; i < 2100; i++) l.observe(obs('https://as.example/token', { type: 'fetch', method: 'POST', form: { grant_type: 'refresh_token', refresh_token: `rt-${i}` } }));
    expect(l.credentials.size).toBeLessThanOrEqual(2000);
  });
  it('keeps secrets as hashes only', () => {
    resetBuilders();
    const l = new McpLedger();
    l.observe(obs('https://as.example/token', { type: 'fetch', method: 'POST', form: { grant_type: 'refresh_token', refresh_token: 'rt-SECRET-value-123', client_secret: 'cs-SECRET-456' }, responseBody: { access_token: 'at-SECRET', refresh_token: 'rt2-SECRET' } }));
    const batch = { set: {} as Record<string, string>, remove: [] as string[] };
    l.flush(batch);
    const text = JSON.stringify(batch);
    expect(text).toContain('mcp:cred:');
    expect(text).not.toMatch(/SECRET/);
    expect(l.credentials.size).toBe(3);
  });
  it('a 401 of another scheme, or a challenge without resource_metadata, names no document', () => {
    resetBuilders();
    const l = new McpLedger();
    l.observe(obs('https://rs.example/a', { type: 'fetch', status: 401, responseHeaders: { 'WWW-Authenticate': 'Basic realm="x"' } }));
    expect(l.ctx('tab:1')).toBeUndefined();
    const b = obs('https://rs.example/b', { type: 'fetch', status: 401, responseHeaders: { 'WWW-Authenticate': 'Bearer realm="x"' } });
    l.observe(b);
    expect(l.ctx('tab:1')?.challenges).toHaveLength(1);
    expect(l.discovered('tab:1', b.time)).toBe(false);
    const c = obs('https://rs.example/c', { type: 'fetch', status: 401, responseHeaders: { 'WWW-Authenticate': 'Bearer resource_metadata="https://rs.example/prm"' } });
    l.observe(c);
    expect(l.discovered('tab:1', c.time)).toBe(true);
  });
  it('keys credentials and bearer tokens by their equality keys (fastHash), never by a value', () => {
    resetBuilders();
    const l = new McpLedger();
    const jwt = `eyJhbGciOiJSUzI1NiJ9.${'p'.repeat(600)}.${'s'.repeat(342)}`;
    l.observe(obs('https://as.example/token', { type: 'fetch', method: 'POST', form: { grant_type: 'refresh_token', refresh_token: 'rt-1', client_secret: 'cs-1' }, responseBody: { access_token: 'at', refresh_token: 'rt-2' } }));
    l.observe(obs('https://api.example/v1/me', { type: 'fetch', headers: { Authorization: `Bearer ${jwt}` } }));
    expect([...l.credentials.keys()].sort()).toEqual([`client_secret:${fastHash('cs-1')}`, `refresh_token:${fastHash('rt-1')}`, `refresh_token:${fastHash('rt-2')}`].sort());
    expect(credentialKey('refresh_token', 'rt-2')).toBe(`refresh_token:${fastHash('rt-2')}`);
    expect(l.credentials.get(credentialKey('refresh_token', 'rt-2'))?.[0].how).toBe('issued');
    expect([...l.bearers.keys()]).toEqual([fastHash(jwt)]);
    expect(l.bearers.get(bearerKey(jwt))?.[0].origin).toBe('https://api.example');
  });
  it('drops keys saved in the former format (SHA-256 prefixes) on restore, and from the journal at the next flush', () => {
    const use = { kind: 'refresh_token', issuer: 'https://as.example', known: false, endpoint: 'https://as.example/token', obsId: 'o1', ref: { input: 0, entry: 0 }, time: 1, how: 'sent' };
    const bearer = { origin: 'https://api.example', obsId: 'o2', ref: { input: 0, entry: 1 }, time: 2 };
    const entries = {
      [`mcp:cred:refresh_token:${hashSecret('rt-old')}`]: [0, [use]],
      [`mcp:cred:refresh_token:${fastHash('rt-new')}`]: [1, [use]],
      'mcp:cred:assertion-client:c1|k1': [2, [{ ...use, kind: 'client_assertion' }]],
      [`mcp:bearer:${hashSecret('at-old')}`]: [3, [bearer]],
      [`mcp:bearer:${fastHash('at-new')}`]: [4, [bearer]],
    };
    const l = new McpLedger();
    l.restore(entries);
    expect([...l.credentials.keys()]).toEqual([`refresh_token:${fastHash('rt-new')}`, 'assertion-client:c1|k1']);
    expect([...l.bearers.keys()]).toEqual([fastHash('at-new')]);
    expect(l.credentials.get(credentialKey('refresh_token', 'rt-new'))).toHaveLength(1);
    const batch = { set: {} as Record<string, string>, remove: [] as string[] };
    l.flush(batch);
    expect(batch.remove.sort()).toEqual([`mcp:bearer:${hashSecret('at-old')}`, `mcp:cred:refresh_token:${hashSecret('rt-old')}`]);
    expect(Object.keys(batch.set)).toEqual([]);
  });
});
