import { mcpContext, mcpRevision, openingMcpFlow } from '../support/mcp';
import { ref } from '../../report/standards';
import { defineRule } from '../types';

/** MCP authorization: clients MUST refuse to proceed when code_challenge_methods_supported is absent. */
export default defineRule({
  meta: {
    id: 'pkce-not-advertised-continued',
    title: 'MCP client went on although the AS does not advertise PKCE',
    severity: 'medium',
    confidence: 'strong',
    references: [ref('MCP-AUTH', 'Authorization Code Protection'), ref('RFC8414', '2')],
    description:
      'In an MCP flow, the AS metadata the client fetched in the same context has no code_challenge_methods_supported, and the client still sent the authorization request. The MCP spec requires the client to refuse: without the advertisement it cannot know the AS enforces PKCE.',
    tier: 2,
    on: ['authorization-request'],
    vantage: ['DT', 'HAR'],
  },
  check(ctx) {
    const { msg } = ctx;
    const flow = openingMcpFlow(msg, ctx.flow);
    if (!flow || !msg.url) return;
    const base = msg.url.base;
    const doc = mcpContext(ctx)?.asDocs.slice().reverse().find((d) => d.ok && d.time <= msg.obs.time && d.authorizationEndpoint !== undefined && d.authorizationEndpoint.split(/[?#]/)[0] === base);
    if (!doc || doc.pkceAdvertised !== false) return;
    const rev = mcpRevision(ctx);
    ctx.report({
      message: `The AS metadata at ${doc.url} has no code_challenge_methods_supported, and the MCP client still started authorization at ${base}${flow.codeChallenge ? ' (it sent a code_challenge, but cannot know the AS checks it)' : ''} (${rev.note}: the client MUST refuse to proceed).`,
      evidence: [ctx.evidence(msg.obs, 'code_challenge', `metadata: ${doc.url}`), { url: doc.url, note: 'AS metadata without code_challenge_methods_supported' }],
    });
  },
});
