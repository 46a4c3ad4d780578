import type { FlowView } from '../../flows/view';
import { hashSecret } from '../../util/secret';
import { defineRule } from '../types';
import { requestParams } from '../support/request-params';
import { requestEvidence, sentChallenges } from '../support/token-exchange';
import { ref } from '../../report/standards';

/** RFC 7636 Appendix B: the example verifier's S256 challenge (doc placeholder, G7). */
export const RFC7636_EXAMPLE_CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
/** ...and its verifier, which a client copying the example sends as a plain challenge */
const RFC7636_EXAMPLE_VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';

/** Two flows are one transaction family when one brokers the other (G1) or they share a state. */
function related(a: FlowView, b: FlowView): boolean {
  return a.id === b.id || a.parent === b.id || b.parent === a.id;
}

/** RFC 9700 §2.1.1: the code_challenge MUST be transaction-specific (a fresh verifier per request). */
export default defineRule({
  meta: {
    id: 'pkce-challenge-reused',
    title: 'PKCE code_challenge reused across authorization requests',
    severity: 'high',
    confidence: 'strong',
    references: [ref('RFC9700', '2.1.1'), ref('RFC7636', '4.1'), ref('RFC7636', 'Appendix B')],
    description:
      'The same code_challenge is sent in two authorization flows with different states, or the challenge is the RFC 7636 Appendix B example: the verifier is not transaction-specific, so a code stolen or injected from one transaction is redeemable with the verifier of another (or with a published verifier).',
    tier: 2,
    on: ['authorization-request'],
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { msg, flow, store } = ctx;
    const get = requestParams(ctx); // visible parameters, or the pushed body of a PAR request_uri
    if (ctx.replay || !get || !flow) return;
    const challenge = get('code_challenge');
    if (!challenge) return;
    if (challenge === RFC7636_EXAMPLE_CHALLENGE || challenge === RFC7636_EXAMPLE_VERIFIER) {
      ctx.report({
        variant: 'rfc7636-example',
        fingerprint: hashSecret(challenge),
        message: `The request to ${msg.url?.base} uses the RFC 7636 Appendix B example ${challenge === RFC7636_EXAMPLE_VERIFIER ? 'verifier as its challenge' : 'challenge'}: its verifier is published, so anyone holding a code of this client can redeem it.`,
        evidence: [ctx.evidence(msg.obs, 'code_challenge', 'the RFC 7636 Appendix B example value', challenge)],
      });
      return;
    }
    if (!flow.state) return; // the spec compares flows with different states; without one, reuse is not told from a re-request
    // the flows that sent this challenge (an index over every request's challenge), oldest first
    for (const other of store.flows.withSentChallenge(challenge)) {
      if (related(other, flow) || !other.state || other.state.hash === flow.state.hash) continue;
      if (other.codeChallenge !== challenge && (other.requests.length < 2 || !sentChallenges(other).some((c) => c.challenge === challenge))) continue;
      const sent = sentChallenges(other).find((c) => c.challenge === challenge);
      ctx.report({
        variant: 'reused',
        fingerprint: hashSecret(challenge),
        message: `The request to ${msg.url?.base} sends the same code_challenge as an earlier authorization request (another flow, with a different state${other.context !== flow.context ? ', in another tab' : ''}): the PKCE verifier is not fresh per transaction, so a code from one transaction can be redeemed with the verifier of the other.`,
        evidence: [
          ctx.evidence(msg.obs, 'code_challenge', 'challenge sent again with a new state', challenge),
          requestEvidence((sent ?? { request: other.requests[0] }).request, 'code_challenge', 'first sent here', challenge, (v) => ctx.redact(v)),
        ],
      });
      return;
    }
  },
});
