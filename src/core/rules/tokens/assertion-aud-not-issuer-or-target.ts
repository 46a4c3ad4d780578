import { assertionAudiences, normUrl, type AudienceAnalysis } from '../../tokens/assertion-audience';
import type { TokenDraft } from '../support/token-place';
import { defineRule } from '../types';
import { ref } from '../../report/standards';

/** The verdict on one assertion's audience analysis (also the token view's, tokens/warnings.ts). */
export function audNotIssuerDraft(an: AudienceAnalysis, param: string): TokenDraft | undefined {
  if (!an.issuer) return undefined; // issuer must be known from metadata, not the origin fallback
  if (an.problems.some((p) => p.severity !== 'low')) return undefined; // audience-injection reports it
  const ok = new Set([normUrl(an.issuer), normUrl(an.receivingUrl)]);
  const bad = an.auds.filter((x) => !ok.has(normUrl(x) ?? `\u0000${x}`));
  if (an.auds.length === 0 || bad.length === 0) return undefined;
  return { messageId: 'not-issuer', data: { param, receivingUrl: an.receivingUrl, audText: JSON.stringify(an.audRaw), issuer: an.issuer } };
}

/** draft-02 §2.1.2.1–2.1.2.2, rfc7523bis: the audience should be the issuer or the exact endpoint. */
export default defineRule({
  meta: {
    id: 'assertion-aud-not-issuer-or-target',
    title: "Client assertion audience is neither the AS's issuer nor the receiving endpoint",
    severity: 'medium',
    confidence: 'strong',
    references: [ref('OAUTH-SECURITY-UPDATE', '2.1.2.1'), ref('WUERTELE-02', '2.1.2.1'), ref('OAUTH-SECURITY-UPDATE', '2.1.2.2'), ref('WUERTELE-02', '2.1.2.2'), ref('RFC10070')],
    description:
      "The receiving AS's issuer is known from its metadata and a client assertion's aud is neither that issuer nor the exact URL of the endpoint that receives it (at the token endpoint, the token endpoint counts as the exact target). Not reported when audience-injection fires on the same assertion.",
    tier: 2,
    on: ['par-request', 'client-auth-request', 'token-request'],
    needs: { params: ['client_assertion', 'assertion'] },
    vantage: ['DT', 'HAR'],
    messages: {
      'not-issuer': 'The {param} sent to {receivingUrl} has aud {audText}; use the issuer "{issuer}" (or the exact endpoint URL).',
    },
  },
  check(ctx) {
    const { msg } = ctx;
    if (ctx.replay) return;
    for (const { an, ...a } of assertionAudiences(msg, ctx.store.metadata.values())) {
      const d = audNotIssuerDraft(an, a.param);
      if (!d) continue;
      ctx.report({ ...d, evidence: [ctx.evidence(msg.obs, a.param, `aud ${JSON.stringify(an.audRaw)}; issuer ${an.issuer}`, a.value)] });
    }
  },
});
