import type { FlowView } from '../../flows/view';
import { normalizeRedirectBase, siteOfOrigin } from '../../flows/store';
import { defineRule } from '../types';
import { requestEvidence, responseIssuers } from '../support/mixup';
import { ref } from '../../report/standards';

/**
 * RFC 9700 §2.1 / §4.4.2 posture: a client that itself uses several authorization servers gets
 * responses without iss from at least one of them, and serves two or more issuers through one
 * redirect URI, so it has neither mix-up defence (RFC 9207 iss, per-AS redirect URIs).
 */
export default defineRule({
  meta: {
    id: 'mixup-no-defense',
    title: 'Client uses several authorization servers without a mix-up defence',
    severity: 'medium',
    confidence: 'heuristic',
    references: [ref('RFC9700', '2.1'), ref('RFC9700', '4.4.2'), ref('RFC9207', '2.4')],
    description:
      'The same client starts flows to two or more issuers itself; responses of one of them carry no iss, ID token or JARM, and one redirect URI (scheme, host, path) serves two or more issuers. Distinct per-issuer redirect URIs lower it to info.',
    tier: 2,
    on: ['authorization-response'],
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { flow, msg, store } = ctx;
    if (!flow || ctx.replay || !flow.client || !msg.url) return;
    const p = msg.params;
    if (!p.has('code') && !p.has('access_token')) return;
    const names = responseIssuers(ctx);
    if (names.param !== undefined || names.idToken !== undefined || names.jarm !== undefined) return;
    // flows the client started itself: not brokered children (G1), and not opened by an AS hop
    // (§1.A: "AREQs whose opener is C, not an AS hop"): an AS that sends the browser on to another
    // AS is not the client using two ASes
    const all = [...store.flows.values()];
    const openedByAs = (f: FlowView): boolean => {
      if (!f.opener || f.opener === f.client) return false;
      const clientSite = f.client ? siteOfOrigin(f.client) : undefined;
      const openerSite = siteOfOrigin(f.opener);
      return all.some(
        (g) =>
          g !== f &&
          g.context === f.context &&
          g.t0 <= f.t0 &&
          g.requests.some((r) => r.as.origin === f.opener || (openerSite !== clientSite && siteOfOrigin(r.as.origin) === openerSite)),
      );
    };
    const own: FlowView[] = all.filter((f) => f.client === flow.client && f.parent === undefined && f.requests.length > 0 && f.paramsKnown && !openedByAs(f));
    if (!own.includes(flow)) return;
    // distinct ASes among them (G2: hosts of one site with the origin fallback are one AS)
    const distinct: FlowView[] = [];
    for (const f of own) if (!distinct.some((d) => !store.differentAs(d.requests[0].as, f.requests[0].as))) distinct.push(f);
    if (distinct.length < 2) return;
    const here = normalizeRedirectBase(flow.redirectUri ?? msg.url.base);
    const sharing = own.filter((f) => f.redirectUri && normalizeRedirectBase(f.redirectUri) === here);
    const sharedAses: FlowView[] = [];
    for (const f of sharing) if (!sharedAses.some((d) => !store.differentAs(d.requests[0].as, f.requests[0].as))) sharedAses.push(f);
    const shared = sharedAses.length >= 2;
    const issuers = distinct.map((f) => f.requests[0].as.issuer);
    const anchor = distinct[0];
    ctx.report({
      severity: shared ? 'medium' : 'info',
      variant: shared ? 'shared-redirect-uri' : 'per-issuer-redirect-uris',
      flowId: null,
      message: shared
        ? `${flow.client} starts flows at ${issuers.join(', ')} and receives responses without iss at ${here}, which serves ${sharedAses.length} issuers: it cannot tell which AS answered (no RFC 9207 iss, no per-AS redirect URI).`
        : `${flow.client} starts flows at ${issuers.join(', ')}; responses at ${here} carry no iss, but each issuer has its own redirect URI (the RFC 9700 §4.4.2.2 fallback).`,
      evidence: [
        requestEvidence(anchor.requests[0], 'redirect_uri', `flow to ${anchor.requests[0].as.origin} with redirect_uri ${anchor.redirectUri}`),
        ctx.evidence(msg.obs, 'iss', `response without iss at ${here}`),
      ],
    });
  },
});
