import { obs } from '../../testing/builders';
import { asMetadataDoc, AS, mcpFlow, RS } from '../../testing/mcp-scenarios';
import { testRule } from '../../testing/rule-tester';
import rule from './discovery-url-private-or-insecure';

const challenge = (rs: string, rm: string) => obs(`${rs}/mcp`, { type: 'fetch', method: 'POST', body: '{}', status: 401, responseHeaders: { 'WWW-Authenticate': `Bearer resource_metadata="${rm}"` } });
const prm = (url: string, body: object) => obs(url, { type: 'fetch', responseBody: body });

testRule(rule, {
  valid: [
    { name: 'the honest deployment: https on public hosts', observations: () => mcpFlow() },
    { name: 'the whole deployment on loopback (development) is info', observations: () => mcpFlow({ rs: 'http://127.0.0.1:3000', as: 'http://localhost:9000' }), allow: ['info'] },
    { name: 'OIDC metadata of a classic client (no discovery) is not judged here', observations: () => [obs(`${AS}/.well-known/openid-configuration`, { type: 'fetch', responseBody: asMetadataDoc(AS, { userinfo_endpoint: 'http://10.1.2.3/userinfo' }) })] },
    { name: 'a 401 without resource_metadata', observations: () => [obs(`${RS}/mcp`, { type: 'fetch', status: 401, responseHeaders: { 'WWW-Authenticate': 'Bearer realm="mcp"' } })] },
  ],
  invalid: [
    { name: 'a public server names a PRM document on a private address', observations: () => [challenge(RS, 'http://10.0.0.5/.well-known/oauth-protected-resource')], expect: [{ severity: 'medium', variant: 'private', param: 'resource_metadata', message: /10\.0\.0\.5/ }] },
    { name: 'protected-resource metadata names a link-local AS (cloud metadata service)', observations: () => [prm(`${RS}/.well-known/oauth-protected-resource/mcp`, { resource: `${RS}/mcp`, authorization_servers: ['http://169.254.169.254/latest'] })], expect: [{ severity: 'medium', param: 'authorization_servers' }] },
    { name: 'an .internal AS name', observations: () => [prm(`${RS}/.well-known/oauth-protected-resource/mcp`, { resource: `${RS}/mcp`, authorization_servers: ['https://auth.corp.internal'] })], expect: [{ severity: 'medium', variant: 'private' }] },
    { name: 'a plain-http AS on a public host', observations: () => [prm(`${RS}/.well-known/oauth-protected-resource/mcp`, { resource: `${RS}/mcp`, authorization_servers: ['http://auth.example.com'] })], expect: [{ severity: 'medium', variant: 'insecure' }] },
    { name: 'discovered AS metadata with a javascript: authorization_endpoint', observations: () => mcpFlow({ asMetadata: { authorization_endpoint: 'javascript:alert(document.domain)//' } }), expect: [{ severity: 'high', param: 'authorization_endpoint' }] },
    { name: 'discovered AS metadata with a private token endpoint', observations: () => mcpFlow({ asMetadata: { token_endpoint: 'https://192.168.1.10/token' } }), expect: [{ severity: 'medium', param: 'token_endpoint' }] },
    { name: 'a private authorization_endpoint is high', observations: () => mcpFlow({ asMetadata: { authorization_endpoint: 'http://10.0.0.5/authorize' } }), expect: [{ severity: 'high', param: 'authorization_endpoint' }] },
    { name: 'local deployment → info', observations: () => [challenge('http://127.0.0.1:3000', 'http://10.0.0.5/prm')], expect: [{ severity: 'info', variant: 'local-deployment' }] },
  ],
});
