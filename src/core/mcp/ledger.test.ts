import { describe, expect, it } from 'vitest';
import { obs, resetBuilders } from '../testing/builders';
import { McpLedger } from './ledger';

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
});
