import { hashSecret } from '../../util/secret';
import { siteOfOrigin } from '../../flows/store';
import { defineRule, type RuleContext } from '../types';
import { lateCaptureReason } from '../support/late-capture';
import { carriesCredential } from '../support/mixup';
import { ref } from '../../report/standards';

/** Is `fromSite` the site of one of the flow's parties (its requests' and its children's ASes, the client, the callback)? */
function isParty(ctx: RuleContext, flow: NonNullable<RuleContext['flow']>, fromSite: string): boolean {
  const site = siteOfOrigin;
  for (const r of flow.requests) if (site(r.as.origin) === fromSite) return true;
  for (const id of flow.children) for (const r of ctx.store.flows.get(id)?.requests ?? []) if (site(r.as.origin) === fromSite) return true;
  if (flow.client && site(flow.client) === fromSite) return true;
  return !!ctx.msg.url && site(ctx.msg.url.origin) === fromSite;
}

/**
 * draft-02 §2.2 (CORF), RFC 9700 §4.7 / §4.5: an authorization response with a code or token that
 * no authorization request of this capture asked for, or minted by a party never asked to answer.
 */
export default defineRule({
  meta: {
    id: 'unsolicited-callback',
    title: 'Authorization response that no request in this browser asked for',
    severity: 'high',
    confidence: 'strong',
    references: [ref('OAUTH-SECURITY-UPDATE', '2.2'), ref('WUERTELE-02', '2.2'), ref('RFC9700', '4.7'), ref('RFC9700', '4.5')],
    description:
      'A code or token arrives at a client callback with a state no authorization request issued (within 30 minutes), or with no state while no open flow expects one, or redirected there by a site no flow went to: cross-site request forgery, code injection or CORF. Low (heuristic) when the capture may have started after the flow did (G6).',
    tier: 1,
    on: ['authorization-response'],
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { flow, msg, store, from } = ctx;
    if (ctx.replay) return;
    const o = msg.obs;
    const credential = carriesCredential(ctx);
    const state = msg.params.get('state');
    if (flow) {
      // solicited, but was it minted by a party of the flow? Only a 30x from a foreign site counts.
      if (!credential || from.via !== 'redirect' || !from.origin) return;
      // the sites of the flow's parties (its and its children's ASes, the client, the callback's
      // own): the usual redirect comes from the flow's AS, found without building their set
      if (isParty(ctx, flow, siteOfOrigin(from.origin))) return;
      // the redirecting page was itself reached (by 30x) from an AS of the flow: part of its chain
      const asOrigins = new Set<string>();
      for (const r of flow.requests) asOrigins.add(r.as.origin);
      for (const id of flow.children) for (const r of store.flows.get(id)?.requests ?? []) asOrigins.add(r.as.origin);
      if (store.chainReaches(o.context, from, asOrigins)) return;
      ctx.report({
        confidence: 'heuristic',
        variant: 'foreign-minter',
        message: `The response for flow ${flow.id} was redirected to ${msg.url?.base} by ${from.origin}, which is not an authorization server this flow went to.`,
        evidence: [ctx.evidence(o, 'code', `redirected here by ${from.origin}`)],
      });
      return;
    }
    if (state !== undefined) {
      // the state is known, but its flows expired (§0.3: 30 min, §1.A: "issued by no AREQ within
      // 30 min"). A flow that was already answered is a late reload or history visit of its
      // callback (G3), never a new unsolicited response; one never answered gets its code now.
      const known = store.flowsWithState(hashSecret(state));
      if (known.length > 0) {
        const unanswered = known.filter((f) => f.responses.length === 0);
        const replayLike = o.transition !== undefined && /reload|forward_back/.test(`${o.transition.type} ${(o.transition.qualifiers ?? []).join(' ')}`);
        if (!credential || unanswered.length !== known.length || replayLike) return;
        const last = Math.max(...known.map((f) => f.tLast));
        const minutes = Math.round((o.time - last) / 60_000);
        ctx.report({
          confidence: 'heuristic',
          variant: 'expired-state',
          flowId: known[known.length - 1].id,
          message:
            `${msg.url?.base ?? o.url} received ${msg.params.has('code') ? 'an authorization code' : 'a token'} for a state whose authorization request was ` +
            `last active ${minutes} minutes ago and never answered: the flow had expired (30 min), so no open request asked for this response.`,
          evidence: [ctx.evidence(o, 'state', `state of flow ${known[known.length - 1].id}, expired ${minutes} min after its last step`, state)],
        });
        return;
      }
    }
    // G6: a capture that may have started after the flow did cannot show where the state was issued
    const late = lateCaptureReason(store, o, msg.url?.origin);
    const what = msg.params.has('code') ? 'an authorization code' : msg.params.has('access_token') ? 'an access token' : msg.params.has('id_token') ? 'an ID token' : msg.params.has('response') ? 'a JARM response' : 'an error';
    const why = state === undefined ? 'has no state, and no open flow expects a stateless response' : 'carries a state that no authorization request in this capture issued';
    ctx.report({
      severity: !credential || late ? 'low' : 'high',
      confidence: late ? 'heuristic' : 'strong',
      variant: state === undefined ? 'no-state' : 'unknown-state',
      flowId: null,
      message:
        `${msg.url?.base ?? o.url} received ${what} that ${why}` +
        (from.origin ? ` (reached from ${from.origin})` : '') +
        (late
          ? `. The capture may have started after the authorization request (G6: ${late}), so it cannot show where the state was issued: low.`
          : '. With an attacker\'s code, the victim\'s account gets linked to the attacker\'s (CORF).'),
      evidence: [
        ctx.evidence(o, state === undefined ? (msg.params.has('code') ? 'code' : 'state') : 'state', why, state),
        ...(late ? [ctx.evidence(o, undefined, `G6 late capture: ${late}`)] : []),
      ],
    });
  },
});
