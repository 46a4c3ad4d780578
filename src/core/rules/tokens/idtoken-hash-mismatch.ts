import { ruleToken } from '../../tokens/decode';
import { base64url, sha256 } from '../../util/sha256';
import { defineRule } from '../types';
import { ref } from '../../report/standards';

/** OIDC Core §3.3.2.11 / §3.2.2.10: left half of SHA-256 of the ASCII value, base64url. */
function leftHalfHash(value: string): string {
  const h = sha256(value);
  return base64url(h.slice(0, h.length / 2));
}

/** SHA-256 based algorithms only (the core has no synchronous SHA-384/512). */
const SHA256_ALGS = /^(RS|PS|ES|HS)256$/;

/** OIDC Core: at_hash / c_hash bind the front-channel ID token to the access token and code. */
export default defineRule({
  meta: {
    id: 'idtoken-hash-mismatch',
    title: 'ID token at_hash / c_hash does not match the response',
    severity: 'high',
    confidence: 'strong',
    references: [ref('OIDC-CORE', '3.3.2.11'), ref('OIDC-CORE', '3.2.2.10'), ref('RFC9700', '4.6.1')],
    description:
      "A front-channel ID token whose at_hash or c_hash is not the left half of the SHA-256 hash of the access token or code delivered with it (a swapped code or token); at_hash missing with response_type \"id_token token\" is medium.",
    tier: 2,
    on: ['authorization-response'],
    needs: { params: ['id_token'] },
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { msg } = ctx;
    if (ctx.replay) return;
    const idt = msg.params.get('id_token');
    if (!idt) return;
    const r = ruleToken(idt);
    if (!r || r.kind === 'JWE' || !r.payload || typeof r.payload !== 'object') return;
    const alg = typeof r.header.alg === 'string' ? r.header.alg : '';
    const p = r.payload;
    const pairs: [string, string, string | undefined][] = [
      ['at_hash', 'access_token', msg.params.get('access_token')],
      ['c_hash', 'code', msg.params.get('code')],
    ];
    for (const [claim, param, value] of pairs) {
      if (value === undefined) continue;
      const claimed = p[claim];
      if (claimed === undefined) {
        if (claim === 'at_hash') {
          ctx.report({
            severity: 'medium',
            variant: 'at-hash-missing',
            message: `The ID token delivered with an access token to ${msg.url?.base ?? ''} has no at_hash: the access token is not bound to it.`,
            evidence: [ctx.evidence(msg.obs, 'id_token', 'no at_hash', idt)],
          });
        }
        continue;
      }
      if (!SHA256_ALGS.test(alg)) continue;
      const expected = leftHalfHash(value);
      if (claimed !== expected) {
        ctx.report({
          variant: `${claim.replace('_', '-')}-mismatch`,
          message: `The ID token's ${claim} does not match the ${param} in the same response at ${msg.url?.base ?? ''}: the ${param} was swapped or injected.`,
          evidence: [ctx.evidence(msg.obs, param, `${claim} ${ctx.redact(String(claimed))} ≠ hash of ${param}`, value)],
        });
      }
    }
  },
});
