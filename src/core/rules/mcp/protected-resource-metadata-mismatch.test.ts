import { obs } from '../../testing/builders';
import { mcpFlow, RS } from '../../testing/mcp-scenarios';
import { testRule } from '../../testing/rule-tester';
import rule from './protected-resource-metadata-mismatch';

const prm = (url: string, body: object, status = 200) => obs(url, { type: 'fetch', status, responseBody: body });

testRule(rule, {
  valid: [
    { name: 'the honest MCP server: resource = the URL the document was built from', observations: () => mcpFlow() },
    { name: 'root resource at the root well-known URL', observations: () => [prm(`${RS}/.well-known/oauth-protected-resource`, { resource: RS, authorization_servers: ['https://auth.example.com'] })] },
    { name: 'a custom resource_metadata URL on the resource server itself', observations: () => mcpFlow({ resourceMetadata: `${RS}/meta/prm.json` }) },
    { name: 'a 404 body is not metadata', observations: () => [prm(`${RS}/.well-known/oauth-protected-resource/mcp`, { resource: 'https://evil.example/mcp' }, 404)] },
    { name: 'only a trailing slash differs (low)', observations: () => [prm(`${RS}/.well-known/oauth-protected-resource`, { resource: `${RS}/` })], allow: ['low'] },
  ],
  invalid: [
    {
      name: 'the same document fetched again (a client reconnecting): one finding each',
      observations: () => [1, 2, 3].flatMap(() => [prm(`${RS}/.well-known/oauth-protected-resource/mcp`, { resource: `${RS}/admin` }), prm(`${RS}/.well-known/oauth-protected-resource/x`, { authorization_servers: ['https://auth.example.com'] })]),
      expect: [
        { severity: 'high', variant: 'mismatch', count: 1 },
        { severity: 'high', variant: 'missing', count: 1 },
      ],
    },
    {
      name: 'the URL claiming another resource later: a finding each',
      observations: () => [prm(`${RS}/.well-known/oauth-protected-resource/mcp`, { resource: `${RS}/admin` }), prm(`${RS}/.well-known/oauth-protected-resource/mcp`, { resource: `${RS}/other` })],
      expect: [{ severity: 'high', variant: 'mismatch', count: 2 }],
    },
    { name: 'the document claims another resource', observations: () => mcpFlow({ resource: 'https://bank-mcp.example.org/mcp' }), expect: [{ severity: 'high', variant: 'mismatch', param: 'resource' }] },
    { name: 'same origin, another path', observations: () => [prm(`${RS}/.well-known/oauth-protected-resource/mcp`, { resource: `${RS}/admin` })], expect: [{ severity: 'high', variant: 'mismatch' }] },
    {
      name: "a rogue server's 401 names another server's metadata",
      observations: () => mcpFlow({ rs: 'https://rogue-mcp.example', resourceMetadata: `${RS}/.well-known/oauth-protected-resource/mcp`, resource: `${RS}/mcp` }),
      expect: [{ severity: 'high', variant: 'other-resource-server', message: /rogue-mcp\.example/ }],
    },
    { name: 'no resource at all', observations: () => [prm(`${RS}/.well-known/oauth-protected-resource/mcp`, { authorization_servers: ['https://auth.example.com'] })], expect: [{ severity: 'high', variant: 'missing' }] },
    { name: 'trailing slash only → low', observations: () => [prm(`${RS}/.well-known/oauth-protected-resource`, { resource: `${RS}/` })], expect: [{ severity: 'low', variant: 'trailing-slash' }] },
  ],
});
