import { revisionAtLeast } from '../../mcp/discovery';
import { isLoopbackHost, parseUrl } from '../../util/url';
import { mcpContext, mcpRevision, openingMcpFlow } from '../support/mcp';
import { ref } from '../../report/standards';
import { defineRule } from '../types';

/** the revision that requires application_type and deprecates DCR for Client ID Metadata Documents */
const SINCE = '2026-07-28';
const SINCE_MS = Date.UTC(2026, 6, 28);

function redirectProblem(uri: string): string | undefined {
  if (uri.includes('*')) return 'a wildcard';
  const u = parseUrl(uri);
  if (u && u.protocol === 'http:' && !isLoopbackHost(u.hostname)) return 'http on a non-loopback host';
  return undefined;
}

/** RFC 7591 §2; MCP client registration (DCR deprecated for Client ID Metadata Documents, application_type required). */
export default defineRule({
  meta: {
    id: 'dynamic-registration-insecure',
    title: 'Insecure or deprecated client registration',
    severity: 'low',
    confidence: 'strong',
    references: [ref('RFC7591', '2'), ref('MCP-AUTH', 'Client Registration Approaches'), ref('MCP-AUTH', 'Client ID Metadata Documents')],
    description:
      'A dynamic client registration (RFC 7591) whose redirect_uris include http on a non-loopback host or a wildcard, or that, in an MCP flow under revision 2026-07-28 or later, has no application_type. Info: an MCP client on or after 2026-07-28 that uses DCR at an AS advertising client_id_metadata_document_supported (DCR is deprecated there), and an authorization request whose client_id is a Client ID Metadata Document URL with a loopback redirect URI (anyone can present such a document: the MCP spec notes the impersonation risk).',
    tier: 2,
    on: ['client-registration', 'authorization-request'],
    vantage: ['DT', 'HAR'],
  },
  check(ctx) {
    const { msg, store } = ctx;
    if (msg.kind === 'authorization-request') {
      // a Client ID Metadata Document (an https client_id) of an MCP flow first: most requests parse nothing
      const clientId = msg.params.get('client_id');
      if (!clientId || !/^https:\/\//i.test(clientId)) return;
      const flow = openingMcpFlow(msg, ctx.flow);
      const ru = flow ? parseUrl(msg.params.get('redirect_uri') ?? '') : undefined;
      if (!flow || !ru || !isLoopbackHost(ru.hostname)) return;
      const rev = mcpRevision(ctx);
      ctx.report({
        severity: 'info',
        variant: 'cimd-loopback',
        confidence: 'heuristic',
        message: `The client_id ${clientId} is a Client ID Metadata Document whose redirect URI here is on loopback (${ru.origin}): any local application can present the same document, so the AS cannot tell this client from an impersonator (${rev.note}).`,
        evidence: [ctx.evidence(msg.obs, 'client_id', 'Client ID Metadata Document with a loopback redirect_uri')],
      });
      return;
    }
    const rev = mcpRevision(ctx);
    const body = msg.params;
    const uris = (() => {
      try {
        const v = JSON.parse(body.get('redirect_uris') ?? '[]') as unknown;
        return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
      } catch {
        return [];
      }
    })();
    for (const uri of uris) {
      const why = redirectProblem(uri);
      if (!why) continue;
      ctx.report({ variant: 'redirect-uri', flowId: null, message: `The client registration asks for the redirect URI ${uri}: ${why} (RFC 7591 §2, RFC 9700 §2.1).`, evidence: [ctx.evidence(msg.obs, 'redirect_uris', uri)] });
    }
    const o = msg.obs;
    if (!store.mcp.discovered(o.context, o.time) || !revisionAtLeast(rev.revision, SINCE)) return;
    if (!body.has('application_type')) {
      ctx.report({ variant: 'no-application-type', flowId: null, message: `The MCP client registers without application_type (required by ${rev.note}; RFC 7591 with OIDC Registration's application_type: native or web decides which redirect URIs the AS accepts).`, evidence: [ctx.evidence(o, 'application_type', '(none)')] });
    }
    const cimd = mcpContext(ctx)?.asDocs.some((d) => d.ok && d.cimdSupported === true && d.registrationEndpoint !== undefined && d.registrationEndpoint.split(/[?#]/)[0] === msg.url?.base);
    if (cimd && o.time >= SINCE_MS) {
      ctx.report({ severity: 'info', variant: 'dcr-deprecated', flowId: null, message: `DCR is deprecated; this AS accepts Client ID Metadata Documents (client_id_metadata_document_supported) (${rev.note}).`, evidence: [ctx.evidence(o, 'registration_endpoint', 'the AS advertises client_id_metadata_document_supported')] });
    }
  },
});
