import { describe, expect, it } from 'vitest';
import { Engine } from '../engine';
import { bearerChallenge, prmImpliedResource, asMetadataOrder } from '../mcp/discovery';
import { obs, resetBuilders, run } from '../testing/builders';
import { mcpFlow, RS } from '../testing/mcp-scenarios';
import { classify } from './classify';

describe('MCP discovery messages', () => {
  it('classifies the 401 challenge, the PRM document and the registration; the token request stays one', () => {
    resetBuilders();
    const kinds: string[] = [];
    const engine = new Engine({ onMessage: (m) => kinds.push(m.kind) });
    for (const o of mcpFlow()) engine.push(o);
    expect(kinds.slice(0, 4)).toEqual(['resource-challenge', 'resource-metadata', 'metadata', 'client-registration']);
    expect(kinds).toContain('token-request');
    expect(kinds).toContain('authorization-request');
  });
  it('a 401 with Basic, or a token endpoint 401, is not a resource challenge', () => {
    expect(classify(obs(`${RS}/x`, { type: 'fetch', status: 401, responseHeaders: { 'WWW-Authenticate': 'Basic realm="x"' } })).kind).toBe('other');
    expect(classify(obs('https://as.example/token', { type: 'fetch', method: 'POST', form: { grant_type: 'refresh_token', refresh_token: 'r' }, status: 401, responseHeaders: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } })).kind).toBe('token-request');
  });
  it('marks the flow as MCP, with the discovered resource and the negotiated version; a classic flow is not marked', () => {
    resetBuilders();
    const { engine } = run(mcpFlow({ protocolVersion: '2025-11-25' }));
    const [flow] = engine.flows();
    expect(flow.mcp).toMatchObject({ via: 'resource-metadata', resource: `${RS}/mcp`, protocolVersion: '2025-11-25', requestedResource: `${RS}/mcp` });
    // the ledger survives the store's JSON round trip
    const again = new Engine({ state: JSON.parse(JSON.stringify(engine.toJSON())) });
    expect(again.store.mcp.ctx('tab:1')?.resourceDocs.length).toBe(1);
    expect(again.store.mcp.credentials.size).toBe(engine.store.mcp.credentials.size);
    resetBuilders();
    const classic = run(mcpFlow({ context: 'tab:2' }).filter((o) => o.status !== 401 && !o.url.includes('/.well-known/')));
    expect(classic.engine.flows()[0].mcp).toBeUndefined();
  });
  it('reads challenges and well-known URLs', () => {
    expect(bearerChallenge('Bearer error="invalid_token", resource_metadata="https://a.example/.well-known/oauth-protected-resource/mcp"', 'https://a.example/mcp')?.resourceMetadata).toBe('https://a.example/.well-known/oauth-protected-resource/mcp');
    expect(bearerChallenge('Basic realm="x", Bearer resource_metadata=/prm', 'https://a.example/mcp')?.resourceMetadata).toBe('https://a.example/prm');
    expect(bearerChallenge('Basic realm="x"', 'https://a.example/')).toBeUndefined();
    expect(prmImpliedResource('https://a.example/.well-known/oauth-protected-resource/mcp')).toBe('https://a.example/mcp');
    expect(prmImpliedResource('https://a.example/.well-known/oauth-protected-resource')).toBe('https://a.example');
    expect(asMetadataOrder('https://as.example/t1')).toEqual(['https://as.example/.well-known/oauth-authorization-server/t1', 'https://as.example/.well-known/openid-configuration/t1', 'https://as.example/t1/.well-known/openid-configuration']);
  });
});
