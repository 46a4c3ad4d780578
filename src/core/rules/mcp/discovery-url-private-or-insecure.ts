import { bearerChallenge, urlScope } from '../../mcp/discovery';
import { header } from '../../observe/observation';
import type { Severity } from '../../report/finding';
import { okResponse } from '../../tokens/sources';
import { hostScope } from '../../util/fetch-policy';
import { mcpRevision } from '../support/mcp';
import { ref } from '../../report/standards';
import { defineRule } from '../types';

const DANGEROUS = new Set(['javascript:', 'data:', 'file:', 'vbscript:', 'blob:']);

/** MCP security best practices (SSRF in discovery, authorization URL schemes); RFC 9728 §7; RFC 8414 §2. */
export default defineRule({
  meta: {
    id: 'discovery-url-private-or-insecure',
    title: 'Discovery points a client at a private, local or non-https URL',
    severity: 'medium',
    confidence: 'strong',
    references: [ref('MCP-AUTH', 'Security Considerations'), ref('RFC9728', '7'), ref('RFC8414', '2')],
    description:
      'A resource_metadata URL in a 401, an authorization_servers entry of protected-resource metadata, or an endpoint of the AS metadata an MCP client discovered that is not https, or whose host is loopback, private (RFC 1918, fc00::/7), link-local or a single-label/.local/.internal name, while the document was served from a public host: the client is steered into fetching intranet services (SSRF). High for the authorization_endpoint, which the client opens in a browser, and for any authorization_endpoint with a scheme such as javascript: or data:. A deployment entirely on loopback or a private network (development) is info.',
    tier: 2,
    on: ['resource-challenge', 'resource-metadata', 'metadata'],
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { msg, store } = ctx;
    if (!msg.url) return;
    const named: [string, string][] = [];
    if (msg.kind === 'resource-challenge') {
      const rm = bearerChallenge(header(msg.obs.responseHeaders, 'www-authenticate'), msg.obs.url)?.resourceMetadata;
      if (rm) named.push(['resource_metadata', rm]);
    } else if (msg.json && okResponse(msg)) {
      if (msg.kind === 'resource-metadata') {
        const as = msg.json.authorization_servers;
        if (Array.isArray(as)) for (const a of as) if (typeof a === 'string') named.push(['authorization_servers', a]);
        if (typeof msg.json.jwks_uri === 'string') named.push(['jwks_uri', msg.json.jwks_uri]);
      } else {
        // AS metadata: judged where a client reached it through protected-resource discovery
        if (!store.mcp.discovered(msg.obs.context, msg.obs.time)) return;
        for (const [k, v] of Object.entries(msg.json)) if ((k.endsWith('_endpoint') || k === 'jwks_uri') && typeof v === 'string') named.push([k, v]);
      }
    }
    if (named.length === 0) return;
    const docScope = hostScope(msg.url.hostname);
    const docPublic = docScope === 'public';
    const rev = mcpRevision(ctx);
    for (const [param, value] of named) {
      const s = urlScope(value);
      if (!s) continue;
      let severity: Severity | undefined;
      let why: string | undefined;
      if (param === 'authorization_endpoint' && DANGEROUS.has(s.scheme)) {
        severity = 'high';
        why = `has the scheme ${s.scheme} (a client opens it in a browser)`;
      } else if (s.scheme !== 'http:' && s.scheme !== 'https:') {
        severity = docPublic ? 'medium' : 'info';
        why = `has the scheme ${s.scheme}`;
      } else if (s.scope !== 'public') {
        severity = docPublic ? (param === 'authorization_endpoint' ? 'high' : 'medium') : 'info';
        why = `points at a ${s.scope} host`;
      } else if (!s.https) {
        severity = docPublic ? (param === 'authorization_endpoint' ? 'high' : 'medium') : 'info';
        why = 'is not https';
      }
      if (!severity || !why) continue;
      const where = msg.kind === 'resource-challenge' ? 'The 401 challenge' : msg.kind === 'resource-metadata' ? 'The protected-resource metadata' : 'The AS metadata a client discovered';
      ctx.report({
        severity,
        variant: severity === 'info' ? 'local-deployment' : s.scope !== 'public' ? 'private' : 'insecure',
        flowId: null,
        fingerprint: `${msg.url.origin}|${param}|${value}`,
        message: `${where} served by ${msg.url.origin} names ${param} ${value}, which ${why}${severity === 'info' ? ' (the document itself is served from a non-public host: a local deployment)' : ': a client that follows it is steered into fetching it (SSRF)'} (${rev.note}).`,
        evidence: [ctx.evidence(msg.obs, param, `${param}=${value}`)],
      });
    }
  },
});
