import { defineRule } from '../types';
import { crossAsTransplant, describeAs, requestEvidence } from '../support/mixup';
import { ref } from '../../report/standards';

/**
 * RFC 9700 §4.4.1 mix-up: the state the client sent to AS1 reappears, reached from AS1, in an
 * authorization request to another AS with the SAME redirect_uri (one shared redirect URI).
 */
export default defineRule({
  meta: {
    id: 'mixup-as-switch',
    title: "State sent to one authorization server reappears at another with the same redirect URI",
    severity: 'critical',
    confidence: 'strong',
    references: [ref('RFC9700', '4.4.1'), ref('OAUTH-SECURITY-UPDATE', '2.2'), ref('WUERTELE-02', '2.2')],
    description:
      'An authorization request to AS2 carries the byte-identical state the client issued for AS1 (for a client that sends no state: its PKCE code_challenge, else its nonce, heuristic) and the same redirect_uri, and was reached from AS1 within 60 seconds: AS1 forwarded the user (mix-up attack). The code AS2 issues will be sent to AS1.',
    tier: 1,
    on: ['authorization-request'],
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const m = crossAsTransplant(ctx);
    if (!m || !m.sameRedirect) return;
    const clientNote = m.current.clientId !== m.first.clientId ? ` with client_id switched from ${m.first.clientId} to ${m.current.clientId}` : '';
    const b = m.binding;
    ctx.report({
      severity: m.severity,
      confidence: b.confidence,
      variant: m.implicit ? 'implicit' : undefined,
      message:
        `${b.What} first sent to ${describeAs(m.first)} reappeared in a request to ${describeAs(m.current)}${clientNote}, ` +
        `with the same redirect_uri ${m.current.redirectUri}, reached from ${m.prior.as.origin} (${m.current.via}). ` +
        `The authorization response will come back to the client as if it were from ${m.first.as.origin}.` +
        (b.param !== 'state' ? ` The client sends no state: the ${b.what} binds the two requests into one flow.` : '') +
        (m.implicit ? ' The flow uses a token response_type: the access token itself is exposed.' : ''),
      evidence: [
        requestEvidence(m.first, b.param, `${b.what} issued for ${m.first.as.origin} (client_id ${m.first.clientId ?? '?'})`),
        requestEvidence(m.current, b.param, `same ${b.what} sent to ${m.current.as.origin} (client_id ${m.current.clientId ?? '?'}), reached via ${m.current.via} from ${m.prior.as.origin}`),
      ],
    });
  },
});
