import type { AsIdentity } from '../../flows/flow';
import type { FlowView } from '../../flows/view';
import { hashSecret } from '../../util/secret';
import { isProviderEndpointHost } from '../../flows/providers';
import { siteOfOrigin } from '../../flows/store';
import { originOf, parseUrl } from '../../util/url';
import { defineRule, type RuleContext } from '../types';
import { requestEvidence } from '../support/mixup';
import { boundByTimingOnly, flowBinding } from '../support/binding';
import { ref } from '../../report/standards';

/** Does this token endpoint URL belong to this AS (its metadata, or its site)? */
/** parseUrl(u)?.base, remembered: every token request compares its AS's token endpoint (one URL parse each) */
function baseOf(u: string): string | undefined {
  let b = bases.get(u);
  if (b === undefined) {
    b = parseUrl(u)?.base ?? null;
    if (bases.size >= 256) bases.clear();
    bases.set(u, b);
  }
  return b ?? undefined;
}
const bases = new Map<string, string | null>();

function tokenEndpointOf(ctx: RuleContext, as: AsIdentity, tokenUrl: { origin: string; base: string; hostname: string }): boolean {
  // (any of the three answers yes) the usual token endpoint is on the AS's own origin: its site, no lookup
  if (as.origin === tokenUrl.origin) return true;
  const md = ctx.store.metadata.get(as.issuer);
  if (md?.tokenEndpoint && baseOf(md.tokenEndpoint) === tokenUrl.base) return true;
  if (isProviderEndpointHost(as.issuer, tokenUrl.hostname)) return true; // token endpoint on another site (§3 providers)
  return siteOfOrigin(as.origin) === siteOfOrigin(tokenUrl.origin);
}

/**
 * The AS that minted the code: the one the response's iss names, else the one that redirected it to
 * the callback. `by` and `what` word it (only for a finding: every token request asks, most return
 * at the next step).
 */
function minterOf(ctx: RuleContext, flow: FlowView, codeHash: string): { as: AsIdentity; by: 'iss' | 'redirect'; what: string } | undefined {
  const reqs = flow.requests;
  const resp = responseWithCode(flow, codeHash);
  if (resp?.iss) {
    for (let i = 0; i < reqs.length; i++) if (ctx.store.issuerMatches(reqs[i].as, resp.iss)) return { as: reqs[i].as, by: 'iss', what: resp.iss };
  }
  const deliveries = ctx.store.codes.get(codeHash);
  let from: string | undefined;
  if (deliveries) for (let i = 0; i < deliveries.length && from === undefined; i++) if (deliveries[i].flowId === flow.id) from = deliveries[i].from ?? '';
  if (from) {
    for (let i = 0; i < reqs.length; i++) if (reqs[i].as.origin === from) return { as: reqs[i].as, by: 'redirect', what: from };
    const site = siteOfOrigin(from);
    for (let i = 0; i < reqs.length; i++) if (siteOfOrigin(reqs[i].as.origin) === site) return { as: reqs[i].as, by: 'redirect', what: from };
  }
  return undefined;
}

const minterHow = (m: { by: 'iss' | 'redirect'; what: string }): string =>
  m.by === 'iss' ? `the response's iss names ${m.what}` : `${m.what} redirected the response to the callback`;

function responseWithCode(flow: FlowView, codeHash: string): FlowView['responses'][number] | undefined {
  const rs = flow.responses;
  for (let i = 0; i < rs.length; i++) if (rs[i].code?.hash === codeHash) return rs[i];
  return undefined;
}

/**
 * RFC 9700 §4.4.1 / draft-02 §2.2 (DT/HAR): the code of a flow whose state travelled between ASes
 * is redeemed at the token endpoint of another AS of that flow than the one that minted it: the
 * theft the mix-up / COAT set up has happened.
 */
