import type { FlowView } from '../../flows/view';
import { siteOfOrigin } from '../../flows/store';
import { ref } from '../../report/standards';
import { originOf } from '../../util/url';
import { describeAs, requestEvidence } from '../support/mixup';
import { defineRule, type RuleContext } from '../types';

/**
 * draft-ietf-oauth-security-topics-update-03 §2.4 (Shared Consent in Brokered OAuth; Innocenti et
 * al., IEEE S&P 2025): two downstream clients of one broker behind ONE upstream registration, the
 * second answered without any page the user could see.
 */
export default defineRule({
  meta: {
    id: 'broker-consent-shared',
    title: 'Broker reuses one upstream registration and its consent for another downstream client',
    severity: 'medium',
    confidence: 'heuristic',
    references: [ref('OAUTH-SECURITY-UPDATE', '2.4')],
    description:
      'Two brokered chains in one capture: downstream clients c1 and c2 (different client_ids) sign in through the same broker, and the broker asks the same upstream authorization server with the same upstream client_id for both. The second chain goes from its downstream authorization request to the code or token for c2 without any page at the broker or the upstream AS (no consent, account chooser or login page): the consent given for c1 was reused for c2. Medium when c1, c2 and the broker are on three different sites, low when two of them share a site (first-party single sign-on). Per-client upstream registrations, or a broker consent page in the second chain, are the countermeasures and raise nothing.',
    tier: 2,
    on: ['authorization-response'],
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const f2 = ctx.flow;
    if (!f2 || ctx.replay || f2.parent !== undefined || f2.children.length === 0 || !f2.clientId) return;
    const resp = f2.responses[f2.responses.length - 1];
    if (!resp || resp.obsId !== ctx.msg.obs.id || resp.error || (!resp.code && !resp.hasToken) || f2.responses.length > 1) return;
    const { store } = ctx;
    const broker = f2.requests[0]?.as;
    const areq2 = f2.requests[0];
    if (!broker || !areq2) return;
    for (const u2 of children(ctx, f2)) {
      const up2 = u2.requests[0];
      if (!u2.clientId || !up2 || !store.differentAs(up2.as, broker)) continue;
      const first = earlierChain(ctx, f2, u2);
      if (!first) continue;
      const interaction = interactionBetween(ctx, f2, u2, areq2.time, resp.time);
      if (interaction) continue;
      const { f1, u1 } = first;
      const sites = [originOf(f1.redirectUri), originOf(f2.redirectUri), broker.origin].map((o) => (o ? siteOfOrigin(o) : ''));
      const distinct = new Set(sites).size === 3 && !sites.includes('');
      ctx.report({
        severity: distinct ? 'medium' : 'low',
        message:
          `Downstream client ${f2.clientId} got a ${resp.code ? 'code' : 'token'} from the broker ${broker.origin} through the upstream registration ` +
          `client_id ${u2.clientId} at ${describeAs(up2)}, the same one the broker used for ${f1.clientId} ${Math.round((areq2.time - f1.t0) / 1000)} s earlier, ` +
          `and no page at the broker or the upstream AS was shown in between: the upstream AS answered c2's chain without any page the user could see, ` +
          `so the consent given for ${f1.clientId} was reused for ${f2.clientId}. ` +
          (distinct
            ? 'The two clients and the broker are on three different sites.'
            : 'Two of the clients and the broker share a site: single sign-on across one organisation\'s apps may be intended.'),
        evidence: [
          requestEvidence(f1.requests[0], 'client_id', `first chain: downstream client ${f1.clientId} at the broker ${broker.origin}`),
          requestEvidence(u1.requests[0], 'client_id', `the broker's upstream request for ${f1.clientId}: client_id ${u1.clientId} at ${u1.requests[0].as.origin}`),
          requestEvidence(areq2, 'client_id', `second chain: downstream client ${f2.clientId} at the same broker`),
          requestEvidence(up2, 'client_id', `the broker's upstream request for ${f2.clientId}: the same client_id ${u2.clientId}`),
          ctx.evidence(ctx.msg.obs, resp.code ? 'code' : 'access_token', `${f2.clientId} answered ${Math.round((resp.time - areq2.time) / 1000)} s after its request, with no page at ${broker.origin} or ${up2.as.origin} in between`),
        ],
      });
      return;
    }
  },
});

function children(ctx: RuleContext, f: FlowView): FlowView[] {
  return f.children.map((id) => ctx.store.flows.get(id)).filter((c): c is FlowView => c !== undefined && c.requests.length > 0);
}

/**
 * The first chain: another downstream flow of the same broker, for another client, earlier, whose
 * upstream child went to the same upstream AS with the same upstream client_id and was answered.
 */
function earlierChain(ctx: RuleContext, f2: FlowView, u2: FlowView): { f1: FlowView; u1: FlowView } | undefined {
  const { store } = ctx;
  const broker = f2.requests[0].as;
  for (const u1 of store.flowsOfClient(u2.clientId!)) {
    if (u1.id === u2.id || u1.parent === undefined || u1.parent === f2.id || u1.requests.length === 0) continue;
    if (store.differentAs(u1.requests[0].as, u2.requests[0].as)) continue;
    if (!u1.responses.some((r) => !r.error && (r.code || r.hasToken))) continue;
    const f1 = store.flows.get(u1.parent);
    if (!f1 || f1.requests.length === 0 || !f1.clientId || f1.clientId === f2.clientId || f1.t0 >= f2.t0) continue;
    if (store.differentAs(f1.requests[0].as, broker)) continue;
    return { f1, u1 };
  }
  return undefined;
}

/**
 * A document the user could see at the broker or the upstream AS between the second chain's
 * downstream request and its response: a navigation of that tab that rendered (was not redirected
 * on) on the broker's origin, an origin of the upstream AS, or another host of the upstream AS's
 * site that is not a client's (its login page). Redirect hops never count.
 */
function interactionBetween(ctx: RuleContext, f2: FlowView, u2: FlowView, from: number, to: number): boolean {
  const brokerOrigin = f2.requests[0].as.origin;
  const upstream = new Set(u2.requests.map((r) => r.as.origin));
  const clientSites = new Set([originOf(f2.redirectUri), f2.client].filter((x): x is string => !!x).map(siteOfOrigin));
  const upstreamSites = new Set([...upstream].map(siteOfOrigin).filter((s) => !clientSites.has(s)));
  const hops = ctx.store.hops.get(f2.context) ?? [];
  return hops.some(
    (h) =>
      h.time >= from &&
      h.time < to &&
      h.obsId !== ctx.msg.obs.id &&
      h.to === undefined &&
      (h.origin === brokerOrigin || upstream.has(h.origin) || upstreamSites.has(siteOfOrigin(h.origin))),
  );
}
