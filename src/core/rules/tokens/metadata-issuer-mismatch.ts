import { issuerMismatchCheck } from '../../tokens/metadata-audit';
import { okResponse } from '../../tokens/sources';
import { defineRule } from '../types';
import { ref } from '../../report/standards';

/** RFC 8414 §3.3, OIDC Discovery §4.3: the issuer must be the one the metadata URL was built from. */
export default defineRule({
  meta: {
    id: 'metadata-issuer-mismatch',
    title: 'AS metadata issuer differs from the URL it was fetched from',
    severity: 'high',
    confidence: 'strong',
    references: [ref('RFC8414', '3.3'), ref('OIDC-DISCOVERY', '4.3')],
    description:
      'The issuer value of a metadata document differs from the issuer implied by its URL (RFC 8414 §3.1 path insertion, or the OIDC appended form). Templated issuers (Entra {tenantid}) match as patterns; a trailing-slash-only difference is low.',
    tier: 1,
    on: ['metadata'],
    vantage: ['DT', 'HAR'],
  },
  check(ctx) {
    const { msg } = ctx;
    if (!msg.json || !msg.url || !okResponse(msg)) return;
    const f = issuerMismatchCheck(msg.json, msg.url.href);
    if (!f) return;
    ctx.report({
      severity: f.severity,
      variant: f.variant,
      message: f.message,
      flowId: null,
      evidence: [ctx.evidence(msg.obs, 'issuer', `issuer=${String(msg.json.issuer ?? '(none)')}`)],
    });
  },
});
