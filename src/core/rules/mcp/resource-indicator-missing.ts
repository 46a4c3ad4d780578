import { compareResource } from '../../mcp/discovery';
import { parseUrl } from '../../util/url';
import { mcpRevision, openingMcpFlow } from '../support/mcp';
import { ref } from '../../report/standards';
import { defineRule, type RuleContext } from '../types';

/** RFC 8707 §2: an absolute URI without a fragment. */
function malformed(r: string): string | undefined {
  const u = parseUrl(r);
  if (!u || !/^[a-z][a-z0-9+.-]*:/i.test(r)) return 'is not an absolute URI';
  if (u.hasFragment || r.includes('#')) return 'has a fragment';
  return undefined;
}

function judge(ctx: RuleContext, where: string, resource: string | undefined, discovered: string | undefined, requested?: string): void {
  const { msg } = ctx;
  const rev = mcpRevision(ctx);
  const ev = (note: string) => [ctx.evidence(msg.obs, 'resource', note)];
  if (resource === undefined) {
    ctx.report({ variant: 'missing', message: `The ${where} of an MCP flow carries no resource parameter (RFC 8707; required in both the authorization and the token request by ${rev.note}).`, evidence: ev(`discovered resource: ${discovered ?? '(not seen)'}`) });
    return;
  }
  const bad = malformed(resource);
  if (bad) {
    ctx.report({ variant: 'malformed', message: `The resource parameter of the ${where} ${bad} (RFC 8707 §2; ${rev.note}).`, evidence: ev(`resource=${resource}`) });
    return;
  }
  for (const [other, what] of [[requested, 'the authorization request'], [discovered, 'the protected-resource metadata']] as const) {
    if (other === undefined) continue;
    const c = compareResource(resource, other);
    if (c === 'same') continue;
    ctx.report({
      variant: c === 'slash' ? 'trailing-slash' : 'differs',
      severity: c === 'slash' ? 'low' : undefined,
      message: `The ${where} asks for resource ${resource}, but ${what} named ${other}${c === 'slash' ? ' (only a trailing slash differs)' : ''} (RFC 8707; ${rev.note}).`,
      evidence: ev(`${what}: ${other}`),
    });
    return;
  }
}

/** MCP authorization "Resource Parameter Implementation"; RFC 8707 §2. */
export default defineRule({
  meta: {
    id: 'resource-indicator-missing',
    title: 'MCP flow without a correct resource indicator',
    severity: 'medium',
    confidence: 'strong',
    references: [ref('RFC8707', '2'), ref('MCP-AUTH', 'Resource Parameter Implementation')],
    description:
      'In an MCP flow (the AS was reached through protected-resource discovery), the authorization request (or its pushed body) or the token request has no resource parameter, the two carry different values, or the value is not an absolute URI, has a fragment, or differs from the discovered protected resource. A trailing-slash-only difference is low. Clients without discovery are not judged.',
    tier: 2,
    on: ['authorization-request', 'par-request', 'token-request'],
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { msg, store } = ctx;
    if (msg.kind === 'authorization-request') {
      const flow = openingMcpFlow(msg, ctx.flow);
      if (!flow || !msg.paramsKnown || flow.pushed) return;
      judge(ctx, 'authorization request', msg.params.get('resource'), flow.mcp!.resource);
      return;
    }
    if (msg.kind === 'par-request') {
      if (!store.mcp.discovered(msg.obs.context, msg.obs.time)) return;
      judge(ctx, 'pushed authorization request', msg.params.get('resource'), undefined);
      return;
    }
    // token requests: the code's flow, or a refresh at an AS the context's discovery named
    const grant = msg.params.get('grant_type');
    if (grant === 'authorization_code' && ctx.flow?.mcp) {
      judge(ctx, 'token request', msg.params.get('resource'), ctx.flow.mcp.resource, ctx.flow.mcp.requestedResource);
    } else if (grant === 'refresh_token' && msg.url) {
      const c = store.mcp.ctx(msg.obs.context);
      const issuer = store.mcp.issuerOf(msg.url.base).issuer;
      const doc = c?.resourceDocs.slice().reverse().find((d) => d.time <= msg.obs.time && d.authorizationServers.some((a) => compareResource(a, issuer) !== 'different' || parseUrl(a)?.origin === msg.url!.origin));
      if (doc) judge(ctx, 'refresh token request', msg.params.get('resource'), doc.resource);
    }
  },
});
