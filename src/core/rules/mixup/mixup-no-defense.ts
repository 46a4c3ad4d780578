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
/** the first flow of each distinct AS among `flows`, in order (G2: hosts of one site with the origin fallback are one AS) */
function distinctAses(flows: readonly FlowView[], store: { differentAs(a: FlowView['requests'][number]['as'], b: FlowView['requests'][number]['as']): boolean }): FlowView[] {
  const out: FlowView[] = [];
  for (const f of flows) if (!out.some((d) => !store.differentAs(d.requests[0].as, f.requests[0].as))) out.push(f);
  return out;
}

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
    const candidate = (f: FlowView): boolean => f.client === flow.client && f.parent === undefined && f.requests.length > 0 && f.paramsKnown;
    if (!candidate(flow)) return;
    const candidates: FlowView[] = [];
    for (const f of store.flows.values()) if (candidate(f)) candidates.push(f);
    // the client's own flows are some of these. When all of them name one AS (the same issuer and
    // origin: differentAs says no for every pair), its own flows cannot name two: the usual case, a
    // client at one AS, answered without the walks below. (Counting distinct ASes among the
    // candidates would not do: "the same AS" is not transitive across the G2 origin fallback, so a
    // superset can count fewer than its subset.)
    const as0 = flow.requests[0].as;
    if (candidates.every((f) => f.requests[0].as.issuer === as0.issuer && f.requests[0].as.origin === as0.origin)) return;
    // the flows of each context the candidates live in, found once (openedByAs looks only there)
    const byContext = new Map<string, FlowView[]>();
    for (const f of candidates) byContext.set(f.context, []);
    for (const g of store.flows.values()) byContext.get(g.context)?.push(g);
    const openedByAs = (f: FlowView): boolean => {
      if (!f.opener || f.opener === f.client) return false;
      const clientSite = f.client ? siteOfOrigin(f.client) : undefined;
      const openerSite = siteOfOrigin(f.opener);
      return byContext.get(f.context)!.some(
        (g) =>
          g !== f &&
          g.t0 <= f.t0 &&
          g.requests.some((r) => r.as.origin === f.opener || (openerSite !== clientSite && siteOfOrigin(r.as.origin) === openerSite)),
      );
    };
    if (openedByAs(flow)) return;
    const own: FlowView[] = candidates.filter((f) => !openedByAs(f));
    // distinct ASes among them (G2: hosts of one site with the origin fallback are one AS)
    const distinct = distinctAses(own, store);
    if (distinct.length < 2) return;
    const here = normalizeRedirectBase(flow.redirectUri ?? msg.url.base);
    const sharing = own.filter((f) => f.redirectUri && normalizeRedirectBase(f.redirectUri) === here);
    const sharedAses = distinctAses(sharing, store);
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
