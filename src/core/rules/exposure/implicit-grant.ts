import { defineRule } from '../types';

/** RFC 9700 §2.1.2: the implicit grant (response_type containing `token`) SHOULD NOT be used. */
export default defineRule({
  meta: {
    id: 'implicit-grant',
    title: 'Implicit grant: access token requested in the front channel',
    severity: 'high',
    confidence: 'strong',
    references: ['RFC 9700 §2.1.2'],
    description:
      'An authorization request whose response_type includes "token" (or an access_token delivered in a fragment): the access token travels through the browser and can leak or be injected.',
    tier: 1,
    on: ['authorization-request', 'authorization-response'],
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { msg } = ctx;
    if (ctx.replay) return;
    if (msg.kind === 'authorization-request') {
      if (!msg.paramsKnown) return;
      const rt = msg.params.get('response_type');
      if (rt === undefined) return;
      const parts = rt.split(/\s+/);
      if (parts.includes('token')) {
        ctx.report({
          message: `Authorization request to ${msg.url?.base} asks for response_type="${rt}": the access token is returned in the front channel.`,
          evidence: [ctx.evidence(msg.obs, 'response_type', `response_type=${rt}`)],
        });
      } else if (parts.includes('id_token') && parts.length === 1) {
        ctx.report({
          severity: 'low',
          message: `Authorization request to ${msg.url?.base} uses response_type=id_token (ID token only in the front channel).`,
          evidence: [ctx.evidence(msg.obs, 'response_type', 'response_type=id_token')],
          variant: 'id-token-only',
        });
      }
      return;
    }
    // an access token in a fragment whose request we did not see (or did not ask for it)
    if (msg.fragment.has('access_token') && !(ctx.flow?.responseType ?? '').split(/\s+/).includes('token')) {
      ctx.report({
        message: `An access token arrived in the fragment of ${msg.url?.base}: implicit-style delivery.`,
        evidence: [ctx.evidence(msg.obs, 'access_token', 'access_token in fragment', msg.fragment.get('access_token'))],
        variant: 'fragment-delivery',
      });
    }
  },
});
