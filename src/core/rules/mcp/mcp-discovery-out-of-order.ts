import { asMetadataOrder, asMetadataProbe, compareResource } from '../../mcp/discovery';
import { DISCOVERY_TTL_MS } from '../../mcp/ledger';
import { mcpContext, mcpRevision, openingMcpFlow } from '../support/mcp';
import { ref } from '../../report/standards';
import { defineRule } from '../types';

/** MCP authorization 2026-07-28 "Protected Resource Metadata Discovery" and "Authorization Server Discovery". */
export default defineRule({
  meta: {
    id: 'mcp-discovery-out-of-order',
    title: 'MCP client does not discover as the spec orders',
    severity: 'low',
    confidence: 'strong',
    references: [ref('MCP-AUTH', 'Protected Resource Metadata Discovery'), ref('MCP-AUTH', 'Authorization Server Discovery'), ref('RFC9728', '3'), ref('RFC8414', '3.1')],
    description:
      'In an MCP flow, the client did not use the resource_metadata URL that the 401 named (it fetched another protected-resource metadata URL instead), probed the AS metadata in another order than the spec\'s (path-inserted oauth-authorization-server, then path-inserted openid-configuration, then openid-configuration appended) or at another URL, or went on with AS metadata whose issuer differs from the issuer its URL was built from. A 401 without resource_metadata (then the well-known probes are right) and metadata served from cache (no fetch seen) are not reported.',
    tier: 2,
    on: ['authorization-request'],
    vantage: ['DT', 'HAR'],
  },
  check(ctx) {
    const { msg } = ctx;
    const flow = openingMcpFlow(msg, ctx.flow);
    const c = mcpContext(ctx);
    if (!flow || !c || !msg.url) return;
    const t = msg.obs.time;
    const fresh = (x: number) => x <= t && t - x <= DISCOVERY_TTL_MS;
    const rev = mcpRevision(ctx);
    const mark = flow.mcp!;
    // 1. the resource_metadata URL of the 401 is the one to fetch
    const ch = c.challenges.slice().reverse().find((x) => fresh(x.time) && x.resourceMetadata !== undefined);
    if (ch) {
      const after = c.resourceDocs.filter((d) => d.time >= ch.time && fresh(d.time));
      if (after.length > 0 && !after.some((d) => d.url === ch.resourceMetadata)) {
        ctx.report({
          variant: 'resource-metadata-not-used',
          message: `The 401 from ${ch.origin} named resource_metadata ${ch.resourceMetadata}, but the client fetched ${after.map((d) => d.url).join(', ')} instead (${rev.note}: clients MUST use the URL the challenge names).`,
          evidence: [ctx.evidence(msg.obs, 'resource_metadata', `named: ${ch.resourceMetadata}`), { ...ch.ref, url: ctx.redactUrl(ch.url), param: 'WWW-Authenticate', note: '401 naming resource_metadata' }],
        });
      }
    }
    // 2. the AS metadata probes for the authorization server the resource named
    const entry = mark.authorizationServer;
    if (!entry) return;
    const order = asMetadataOrder(entry);
    const since = c.resourceDocs.find((d) => d.url === mark.resourceMetadata)?.time ?? 0;
    const forEntry = (url: string) => {
      const p = asMetadataProbe(url);
      return order.includes(url) || (p !== undefined && compareResource(p.issuer, entry) !== 'different');
    };
    const probes = c.asDocs.filter((d) => d.time >= since && fresh(d.time) && forEntry(d.url));
    const used = probes.slice().reverse().find((d) => d.ok && d.authorizationEndpoint?.split(/[?#]/)[0] === msg.url!.base);
    if (probes.length > 0 && used) {
      const positions = probes.filter((d) => d.time <= used.time).map((d) => order.indexOf(d.url));
      const usedAt = order.indexOf(used.url);
      let problem: string | undefined;
      if (usedAt < 0) problem = `used AS metadata from ${used.url}, which is none of the URLs the spec derives from ${entry} (${order.join(', ')})`;
      else if (positions.some((p, i) => i > 0 && p >= 0 && positions[i - 1] > p)) problem = `probed the AS metadata in the order ${probes.filter((d) => d.time <= used.time).map((d) => d.url).join(', ')}`;
      else if (order.slice(0, usedAt).some((u) => !probes.some((d) => d.url === u))) problem = `used ${used.url} without first trying ${order.slice(0, usedAt).filter((u) => !probes.some((d) => d.url === u)).join(', ')}`;
      if (problem) {
        ctx.report({
          variant: 'as-metadata-order',
          message: `The MCP client ${problem}; the spec's order is ${order.join(', ')} (${rev.note}).`,
          evidence: [ctx.evidence(msg.obs, 'authorization_servers', `AS ${entry}`), { url: used.url, note: 'the AS metadata the client used' }],
        });
      }
      // 3. metadata whose issuer is not the one its URL implies, and the client went on
      const implied = asMetadataProbe(used.url)?.issuer;
      if (implied && used.issuer !== undefined && compareResource(used.issuer, implied) === 'different') {
        ctx.report({
          variant: 'issuer-mismatch-continued',
          message: `The AS metadata at ${used.url} says issuer ${used.issuer}, not ${implied} (metadata-issuer-mismatch), and the MCP client went on to the authorization request anyway (${rev.note}: the client MUST reject it).`,
          evidence: [ctx.evidence(msg.obs, 'issuer', `metadata issuer ${used.issuer}`), { url: used.url, param: 'issuer', note: `implied ${implied}` }],
        });
      }
    }
  },
});
