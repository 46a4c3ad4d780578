import { defineRule } from '../types';
import { acceptedToken, requestEvidence, sentChallenges, verifierMatches } from '../support/token-exchange';
import { ref } from '../../report/standards';

/** RFC 7636 §4.6: the AS MUST compare the verifier with the challenge and reject a mismatch. */
export default defineRule({
  meta: {
    id: 'pkce-verifier-mismatch-accepted',
    title: 'AS issued tokens for a code_verifier that does not match the code_challenge',
    severity: 'critical',
    confidence: 'strong',
    references: [ref('RFC7636', '4.6'), ref('RFC9700', '2.1.1')],
    description:
      'A token request redeems the code of a flow whose authorization request sent a code_challenge, with a code_verifier that does not match it (BASE64URL(SHA256(verifier)) for S256, the verifier itself for plain), and the AS answers 2xx with tokens: the AS does not verify PKCE, so a stolen or injected code is redeemable without the verifier. An S256 challenge redeemed with the challenge itself as verifier (a plain downgrade) is the variant challenge-as-verifier (DT/HAR).',
    tier: 2,
    on: ['token-request'],
    needs: { params: ['code_verifier'] },
    vantage: ['DT', 'HAR'],
  },
  check(ctx) {
    const { msg, flow } = ctx;
    if (!flow || msg.params.get('grant_type') !== 'authorization_code') return;
    const verifier = msg.params.get('code_verifier');
    if (!verifier) return; // no verifier: pkce-downgrade-accepted / pkce-missing territory
    const sent = sentChallenges(flow);
    if (sent.length === 0) return; // no challenge sent, or the parameters are unknown (PAR/JWE)
    if (!acceptedToken(msg)) return; // rejected, or the reply is not visible: nothing was accepted
    // any request of the flow whose challenge this verifier satisfies, or a method we cannot judge
    let plainDowngrade: (typeof sent)[number] | undefined;
    for (const c of sent) {
      const r = verifierMatches(verifier, c);
      if (r === 'match' || r === 'unknown-method') return;
      if (r === 'challenge-as-verifier') plainDowngrade ??= c;
    }
    const first = { c: plainDowngrade ?? sent[0] };
    const method = first.c.method || '(none: plain)';
    ctx.report({
      variant: plainDowngrade ? 'challenge-as-verifier' : 'mismatch',
      message: plainDowngrade
        ? `The AS at ${msg.url?.base} issued tokens for a code whose authorization request used code_challenge_method=S256, although the code_verifier is the challenge itself: it accepts the public challenge as a plain verifier, so anyone who saw the authorization request can redeem the code.`
        : `The AS at ${msg.url?.base} issued tokens although the code_verifier does not match the code_challenge (method ${method}) sent in the flow's authorization request: it does not verify PKCE, so a stolen or injected code is redeemable without the verifier.`,
      evidence: [
        ctx.evidence(msg.obs, 'code_verifier', plainDowngrade ? 'equals the S256 challenge; answered 2xx with tokens' : 'does not match the challenge; answered 2xx with tokens', verifier),
        requestEvidence(first.c.request, 'code_challenge', `sent with method ${method}`, first.c.challenge, (v) => ctx.redact(v)),
      ],
    });
  },
});
