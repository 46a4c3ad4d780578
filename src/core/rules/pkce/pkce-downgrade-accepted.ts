import type { FlowView } from '../../flows/view';
import { parseUrl } from '../../util/url';
import { defineRule } from '../types';
import { acceptedToken, requestEvidence, sentChallenges } from '../support/token-exchange';
import { ref } from '../../report/standards';

/**
 * Is it known that no authorization request of the flow sent a code_challenge? The flow's
 * parameters must be known (visible, a decoded request object, or a captured PAR body), and every
 * later request that joined it by state must show its parameters in its URL (a form-POST request's
 * body is not kept on the flow).
 */
function knownWithoutChallenge(flow: FlowView): boolean {
  if (!flow.paramsKnown && !flow.pushed) return false;
  if (flow.codeChallenge !== undefined) return false; // an empty code_challenge= is not "absent" for the AS
  for (let i = 1; i < flow.requests.length; i++) {
    const u = parseUrl(flow.requests[i].url);
    if (!u || !u.query.has('client_id')) return false;
  }
  return sentChallenges(flow).length === 0;
}

/** RFC 9700 §4.8.2: an AS MUST reject a code_verifier for a code issued without a code_challenge. */
export default defineRule({
  meta: {
    id: 'pkce-downgrade-accepted',
    title: 'AS accepted a code_verifier for a code issued without PKCE',
    severity: 'high',
    confidence: 'strong',
    references: [ref('RFC9700', '4.8.2'), ref('RFC9700', '2.1.1'), ref('RFC7636', '4.6')],
    description:
      'The authorization request of a flow carried no code_challenge (its parameters are known), yet the token request that redeems its code sends a code_verifier and the AS answers 2xx with tokens: the AS does not tie the verifier to the code, so an attacker who strips the challenge from the authorization request (PKCE downgrade) can redeem a stolen code with any verifier (DT/HAR).',
    tier: 2,
    on: ['token-request'],
    needs: { params: ['code_verifier'] },
    vantage: ['DT', 'HAR'],
  },
  check(ctx) {
    const { msg, flow, store } = ctx;
    if (!flow || msg.params.get('grant_type') !== 'authorization_code') return;
    const verifier = msg.params.get('code_verifier');
    if (!verifier) return;
    if (!knownWithoutChallenge(flow)) return;
    if (!acceptedToken(msg)) return;
    const md = flow.as.source === 'metadata' ? store.metadata.get(flow.as.issuer) : undefined;
    const noPkceAs = md !== undefined && (md.codeChallengeMethods === undefined || md.codeChallengeMethods.length === 0);
    ctx.report({
      variant: 'no-challenge',
      message:
        `The AS at ${msg.url?.base} issued tokens for a code whose authorization request carried no code_challenge, although the token request sends a code_verifier: ` +
        'it accepts a verifier it cannot check, so an attacker who removes the challenge from the authorization request defeats PKCE (RFC 9700 §4.8.2).' +
        (noPkceAs ? ' The AS metadata advertises no code_challenge_methods_supported: it probably ignores PKCE altogether.' : ''),
      evidence: [
        ctx.evidence(msg.obs, 'code_verifier', 'sent for a code issued without a challenge; answered 2xx with tokens', verifier),
        requestEvidence(flow.requests[0], 'code_challenge', 'absent from the authorization request', undefined, (v) => ctx.redact(v)),
      ],
    });
  },
});
