import { assertionAudiences, type AudienceAnalysis } from '../../tokens/assertion-audience';
import type { TokenDraft } from '../support/token-place';
import { defineRule } from '../types';
import { ref } from '../../report/standards';

/** The verdicts on one assertion's audience analysis (also the token view's, tokens/warnings.ts). */
export function audienceInjectionDrafts(an: AudienceAnalysis, param: string): (TokenDraft & { note: string })[] {
  const audText = JSON.stringify(an.audRaw);
  const at = `${an.receivingUrl} (${an.kind} endpoint${an.issuer ? `, issuer ${an.issuer}` : ''})`;
  return an.problems.map((p) => ({
    severity: p.severity,
    variant: p.variant,
    messageId: p.variant,
    data: { param, at, aud: p.aud, audText, count: an.auds.length, receivingUrl: an.receivingUrl },
    note: `${p.variant}; aud ${audText}; received by ${an.receivingUrl}${an.issuer ? ` (issuer ${an.issuer})` : ''}`,
  }));
}

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
    needs: { params: ['client_assertion', 'assertion'] },
    vantage: ['DT', 'HAR'],
    messages: {
      foreign: 'The {param} sent to {at} has aud "{aud}" on another origin than the receiving AS: it can be replayed there.',
      'token-endpoint-elsewhere': 'The {param} sent to {at} has aud = the token endpoint "{aud}" rather than the issuer or {receivingUrl}: an AS that claims this token endpoint can replay it there.',
      multi: 'The {param} sent to {at} has {count} audiences {audText}; a single audience is required.',
      'single-element-array': 'The {param} sent to {at} carries its audience as a one-element array {audText}; use a single string.',
    },
  },
  check(ctx) {
    const { msg } = ctx;
    if (ctx.replay) return;
    for (const { an, ...a } of assertionAudiences(msg, ctx.store.metadata.values())) {
      for (const { note, ...d } of audienceInjectionDrafts(an, a.param)) {
        ctx.report({ ...d, evidence: [ctx.evidence(msg.obs, a.param, note, a.value)] });
      }
    }
  },
});
