import { obs, q, rand } from '../../testing/builders';
import { asMetadataDoc, AS, mcpFlow } from '../../testing/mcp-scenarios';
import { testRule } from '../../testing/rule-tester';
import rule from './pkce-not-advertised-continued';

testRule(rule, {
  valid: [
    { name: 'the AS advertises S256', observations: () => mcpFlow() },
    { name: 'a classic client at an AS without the advertisement (no discovery)', observations: () => [obs(`${AS}/.well-known/oauth-authorization-server`, { type: 'fetch', responseBody: asMetadataDoc(AS, { code_challenge_methods_supported: undefined }) }), obs(`${AS}/authorize?${q({ response_type: 'code', client_id: 'web', redirect_uri: 'https://app.example.com/cb', state: rand('s') })}`)] },
    { name: 'metadata served from cache (no AS metadata fetch seen)', observations: () => mcpFlow({ cachedDiscovery: true }) },
  ],
  invalid: [
    { name: 'the MCP client goes on without code_challenge_methods_supported', observations: () => mcpFlow({ asMetadata: { code_challenge_methods_supported: undefined } }), expect: [{ severity: 'medium', param: 'code_challenge', message: /MUST refuse/ }] },
    { name: 'an empty list counts as absent', observations: () => mcpFlow({ asMetadata: { code_challenge_methods_supported: [] } }), expect: [{ severity: 'medium' }] },
  ],
});
