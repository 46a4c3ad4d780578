import { defineRule } from '../types';
import { describeIss } from '../../flows/providers';
import { crossAsEvidence, MCP_RESPONSE_VALIDATION, requestEvidence, responseIssuers, tableBasis } from '../support/mixup';
import { boundByTimingOnly, currentResponse, flowBinding } from '../support/binding';
import { ref } from '../../report/standards';

/**
 * RFC 9207 §2.4: a client MUST reject responses without iss from an AS that supports it. Fires when
 * AS1 is known to send iss (metadata, an earlier response of the capture, or the provider table's
 * `always since D`), or when the flow's state went to several ASes (a mix-up in progress the client
 * cannot notice without iss). MCP 2026-07-28 "Authorization Response Validation" keys the same
 * decision on metadata: advertised and missing → reject.
 */
export default defineRule({
  meta: {
    id: 'mixup-iss-missing',
    title: 'Authorization response without iss where one is required',
    severity: 'high',
    confidence: 'strong',
    references: [ref('RFC9207', '2.4'), ref('RFC9700', '4.4.2'), MCP_RESPONSE_VALIDATION],
    description:
      'An authorization response (error responses included) carries no iss parameter, ID token or JARM although the AS the flow started at supports RFC 9207 (advertised in its metadata, the case MCP\'s Authorization Response Validation rejects; seen earlier in the capture; or dated provider-table knowledge), or although the flow\'s state was sent to two or more authorization servers.',
    tier: 1,
    on: ['authorization-response'],
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { flow, msg } = ctx;
    if (!flow || ctx.replay) return;
    const names = responseIssuers(ctx);
    if (names.param !== undefined || names.idToken !== undefined || names.jarm !== undefined) return;
    const first = flow.requests[0];
    if (!first) return;
    const as1 = first.as;
    const crossAs = crossAsEvidence(flow, ctx);
    // the flow's key (state, else code_challenge, else nonce); a callback linked only by
    // redirect_uri and timing (no state) is one step less confident
    const b = flowBinding(flow);
    const timing = boundByTimingOnly(currentResponse(ctx));
    const timingNote = timing ? ' The response carries no state: only the tab, the redirect_uri and the timing link it to this flow.' : '';
    // (a) AS1 is known to send iss at this time: its metadata says so, an earlier response of this
    // capture carried it, or the provider table says `always since D` with D ≤ now (§0.4; a
    // `some accounts` row never qualifies from the table alone). Every AS the client itself sent
    // this state to must be known to send iss (a user who restarted at a provider without RFC 9207
    // support may be answered by that one).
    const t = msg.obs.time;
    const support = ctx.store.issSupport(as1, t);
    const issued = ctx.store.clientIssued(flow).map((r) => r.as);
    if (support && issued.every((a) => !ctx.store.differentAs(a, as1) || ctx.store.issSupport(a, t) !== undefined)) {
      const basis = support.from === 'provider' ? tableBasis(as1, ctx.store) : undefined;
      // one account's iss says nothing about another's at a `some accounts` provider (Google)
      const perAccount = support.from === 'capture' && support.row?.iss.kind === 'some-accounts';
      const known =
        support.from === 'metadata'
          ? 'its metadata advertises authorization_response_iss_parameter_supported'
          : support.from === 'capture'
            ? 'an earlier response of this capture carried it'
            : `CoatCheck's provider table: ${basis?.provider ?? as1.issuer} sends it ${support.row ? describeIss(support.row.iss) : ''}, checked ${basis?.checked ?? '?'}`;
      ctx.report({
        variant: 'as-supports-iss',
        ...(perAccount ? { severity: 'low' as const, confidence: 'heuristic' as const } : timing ? { confidence: 'heuristic' as const } : {}),
        message: `${as1.issuer} sends the RFC 9207 iss parameter (${known}), but this response to ${msg.url?.base} has none: AS1 did not mint it as it is (forged or mixed up).${perAccount ? ` ${support.row?.name ?? 'This provider'} sends iss to some accounts only, so this may be another account.` : ''}${timingNote}`,
        evidence: [requestEvidence(first, b.param, `flow started at ${as1.issuer}`), ctx.evidence(msg.obs, 'iss', 'no iss, ID token or JARM in the response')],
        ...(basis ? { providerTable: basis } : {}),
      });
    } else if (crossAs) {
      const others = flow.requests.filter((r) => ctx.store.differentAs(as1, r.as)).map((r) => r.as.origin);
      ctx.report({
        variant: 'cross-as-flow',
        confidence: timing || b.confidence === 'heuristic' ? 'heuristic' : 'strong',
        message: `This flow's ${b.what} was sent to ${as1.origin} and to ${[...new Set(others)].join(', ')}; the response carries no iss, so the client cannot tell which AS answered.${timingNote}`,
        evidence: [requestEvidence(first, b.param, `${b.what} sent to ${as1.origin}`), ctx.evidence(msg.obs, 'iss', 'no iss in the response')],
      });
    }
  },
});
