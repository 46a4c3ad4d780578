import { ruleToken, type JsonObject } from '../../tokens/decode';
import { audienceCheck } from '../../tokens/findings';
import { jwtSources, requestClientId } from '../../tokens/sources';
import type { TokenDraft, TokenPlace } from '../support/token-place';
import { defineRule } from '../types';
import { ref } from '../../report/standards';

/** The verdict on one ID token's claims for a client (also the token view's, tokens/warnings.ts). */
export function idTokenAudienceDraft(payload: JsonObject, clientId: string, at: TokenPlace, flowId?: string): TokenDraft | undefined {
  const f = audienceCheck(payload, clientId);
  if (!f) return undefined;
  const where = `${at.inResponse ? `in the token response from ${at.url}` : `delivered to ${at.url}`}${flowId ? `, flow ${flowId}` : ''}`;
  return { severity: f.severity, variant: f.variant, messageId: f.variant!, data: { ...f.data, where } };
}

/**
 * OIDC Core §3.1.3.7 items 3–5: the ID token's aud must contain the client's client_id, and azp,
 * when present, should be the client_id. Decoded without verification: claims are read, never used
 * to suppress anything.
 */
export default defineRule({
  meta: {
    id: 'id-token-aud-mismatch',
    title: 'ID token audience does not match the client',
    severity: 'high',
    confidence: 'strong',
    references: [ref('OIDC-CORE', '3.1.3.7')],
    description:
      'An ID token (front channel or token response) whose aud lacks the client_id of the flow it arrived in, or whose azp names another client. A multi-valued aud without azp, or a cross-client token (aud = client_id, azp = another client), is low.',
    tier: 1,
    on: ['authorization-response', 'token-request'],
    needs: { jwt: true },
    vantage: ['BG', 'DT', 'HAR'],
    messages: {
      'aud-missing': 'The ID token has no usable "aud" claim; it must contain the client_id "{clientId}". (ID token {where})',
      'aud-lacks-client': 'The ID token\'s aud {aud} does not contain the client_id "{clientId}": it was issued to another client. (ID token {where})',
      'azp-other-client': 'The ID token\'s azp "{azp}" differs from the client_id "{clientId}" (aud is the client alone: a cross-client token). (ID token {where})',
      'azp-mismatch': 'The ID token\'s azp "{azp}" differs from the client_id "{clientId}" (aud {aud}). (ID token {where})',
      'multi-aud-no-azp': 'The ID token has several audiences {aud} and no azp claim. (ID token {where})',
    },
  },
  check(ctx) {
    const { msg } = ctx;
    if (ctx.replay) return;
    const clientId =
      msg.kind === 'token-request' ? (ctx.flow?.clientId ?? requestClientId(msg)) : ctx.flow?.clientId;
    if (!clientId) return;
    const sources = jwtSources(msg);
    for (let i = 0; i < sources.length; i++) {
      const src = sources[i];
      if (src.use !== 'id_token') continue;
      const r = ruleToken(src.value, true); // a compact JWS (jwtSources)
      if (!r || !r.payload || typeof r.payload !== 'object') continue;
      if (!audienceCheck(r.payload, clientId)) continue; // the usual case: nothing to word
      const d = idTokenAudienceDraft(r.payload, clientId, { ...src, url: msg.url?.base ?? '' }, ctx.flow?.id);
      if (!d) continue;
      ctx.report({
        ...d,
        evidence: [
          ctx.evidence(msg.obs, src.param, `aud ${JSON.stringify(r.payload.aud ?? null)}${r.payload.azp !== undefined ? `, azp ${JSON.stringify(r.payload.azp)}` : ''}; client_id ${clientId}`, src.value),
        ],
      });
    }
  },
});
