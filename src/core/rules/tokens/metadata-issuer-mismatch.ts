import type { JsonObject, TokenFinding } from '../../tokens/decode';
import { issuerMismatchCheck } from '../../tokens/metadata-audit';
import { okResponse } from '../../tokens/sources';
import { defineRule } from '../types';
import { hashSecret } from '../../util/secret';
import { ref } from '../../report/standards';

// every client of an AS fetches the same metadata document from the same URL, and the classifier
// parses the document once per text (util/json.ts parseJsonDocument: the same read-only object):
// the verdict on the last URL it came from is kept with it
const verdicts = new WeakMap<JsonObject, { url: string; finding: TokenFinding | undefined }>();

function verdictOf(doc: JsonObject, url: string): TokenFinding | undefined {
  const kept = verdicts.get(doc);
  if (kept !== undefined && kept.url === url) return kept.finding;
  const finding = issuerMismatchCheck(doc, url);
  verdicts.set(doc, { url, finding });
  return finding;
}

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
    const f = verdictOf(msg.json, msg.url.href);
    if (!f) return;
    // one finding per document URL and issuer (and tab or HAR page): a client fetches its AS's
    // metadata again at every login
    ctx.report({
      severity: f.severity,
      variant: f.variant,
      fingerprint: hashSecret(`${msg.url.href}|${String(msg.json.issuer ?? '')}`), // (a hash: a URL can carry a secret, and findings are saved)
      message: f.message,
      flowId: null,
      evidence: [ctx.evidence(msg.obs, 'issuer', `issuer=${String(msg.json.issuer ?? '(none)')}`)],
    });
  },
});
