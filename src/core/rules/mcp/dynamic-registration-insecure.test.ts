import { obs } from '../../testing/builders';
import { AS, mcpFlow } from '../../testing/mcp-scenarios';
import { testRule } from '../../testing/rule-tester';
import rule from './dynamic-registration-insecure';

/** 2026-08-02: 200 days after the builders' T0 */
const AFTER = 200 * 86400;
const register = (body: object) => obs(`${AS}/register`, { type: 'fetch', method: 'POST', body: JSON.stringify(body), status: 201, responseBody: { ...body, client_id: 'x1' } });

testRule(rule, {
  valid: [
    { name: 'an MCP client registering a loopback redirect URI with application_type', observations: () => mcpFlow() },
    { name: 'a registration outside MCP without application_type', observations: () => [register({ client_name: 'app', redirect_uris: ['https://app.example.com/cb'] })] },
    { name: 'an MCP client of revision 2025-06-18 without application_type (not required then)', observations: () => mcpFlow({ registration: { application_type: undefined }, protocolVersion: '2025-06-18' }) },
    { name: 'a pre-registered MCP client (no DCR) at an AS with CIMD support', observations: () => mcpFlow({ registration: null, clientId: 'preregistered', asMetadata: { client_id_metadata_document_supported: true } }) },
    { name: 'DCR at an AS without CIMD support', observations: () => mcpFlow({ protocolVersion: '2026-07-28', at: AFTER }) },
    { name: 'DCR at an AS with CIMD support, captured before 2026-07-28', observations: () => mcpFlow({ protocolVersion: '2026-07-28', asMetadata: { client_id_metadata_document_supported: true } }) },
  ],
  invalid: [
    { name: 'an http redirect URI on a public host', observations: () => [register({ client_name: 'app', redirect_uris: ['http://app.example.com/cb'] })], expect: [{ severity: 'low', variant: 'redirect-uri' }] },
    { name: 'a wildcard redirect URI', observations: () => [register({ client_name: 'app', redirect_uris: ['https://*.example.com/cb'] })], expect: [{ severity: 'low', variant: 'redirect-uri' }] },
    { name: 'an MCP client (latest revision) registering without application_type', observations: () => mcpFlow({ registration: { application_type: undefined }, protocolVersion: '2026-07-28' }), expect: [{ severity: 'low', variant: 'no-application-type', message: /2026-07-28/ }] },
    { name: 'no negotiated version: the latest revision applies', observations: () => mcpFlow({ registration: { application_type: undefined }, protocolVersion: 'none' }), expect: [{ severity: 'low', variant: 'no-application-type', message: /latest revision/ }] },
    { name: 'DCR while the AS accepts Client ID Metadata Documents → info', observations: () => mcpFlow({ protocolVersion: '2026-07-28', at: AFTER, asMetadata: { client_id_metadata_document_supported: true } }), expect: [{ severity: 'info', variant: 'dcr-deprecated' }] },
    { name: 'a Client ID Metadata Document client_id with a loopback redirect URI → info', observations: () => mcpFlow({ registration: null, clientId: 'https://client.example.com/oauth/metadata.json' }), expect: [{ severity: 'info', variant: 'cimd-loopback' }] },
  ],
});
