import type { JsonObject, TokenFinding } from '../../tokens/decode';
import { endpointForeignChecks } from '../../tokens/metadata-audit';
import { okResponse } from '../../tokens/sources';
import { stripFragment } from '../../util/url';
import { defineRule } from '../types';
import { hashSecret } from '../../util/secret';
import { ref } from '../../report/standards';

// every client of an AS fetches the same metadata document, which the classifier parses once per
// text (util/json.ts parseJsonDocument: the same read-only object): its verdict is kept with it
const verdicts = new WeakMap<JsonObject, readonly TokenFinding[]>();

function verdictsOf(doc: JsonObject): readonly TokenFinding[] {
  let v = verdicts.get(doc);
  if (v === undefined) verdicts.set(doc, (v = endpointForeignChecks(doc)));
  return v;
}

/** draft-02 §2.1.1.1: metadata that names client-authenticated endpoints on another site. */
export default defineRule({
  meta: {
    id: 'metadata-endpoint-foreign',
    title: "AS metadata names an endpoint on another origin than the issuer's",
    severity: 'high',
    confidence: 'strong',
    references: [ref('OAUTH-SECURITY-UPDATE', '2.1.1.1'), ref('WUERTELE-02', '2.1.1.1'), ref('RFC8414', '2')],
    description:
      "An RFC 8414 / OIDC Discovery document whose token, PAR, revocation, introspection, device or CIBA endpoint lies on another origin than its issuer: high when the site (eTLD+1) differs, low for another host of the same site. An AS that claims another AS's token endpoint sets up audience injection.",
    tier: 1,
    on: ['metadata'],
    vantage: ['DT', 'HAR'],
  },
  check(ctx) {
    const { msg } = ctx;
    if (!msg.json || !okResponse(msg)) return;
    for (const f of verdictsOf(msg.json)) {
      const param = /(\w+_endpoint)/.exec(f.message)?.[1];
      // one finding per document, endpoint and value (and tab or HAR page): a client fetches its
      // AS's metadata again at every login
      ctx.report({
        severity: f.severity,
        variant: f.variant,
        fingerprint: hashSecret(`${stripFragment(msg.obs.url)}|${param ?? ''}=${param ? String(msg.json[param]) : ''}|${String(msg.json.issuer)}`), // (a hash: a URL can carry a secret, and findings are saved)
        message: f.message,
        flowId: null,
        evidence: [ctx.evidence(msg.obs, param, `${param}=${param ? String(msg.json[param]) : ''}; issuer=${String(msg.json.issuer)}`)],
      });
    }
  },
});
