import { AS, mcpFlow, RS } from '../../testing/mcp-scenarios';
import { testRule } from '../../testing/rule-tester';
import rule from './mcp-discovery-out-of-order';

const T = 'https://auth.example.com/tenant1';

testRule(rule, {
  valid: [
    { name: 'the spec order: the named PRM, then oauth-authorization-server', observations: () => mcpFlow() },
    { name: 'a 401 without resource_metadata: the well-known probes are right', observations: () => mcpFlow({ resourceMetadata: null }) },
    { name: 'metadata served from cache (no fetch seen)', observations: () => mcpFlow({ cachedDiscovery: true }) },
    { name: 'root issuer: oauth-authorization-server 404, then openid-configuration', observations: () => mcpFlow({ probes: [[`${AS}/.well-known/oauth-authorization-server`, 404], [`${AS}/.well-known/openid-configuration`, 200]] }) },
    {
      name: 'issuer with a path: all three in order',
      observations: () => mcpFlow({ as: T, probes: [[`${AS}/.well-known/oauth-authorization-server/tenant1`, 404], [`${AS}/.well-known/openid-configuration/tenant1`, 404], [`${T}/.well-known/openid-configuration`, 200]] }),
    },
  ],
  invalid: [
    { name: 'the client ignores the resource_metadata the 401 named', observations: () => mcpFlow({ resourceMetadata: `${RS}/meta/prm.json`, prmUrl: `${RS}/.well-known/oauth-protected-resource/mcp` }), expect: [{ severity: 'low', variant: 'resource-metadata-not-used' }] },
    { name: 'openid-configuration before oauth-authorization-server', observations: () => mcpFlow({ probes: [[`${AS}/.well-known/openid-configuration`, 404], [`${AS}/.well-known/oauth-authorization-server`, 200]] }), expect: [{ severity: 'low', variant: 'as-metadata-order' }] },
    { name: 'straight to the appended OIDC form for an issuer with a path', observations: () => mcpFlow({ as: T, probes: [[`${T}/.well-known/openid-configuration`, 200]] }), expect: [{ severity: 'low', variant: 'as-metadata-order', message: /without first trying/ }] },
    { name: 'the issuer in the metadata is not the one its URL implies, and the client went on', observations: () => mcpFlow({ asMetadata: { issuer: 'https://evil.example' } }), expect: [{ severity: 'low', variant: 'issuer-mismatch-continued' }] },
  ],
});
