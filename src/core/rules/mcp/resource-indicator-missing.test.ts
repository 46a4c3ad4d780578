import { obs, q, rand } from '../../testing/builders';
import { AS, mcpFlow, refresh, RS } from '../../testing/mcp-scenarios';
import { testRule } from '../../testing/rule-tester';
import rule from './resource-indicator-missing';

const plainAreq = () => [
  obs(`${AS}/authorize?${q({ response_type: 'code', client_id: 'web', redirect_uri: 'https://app.example.com/cb', state: rand('s'), code_challenge: rand('c', 43), code_challenge_method: 'S256' })}`),
];

testRule(rule, {
  valid: [
    { name: 'an MCP client that sends the discovered resource in both requests', observations: () => mcpFlow() },
    { name: 'a classic client without discovery and without resource', observations: plainAreq },
    { name: 'a classic client whose API calls get a 401 without resource_metadata', observations: () => [obs(`${RS}/api`, { type: 'fetch', status: 401, responseHeaders: { 'WWW-Authenticate': 'Bearer realm="api"' } }), ...plainAreq()] },
    { name: 'a refresh that carries the resource', observations: () => [...mcpFlow(), refresh(AS, rand('mcp-rt'), { resource: `${RS}/mcp` })] },
    { name: 'only a trailing slash differs (low)', observations: () => mcpFlow({ sendResource: `${RS}/mcp/` }), allow: ['low'] },
  ],
  invalid: [
    { name: 'the authorization request drops resource', observations: () => mcpFlow({ sendResource: null, tokenResource: `${RS}/mcp` }), expect: [{ severity: 'medium', variant: 'missing', message: /authorization request/ }] },
    { name: 'the token request drops resource', observations: () => mcpFlow({ tokenResource: null }), expect: [{ severity: 'medium', variant: 'missing', message: /token request/ }] },
    { name: 'the client asks for another resource than the one discovered', observations: () => mcpFlow({ sendResource: 'https://other.example.com/mcp' }), expect: [{ severity: 'medium', variant: 'differs' }] },
    { name: 'the token request asks for another resource than the authorization request', observations: () => mcpFlow({ tokenResource: 'https://mcp.example.com/other' }), expect: [{ severity: 'medium', variant: 'differs', message: /authorization request named/ }] },
    { name: 'a resource with a fragment', observations: () => mcpFlow({ sendResource: `${RS}/mcp#x` }), expect: [{ severity: 'medium', variant: 'malformed' }] },
    { name: 'a relative resource', observations: () => mcpFlow({ sendResource: '/mcp' }), expect: [{ severity: 'medium', variant: 'malformed' }] },
    { name: 'a refresh without resource at the discovered AS', observations: () => [...mcpFlow(), refresh(AS, rand('mcp-rt'))], expect: [{ severity: 'medium', variant: 'missing', message: /refresh/ }] },
    { name: 'the revision named is the negotiated one', observations: () => mcpFlow({ sendResource: null, protocolVersion: '2025-11-25' }), expect: [{ message: /MCP 2025-11-25 \(negotiated/ }] },
    { name: 'trailing slash only → low', observations: () => mcpFlow({ sendResource: `${RS}/mcp/` }), expect: [{ severity: 'low', variant: 'trailing-slash' }] },
  ],
});
