import { assertionAudiences } from '../../tokens/assertion-audience';
import { defineRule } from '../types';
import { ref } from '../../report/standards';

/**
 * draft-02 §2.1 audience injection: a client assertion whose aud is a token endpoint (sent to a
 * non-token endpoint), a foreign origin, or several values, can be replayed at another AS.
 */
export default defineRule({
  meta: {
    id: 'audience-injection',
    title: 'Client assertion audience open to audience injection',
    severity: 'high',
    confidence: 'strong',
    references: [ref('OAUTH-SECURITY-UPDATE', '2.1.1'), ref('WUERTELE-02', '2.1.1'), ref('OAUTH-SECURITY-UPDATE', '2.1.2'), ref('WUERTELE-02', '2.1.2'), ref('OAUTH-SECURITY-UPDATE', '2.1.2.3'), ref('RFC7519', '4.1.3')],
    description:
      'A client_assertion (or jwt-bearer assertion) sent to a PAR, revocation, introspection, CIBA or device endpoint with aud = a token endpoint URL (high), with an aud on a foreign origin that is neither the receiving endpoint\'s nor its issuer\'s (critical), or with several aud values (high).',
    tier: 1,
    on: ['par-request', 'client-auth-request', 'token-request'],
    vantage: ['DT', 'HAR'],
  },
  check(ctx) {
    const { msg } = ctx;
    if (ctx.replay) return;
    for (const { an, kind, ...a } of assertionAudiences(msg, ctx.store.metadata.values())) {
      const audText = JSON.stringify(an.audRaw);
      const at = `${an.receivingUrl} (${kind} endpoint${an.issuer ? `, issuer ${an.issuer}` : ''})`;
      for (const p of an.problems) {
        const message =
          p.variant === 'foreign'
            ? `The ${a.param} sent to ${at} has aud "${p.aud}" on another origin than the receiving AS: it can be replayed there.`
            : p.variant === 'token-endpoint-elsewhere'
              ? `The ${a.param} sent to ${at} has aud = the token endpoint "${p.aud}" rather than the issuer or ${an.receivingUrl}: an AS that claims this token endpoint can replay it there.`
              : p.variant === 'multi'
                ? `The ${a.param} sent to ${at} has ${an.auds.length} audiences ${audText}; a single audience is required.`
                : `The ${a.param} sent to ${at} carries its audience as a one-element array ${audText}; use a single string.`;
        ctx.report({
          severity: p.severity,
          variant: p.variant,
          message,
          evidence: [ctx.evidence(msg.obs, a.param, `${p.variant}; aud ${audText}; received by ${an.receivingUrl}${an.issuer ? ` (issuer ${an.issuer})` : ''}`, a.value)],
        });
      }
    }
  },
});
