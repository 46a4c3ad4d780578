import type { FlowView } from '../../flows/view';
import type { Evidence } from '../../report/finding';
import { decodeJwtPayloadUnsafe } from '../../tokens/peek';
import { hashSecret } from '../../util/secret';
import { parseUrl } from '../../util/url';
import { defineRule, type RuleContext } from '../types';
import { acceptedToken } from '../support/token-exchange';
import { ref } from '../../report/standards';

/** Was the flow's nonce known (visible, request object, or captured PAR body) and non-empty? */
function knownNonce(flow: FlowView): boolean {
  return (flow.paramsKnown || flow.pushed === true) && flow.nonce !== undefined && flow.nonce.length > 0;
}

/**
 * Does the ID token's nonce equal one the flow's requests sent: the flow's own (first request), or
 * one shown in the URL of a later request that joined it by state (a retry with a fresh nonce).
 * URLs keep nonces redacted, so the ID token's nonce is redacted the same way to compare.
 */
function nonceSent(ctx: RuleContext, flow: FlowView, nonce: string): boolean {
  if (flow.nonce?.hash === hashSecret(nonce)) return true;
  const shown = ctx.redact(nonce);
  for (let i = 1; i < flow.requests.length; i++) {
    const sent = parseUrl(flow.requests[i].url)?.query.get('nonce');
    if (sent !== undefined && (sent === shown || sent === nonce)) return true;
  }
  return false;
}

function requestNonceEvidence(flow: FlowView, note: string): Evidence {
  const r = flow.requests[0];
  return { ...r.ref, url: r.url, param: 'nonce', note, ...(flow.nonce ? { value: flow.nonce.shown } : {}) };
}

/** RFC 9700 §2.1.1 (nonce is transaction-specific), OIDC Core §3.1.3.7 item 11 (the ID token nonce MUST equal the one sent). */
export default defineRule({
  meta: {
    id: 'nonce-reused-or-mismatch',
    title: 'OpenID Connect nonce reused across flows, or ID token nonce mismatch',
    severity: 'high',
    confidence: 'strong',
    references: [ref('RFC9700', '2.1.1'), ref('OIDC-CORE', '3.1.3.7'), ref('OIDC-CORE', '3.1.2.1')],
    description:
      'The same nonce is sent in two authorization flows with different states (medium: the nonce no longer binds an ID token to one transaction), or an ID token from the front channel or from the authorization_code token response carries a nonce other than the one its flow sent, or none although one was sent (high: the client received an ID token issued for another transaction, the signature of ID token or code injection). ID tokens of refresh_token grants are not judged.',
    tier: 2,
    on: ['authorization-request', 'authorization-response', 'token-request'],
    needs: { params: ['nonce', 'id_token'], json: ['id_token'], paramsUnknown: true },
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { msg, flow } = ctx;
    if (!flow || ctx.replay) return;
    if (msg.kind === 'authorization-request') return checkReuse(ctx, flow);
    let idToken: string | undefined;
    let channel: string;
    if (msg.kind === 'authorization-response') {
      idToken = msg.params.get('id_token');
      if (!idToken) return;
      // only a response linked to the flow by its exact state (or the state an opaque PAR flow adopted)
      const state = msg.params.get('state');
      if (state === undefined || flow.state?.hash !== hashSecret(state)) return;
      channel = 'front-channel';
    } else {
      if (msg.params.get('grant_type') !== 'authorization_code') return; // refresh grants: no nonce expected
      if (!acceptedToken(msg)) return;
      const t = msg.json?.id_token;
      if (typeof t !== 'string' || !t) return;
      idToken = t;
      channel = 'token-response';
    }
    if (!knownNonce(flow)) return; // no nonce sent, or unknown: nothing to compare (nonce-missing covers the first)
    const claims = decodeJwtPayloadUnsafe(idToken);
    if (!claims) return; // JWE or not a JWT: unreadable
    const nonce = claims.nonce;
    if (nonce === undefined || nonce === null) {
      ctx.report({
        variant: `${channel}-missing`,
        fingerprint: hashSecret(idToken), // one token seen in a Location and again in the committed URL
        message: `The ID token ${channel === 'front-channel' ? `delivered to ${msg.url?.base}` : `returned by ${msg.url?.base}`} has no nonce claim although the flow's authorization request sent one: OIDC Core §3.1.3.7 requires it, and without it the token is not bound to this transaction (possible ID token or code injection).`,
        evidence: [ctx.evidence(msg.obs, 'id_token', 'no nonce claim'), requestNonceEvidence(flow, 'nonce sent in the authorization request')],
      });
      return;
    }
    if (typeof nonce === 'string' && nonceSent(ctx, flow, nonce)) return;
    ctx.report({
      variant: `${channel}-mismatch`,
      fingerprint: hashSecret(idToken),
      message: `The ID token ${channel === 'front-channel' ? `delivered to ${msg.url?.base}` : `returned by ${msg.url?.base}`} carries a nonce other than the one the flow's authorization request sent: it was issued for another transaction (ID token or code injection), and the client must reject it (OIDC Core §3.1.3.7).`,
      evidence: [
        ctx.evidence(msg.obs, 'id_token', 'nonce claim differs from the nonce sent', typeof nonce === 'string' ? nonce : JSON.stringify(nonce)),
        requestNonceEvidence(flow, 'nonce sent in the authorization request'),
      ],
    });
  },
});

/** The same nonce in two flows with different states (medium), once per nonce and tab. */
function checkReuse(ctx: RuleContext, flow: FlowView): void {
  const { msg, store } = ctx;
  let hash: string | undefined;
  if (msg.paramsKnown) {
    const n = msg.params.get('nonce');
    if (!n) return; // none or empty: nonce-missing
    hash = hashSecret(n);
  } else if (flow.pushed && flow.requests[0]?.obsId === msg.obs.id && flow.nonce && flow.nonce.length > 0) {
    hash = flow.nonce.hash; // PAR: the pushed body's nonce (DT/HAR)
  }
  if (!hash || !flow.state) return; // without states a re-request is not told from a new transaction
  for (const other of store.flowsWithNonce(hash)) {
    if (other.id === flow.id || other.parent === flow.id || flow.parent === other.id) continue; // G1 broker
    if (!other.state || other.state.hash === flow.state.hash || other.nonce?.hash !== hash) continue;
    ctx.report({
      severity: 'medium',
      variant: 'reused',
      fingerprint: hash,
      message: `The request to ${msg.url?.base} sends the same nonce as an earlier authorization request (another flow, with a different state${other.context !== flow.context ? ', in another tab' : ''}): the nonce no longer binds an ID token to one transaction, so a token captured from one login can be replayed into another.`,
      evidence: [ctx.evidence(msg.obs, 'nonce', 'nonce sent again with a new state', msg.paramsKnown ? msg.params.get('nonce') : undefined), requestNonceEvidence(other, 'first sent here')],
    });
    return;
  }
}
