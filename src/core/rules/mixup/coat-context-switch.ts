import { defineRule } from '../types';
import { crossAsTransplant, describeAs, requestEvidence } from '../support/mixup';
import { ref } from '../../report/standards';

/**
 * draft-02 §2.2 COAT: a state issued for one tool/AS context (redirect_uri U1) is replayed by that
 * AS into another AS's authorization request with another redirect_uri U2 of the same client.
 */
export default defineRule({
  meta: {
    id: 'coat-context-switch',
    title: "State transplanted into another authorization server's request",
    severity: 'critical',
    confidence: 'strong',
    references: [ref('OAUTH-SECURITY-UPDATE', '2.2'), ref('WUERTELE-02', '2.2'), ref('RFC9700', '4.4')],
    description:
      'An authorization request to AS2 carries the byte-identical state the client issued for AS1 (for a client that sends no state: its PKCE code_challenge, else its nonce, heuristic) with another redirect_uri of the same client (a per-tool or per-connection callback), and was reached from AS1: cross-tool OAuth account takeover (COAT). The client will redeem AS2\'s code in AS1\'s context.',
    tier: 1,
    on: ['authorization-request'],
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const m = crossAsTransplant(ctx);
    if (!m || m.sameRedirect) return;
    const b = m.binding;
    ctx.report({
      severity: m.severity,
      confidence: b.confidence,
      variant: m.implicit ? 'implicit' : undefined,
      message:
        `${b.What} first sent to ${describeAs(m.first)} (redirect_uri ${m.first.redirectUri}) reappeared in a request to ` +
        `${describeAs(m.current)} with redirect_uri ${m.current.redirectUri}, reached from ${m.prior.as.origin} (${m.current.via}). ` +
        `The response will land on the other tool's callback with a ${b.what} bound to the first context.` +
        (b.param !== 'state' ? ` The client sends no state: the ${b.what} binds the two requests into one flow.` : '') +
        (m.implicit ? ' The flow uses a token response_type: the access token itself is exposed.' : ''),
      evidence: [
        requestEvidence(m.first, b.param, `${b.what} issued for ${m.first.as.origin} with redirect_uri ${m.first.redirectUri}`),
        requestEvidence(m.current, 'redirect_uri', `same ${b.what} sent to ${m.current.as.origin} with redirect_uri ${m.current.redirectUri} (client_id ${m.current.clientId ?? '?'})`),
      ],
    });
  },
});
