import type { FlowView } from '../../flows/view';
import { hashSecret } from '../../util/secret';
import { defineRule } from '../types';
import { ref } from '../../report/standards';

const asksForToken = (f: FlowView | undefined) => (f?.responseType ?? '').split(/\s+/).includes('token');

/** RFC 9700 §2.1.2: the implicit grant (response_type containing `token`) SHOULD NOT be used. */
export default defineRule({
  meta: {
    id: 'implicit-grant',
    title: 'Implicit grant: access token requested in the front channel',
    severity: 'high',
    confidence: 'strong',
    references: [ref('RFC9700', '2.1.2'), ref('RFC10017')],
    description:
      'An authorization request whose response_type includes "token" (or an access_token delivered in a fragment): the access token travels through the browser and can leak or be injected.',
    tier: 1,
    // 'any': an access_token in any fragment counts (§1.F), also where the URL is not recognisable
    // as an authorization response (no state, no known flow)
    on: 'any',
    // an 'other' message: an access token in the fragment
    prefilter: { urlParams: ['access_token'] },
    // an OAuth message: an authorization request's response_type, or an access token in the fragment
    needs: { params: ['response_type'], urlParams: ['access_token'] },
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { msg } = ctx;
    if (ctx.replay) return;
    if (msg.kind === 'authorization-request') {
      if (!msg.paramsKnown) return;
      const rt = msg.params.get('response_type');
      if (rt === undefined || rt === 'code') return; // (the usual one: no list to split)
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
    // an access token in a fragment whose request we did not see (or did not ask for it).
    // Hot path: one indexOf per observation; the fragment is parsed only when it can match.
    const href = msg.obs.url;
    const hash = href.indexOf('#');
    if (hash < 0 || href.indexOf('access_token', hash) < 0 || !msg.url) return;
    const at = msg.fragment.get('access_token');
    if (!at) return;
    if (asksForToken(ctx.flow)) return; // the request's own finding covers it
    if (!ctx.flow) {
      // not linked (e.g. the SPA's route after the response): a token flow of this client in this tab covers it
      for (const f of ctx.store.flows.values()) if (f.context === msg.obs.context && f.client === msg.url.origin && asksForToken(f)) return;
    }
    ctx.report({
      message: `An access token arrived in the fragment of ${msg.url.base}: implicit-style delivery.`,
      evidence: [ctx.evidence(msg.obs, 'access_token', 'access_token in fragment', at)],
      variant: 'fragment-delivery',
      fingerprint: `fragment:${hashSecret(at)}`,
    });
  },
});
