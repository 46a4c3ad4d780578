import { hashSecret } from '../../util/secret';
import { defineRule } from '../types';
import { carriesCredential, redirectBaseOf, requestEvidence } from '../support/mixup';
import { boundByTimingOnly, currentResponse, flowBinding } from '../support/binding';
import { ref } from '../../report/standards';

/**
 * draft-02 §2.2.2: the context in the redirect URI must match the one stored for the flow. A
 * response carrying state S lands on a redirect URI other than the one S was issued with. A
 * stateless flow (its requests joined by code_challenge or nonce, §0.3) has a callback linked
 * only by redirect_uri prefix and timing in its tab: it counts when it lands on the redirect_uri
 * that a relaying AS put into the flow, never the client's own, and is heuristic.
 */
export default defineRule({
  meta: {
    id: 'callback-context-mismatch',
    title: 'Authorization response landed on another redirect URI than its state was issued with',
    severity: 'high',
    confidence: 'strong',
    references: [ref('OAUTH-SECURITY-UPDATE', '2.2.2'), ref('WUERTELE-02', '2.2.2'), ref('RFC9700', '4.4.2.2')],
    description:
      'An authorization response with a code or token carries state S, but arrives at a callback (scheme, host, path) other than the redirect_uri S was issued with: the state came back through another AS\'s or tool\'s redirect URI. For a client that sends no state, the response of a flow whose PKCE code_challenge (or nonce) an AS relayed that lands on the relayed redirect_uri (heuristic: only the tab and timing link a stateless callback).',
    tier: 1,
    on: ['authorization-response'],
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { flow, msg } = ctx;
    if (!flow || ctx.replay || !msg.url || !flow.redirectUri || !carriesCredential(ctx)) return;
    const state = msg.params.get('state');
    const byState = state !== undefined && flow.state?.hash === hashSecret(state);
    // stateless: only a callback linked by redirect_uri and timing to a flow that sent no state
    const stateless = !byState && state === undefined && flow.state === undefined && boundByTimingOnly(currentResponse(ctx));
    if (!byState && !stateless) return;
    // judge only the first code/token-bearing response of the flow (internal re-dispatch after it)
    const rs = flow.responses;
    for (let i = 0; i < rs.length - 1; i++) if (rs[i].code !== undefined || rs[i].hasToken) return;
    // the redirect URIs the client itself issued this state with (a user restarting at another
    // provider issues it twice); a redirect_uri only an AS relayed (COAT) does not count
    // the usual callback: the flow's own redirect_uri (one of the expected ones), no set to build;
    // most often the very same string (no lookup then)
    if (msg.url.base === flow.redirectUri) return;
    const actual = redirectBaseOf(msg.url.base);
    if (flow.redirectUri && redirectBaseOf(flow.redirectUri) === actual) return;
    const expected = new Set([flow.redirectUri, ...ctx.store.clientIssued(flow).map((r) => r.redirectUri)].filter((u): u is string => !!u).map(redirectBaseOf));
    if (expected.has(actual)) return;
    // stateless: the callback is exactly a redirect_uri an AS relayed into this flow (a prefix match
    // alone could be a path below the client's own redirect_uri)
    const relayed = flow.requests.slice(1).filter((r) => r.redirectUri !== undefined && redirectBaseOf(r.redirectUri) === actual);
    if (stateless && relayed.length === 0) return;
    const first = flow.requests[0];
    const b = flowBinding(flow, relayed[0]);
    const key = byState ? 'state' : b.what;
    ctx.report({
      ...(stateless ? { confidence: 'heuristic' as const } : {}),
      message:
        `The response ${byState ? "carrying this flow's state" : `of this stateless flow (its ${b.what} relayed to ${relayed[0]?.as.origin})`} arrived at ${msg.url.base}, but the ${key} was issued with redirect_uri ` +
        `${flow.redirectUri} for ${first.as.origin}: the ${key} came back through another context's callback.` +
        (stateless ? ' The response carries no state: only the tab, the redirect_uri and the timing link it to the flow.' : ''),
      evidence: [
        requestEvidence(first, 'redirect_uri', `${key} issued with redirect_uri ${flow.redirectUri}`),
        ctx.evidence(msg.obs, byState ? 'state' : msg.params.has('code') ? 'code' : 'redirect_uri', `response with ${msg.params.has('code') ? 'a code' : 'a token'} at ${msg.url.base}`),
      ],
    });
  },
});