export default defineRule({
  meta: {
    id: 'mixup-code-sent-to-wrong-token-endpoint',
    title: 'Authorization code redeemed at the token endpoint of another authorization server',
    severity: 'critical',
    confidence: 'strong',
    references: [ref('RFC9700', '4.4.1'), ref('RFC9207', '2.4'), ref('OAUTH-SECURITY-UPDATE', '2.2'), ref('WUERTELE-02', '2.2')],
    description:
      "A token request carries a code that AS2 issued (the response's iss, or the AS that redirected it to the callback), but goes to the token endpoint of AS1, another authorization server of the same flow: the code of a mix-up or COAT has reached the attacker's AS.",
    tier: 2,
    on: ['token-request'],
    needs: { params: ['code'] },
    vantage: ['DT', 'HAR'],
  },
  check(ctx) {
    const { flow, msg } = ctx;
    const code = msg.params.get('code');
    if (!flow || !code || !msg.url) return;
    const h = hashSecret(code);
    const minter = minterOf(ctx, flow, h);
    if (!minter) return;
    const tokenUrl = msg.url;
    if (tokenEndpointOf(ctx, minter.as, tokenUrl)) return;
    // the flow's key (state, else code_challenge, else nonce); a code whose callback only
    // redirect_uri and timing linked to the flow (no state) is one step less confident
    const b = flowBinding(flow);
    const timing = boundByTimingOnly(responseWithCode(flow, h));
    const timingNote = timing ? ' The callback carried no state: only the tab, the redirect_uri and the timing linked it to this flow.' : '';
    // only a token endpoint of another AS of this flow: a client's own back end (BFF) or an
    // unknown host proves nothing
    const other = flow.requests.find((r) => ctx.store.differentAs(r.as, minter.as) && tokenEndpointOf(ctx, r.as, tokenUrl));
    if (!other) {
      // no second hop (§1.A "Also", and the Blind note of mixup-as-switch): a provider
      // configuration (metadata) of another issuer names this exact URL as its token endpoint,
      // e.g. an attacker AS whose metadata reuses the honest authorization endpoint
      const foreign = [...ctx.store.metadata.values()].find(
        (m) => m.tokenEndpoint !== undefined && parseUrl(m.tokenEndpoint)?.base === tokenUrl.base && m.issuer !== minter.as.issuer && !ctx.store.issuerMatches(minter.as, m.issuer),
      );
      if (!foreign) return;
      // the response itself names that issuer: an AS whose authorization endpoint lives on another
      // site than its issuer, answering for itself, not a mix-up
      const resp = responseWithCode(flow, h);
      if (resp?.iss !== undefined && resp.iss === foreign.issuer) return;
      const first = flow.requests[0];
      ctx.report({
        variant: 'no-second-hop',
        ...(minter.as.source === 'origin' || timing ? { confidence: 'heuristic' as const } : {}),
        message:
          `The code minted by ${minter.as.issuer} (${minterHow(minter)}) was sent to ${msg.url.base}, the token endpoint that the metadata of ` +
          `another issuer, ${foreign.issuer}, names: ${originOf(msg.url.href)} now holds the code.${timingNote}`,
        evidence: [
          requestEvidence(first, b.param, `flow started at ${first.as.origin}`),
          ctx.evidence(msg.obs, 'code', `code redeemed at the token endpoint of ${foreign.issuer} (metadata from ${foreign.fetchedFrom})`, code),
        ],
      });
      return;
    }
    ctx.report({
      ...(timing || b.confidence === 'heuristic' ? { confidence: 'heuristic' as const } : {}),
      message:
        `The code minted by ${minter.as.issuer} (${minterHow(minter)}) was sent to ${msg.url.base}, the token endpoint of ${other.as.issuer}, ` +
        `another authorization server this flow's ${b.what} went to: ${other.as.origin} now holds the code.${timingNote}`,
      evidence: [
        requestEvidence(other, b.param, `flow's ${b.what} sent to ${other.as.origin}`),
        ctx.evidence(msg.obs, 'code', `code redeemed at ${originOf(msg.url.href)}`, code),
      ],
    });
  },
});
