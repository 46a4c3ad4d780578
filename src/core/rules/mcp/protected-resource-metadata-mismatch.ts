import { compareResource, prmImpliedResource } from '../../mcp/discovery';
import { okResponse } from '../../tokens/sources';
import { hashSecret } from '../../util/secret';
import { originOf, stripFragment } from '../../util/url';
import { mcpContext, mcpRevision } from '../support/mcp';
import { ref } from '../../report/standards';
import { defineRule } from '../types';

/** RFC 9728 §3.3: the `resource` value MUST be identical to the URL the document was built from. */
export default defineRule({
  meta: {
    id: 'protected-resource-metadata-mismatch',
    title: 'Protected-resource metadata names another resource',
    severity: 'high',
    confidence: 'strong',
    references: [ref('RFC9728', '3.3'), ref('RFC9728', '7.3'), ref('MCP-AUTH', 'Protected Resource Metadata Discovery')],
    description:
      'A protected-resource metadata document (RFC 9728) whose resource differs from the resource identifier its well-known URL was built from (path insertion, §3.1), whose resource is on another origin than the resource server whose 401 named the document, or that has no resource at all. A client that uses it lets one server claim another server\'s authorization servers and tokens. A trailing-slash-only difference is low.',
    tier: 2,
    on: ['resource-metadata'],
    vantage: ['DT', 'HAR'],
  },
  check(ctx) {
    const { msg } = ctx;
    if (!msg.json || !msg.url || !okResponse(msg)) return;
    const rev = mcpRevision(ctx);
    const url = stripFragment(msg.obs.url);
    const resource = msg.json.resource;
    if (typeof resource !== 'string' || !resource) {
      // (each finding: one per document URL and what it says, in a tab or HAR page: a client may
      // fetch the document again at every connection; hashed, as a URL can carry a secret and
      // findings are saved)
      ctx.report({ variant: 'missing', fingerprint: hashSecret(url), flowId: null, message: `The protected-resource metadata at ${ctx.redactUrl(url)} has no resource value (RFC 9728 §2: REQUIRED; ${rev.note}).`, evidence: [ctx.evidence(msg.obs, 'resource', '(none)')] });
      return;
    }
    const implied = prmImpliedResource(url);
    if (implied !== undefined) {
      const c = compareResource(resource, implied);
      if (c !== 'same') {
        ctx.report({
          variant: c === 'slash' ? 'trailing-slash' : 'mismatch',
          fingerprint: hashSecret(`${url}|${resource}`),
          severity: c === 'slash' ? 'low' : undefined,
          flowId: null,
          message: `The protected-resource metadata fetched for ${implied} says resource=${resource}${c === 'slash' ? ' (only a trailing slash differs)' : ''}; RFC 9728 §3.3 requires them identical, and a client must not use the document (${rev.note}).`,
          evidence: [ctx.evidence(msg.obs, 'resource', `fetched for ${implied}`, undefined)],
        });
        if (c !== 'slash') return;
      }
    }
    // the 401 that named this document: its resource server must be the resource
    const ch = mcpContext(ctx)?.challenges.slice().reverse().find((x) => x.resourceMetadata === url && x.time <= msg.obs.time);
    if (ch && originOf(resource) !== ch.origin) {
      ctx.report({
        variant: 'other-resource-server',
        fingerprint: hashSecret(`${url}|${resource}|${ch.origin}`),
        flowId: null,
        message: `The resource server ${ch.origin} answered 401 naming this protected-resource metadata, but the document describes ${resource} (another origin): a server claims another resource's metadata, and tokens for that resource (RFC 9728 §3.3, §7.3; ${rev.note}).`,
        evidence: [ctx.evidence(msg.obs, 'resource', `401 from ${ch.origin}`), { ...ch.ref, url: ctx.redactUrl(ch.url), param: 'resource_metadata', note: 'the 401 naming the document' }],
      });
    }
  },
});
