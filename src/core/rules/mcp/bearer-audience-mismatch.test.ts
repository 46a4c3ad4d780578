import { obs } from '../../testing/builders';
import { AS, jwt, mcpFlow, RS } from '../../testing/mcp-scenarios';
import { testRule } from '../../testing/rule-tester';
import rule from './bearer-audience-mismatch';

const call = (url: string, token: string, context = 'tab:1') => obs(url, { context, type: 'fetch', method: 'POST', body: '{}', headers: { Authorization: `Bearer ${token}` } });
const at = (aud: unknown) => jwt({ iss: AS, aud, sub: 'alice', exp: 1_768_474_800, iat: 1_768_471_200 });

testRule(rule, {
  valid: [
    { name: 'the token goes to the resource it names', observations: () => mcpFlow() },
    { name: 'a path-prefix audience', observations: () => [call(`${RS}/mcp/v2/tools`, at(`${RS}/mcp`))] },
    { name: 'non-URL audiences (api, a GUID)', observations: () => [call('https://api.example.com/v1', at(['api', '00000003-0000-0000-c000-000000000000']))] },
    { name: 'graph.microsoft.com token sent to graph.microsoft.com', observations: () => [call('https://graph.microsoft.com/v1.0/me', at('https://graph.microsoft.com'))] },
    { name: "the AS's own userinfo endpoint", observations: () => [call(`${AS}/userinfo`, at('https://client.example.com/app'))] },
    { name: 'an opaque token sent to two sites', observations: () => [call(`${RS}/mcp`, 'opaque-token-value-0123456789'), call('https://other.example.org/mcp', 'opaque-token-value-0123456789')] },
    { name: 'a two-audience token sent to both', observations: () => [call(`${RS}/mcp`, at([`${RS}/mcp`, 'https://files.example.org/api'])), call('https://files.example.org/api/x', at([`${RS}/mcp`, 'https://files.example.org/api']))] },
  ],
  invalid: [
    { name: "a token for one MCP server sent to another (passthrough)", observations: () => [call('https://rogue.example.net/mcp', at(`${RS}/mcp`))], expect: [{ severity: 'medium', variant: 'audience', param: 'Authorization' }] },
    { name: 'one token with a non-URL audience sent to two sites', observations: () => [call(`${RS}/mcp`, at('mcp')), call('https://other.example.org/mcp', at('mcp'))], expect: [{ severity: 'medium', variant: 'two-resources' }] },
  ],
});
