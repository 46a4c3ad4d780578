import { defineRule } from '../types';
import { crossAsEvidence, requestEvidence, responseIssuers } from './shared';

/**
 * RFC 9207 §2.4: a client MUST reject responses without iss from an AS that supports it. Fires when
 * AS1 is known to send iss (metadata or provider table), or when the flow's state went to several
 * ASes (a mix-up in progress the client cannot notice without iss).
 */
export default defineRule({
  meta: {
    id: 'mixup-iss-missing',
    title: 'Authorization response without iss where one is required',
    severity: 'high',
    confidence: 'strong',
    references: ['RFC 9207 §2.4', 'RFC 9700 §4.4.2'],
    description:
      'An authorization response (error responses included) carries no iss parameter, ID token or JARM although the AS the flow started at supports RFC 9207, or although the flow\'s state was sent to two or more authorization servers.',
    tier: 1,
    on: ['authorization-response'],
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { flow, msg } = ctx;
    if (!flow || ctx.replay) return;
    const names = responseIssuers(ctx);
    if (names.param !== undefined || names.idToken !== undefined || names.jarm !== undefined) return;
    const first = flow.requests[0];
    if (!first) return;
    const as1 = first.as;
    const crossAs = crossAsEvidence(flow, ctx);
    // (a) needs every AS the client itself sent this state to to be known to send iss (a user who
    // restarted at a provider without RFC 9207 support may be answered by that one)
    const issued = ctx.store.clientIssued(flow).map((r) => r.as);
    if (as1.sendsIss && issued.every((a) => a.sendsIss || !ctx.store.differentAs(a, as1))) {
      ctx.report({
        variant: 'as-supports-iss',
        message: `${as1.issuer} sends the RFC 9207 iss parameter (known from ${as1.source === 'metadata' ? 'its metadata' : 'the provider table'}), but this response to ${msg.url?.base} has none: AS1 did not mint it as it is (forged or mixed up).`,
        evidence: [requestEvidence(first, 'state', `flow started at ${as1.issuer}`), ctx.evidence(msg.obs, 'iss', 'no iss, ID token or JARM in the response')],
      });
    } else if (crossAs) {
      const others = flow.requests.filter((r) => ctx.store.differentAs(as1, r.as)).map((r) => r.as.origin);
      ctx.report({
        variant: 'cross-as-flow',
        message: `This flow's state was sent to ${as1.origin} and to ${[...new Set(others)].join(', ')}; the response carries no iss, so the client cannot tell which AS answered.`,
        evidence: [requestEvidence(first, 'state', `state sent to ${as1.origin}`), ctx.evidence(msg.obs, 'iss', 'no iss in the response')],
      });
    }
  },
});
