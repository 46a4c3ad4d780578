import { tryDecodeToken } from '../../tokens/decode';
import { audienceCheck } from '../../tokens/findings';
import { jwtSources, requestClientId } from '../../tokens/sources';
import { defineRule } from '../types';
import { ref } from '../../report/standards';

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
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { msg } = ctx;
    if (ctx.replay) return;
    const clientId =
      msg.kind === 'token-request' ? (ctx.flow?.clientId ?? requestClientId(msg)) : ctx.flow?.clientId;
    if (!clientId) return;
    for (const src of jwtSources(msg)) {
      if (src.use !== 'id_token') continue;
      const r = tryDecodeToken(src.value);
      if (!r || !r.payload || typeof r.payload !== 'object') continue;
      const f = audienceCheck(r.payload, clientId);
      if (!f) continue;
      const where = src.inResponse ? `in the token response from ${msg.url?.base ?? ''}` : `delivered to ${msg.url?.base ?? ''}`;
      ctx.report({
        severity: f.severity,
        variant: f.variant,
        message: `${f.message} (ID token ${where}${ctx.flow ? `, flow ${ctx.flow.id}` : ''})`,
        evidence: [
          ctx.evidence(msg.obs, src.param, `aud ${JSON.stringify(r.payload.aud ?? null)}${r.payload.azp !== undefined ? `, azp ${JSON.stringify(r.payload.azp)}` : ''}; client_id ${clientId}`, src.value),
        ],
      });
    }
  },
});
