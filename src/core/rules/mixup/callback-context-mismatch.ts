import { normalizeRedirectBase } from '../../flows/store';
import { hashSecret } from '../../util/secret';
import { defineRule } from '../types';
import { carriesCredential, requestEvidence } from '../support/mixup';
import { ref } from '../../report/standards';

/**
 * draft-02 §2.2.2: the context in the redirect URI must match the one stored for the flow. A
 * response carrying state S lands on a redirect URI other than the one S was issued with.
 */
export default defineRule({
  meta: {
    id: 'callback-context-mismatch',
    title: 'Authorization response landed on another redirect URI than its state was issued with',
    severity: 'high',
    confidence: 'strong',
    references: [ref('OAUTH-SECURITY-UPDATE', '2.2.2'), ref('WUERTELE-02', '2.2.2'), ref('RFC9700', '4.4.2.2')],
    description:
      'An authorization response with a code or token carries state S, but arrives at a callback (scheme, host, path) other than the redirect_uri S was issued with: the state came back through another AS\'s or tool\'s redirect URI.',
    tier: 1,
    on: ['authorization-response'],
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { flow, msg } = ctx;
    if (!flow || ctx.replay || !msg.url || !flow.redirectUri || !carriesCredential(ctx)) return;
    const state = msg.params.get('state');
    if (state === undefined || flow.state?.hash !== hashSecret(state)) return; // linked by state only
    // judge only the first code/token-bearing response of the flow (internal re-dispatch after it)
    const earlier = flow.responses.slice(0, -1).some((r) => r.code !== undefined || r.hasToken);
    if (earlier) return;
    // the redirect URIs the client itself issued this state with (a user restarting at another
    // provider issues it twice); a redirect_uri only an AS relayed (COAT) does not count
    const expected = new Set([flow.redirectUri, ...ctx.store.clientIssued(flow).map((r) => r.redirectUri)].filter((u): u is string => !!u).map(normalizeRedirectBase));
    const actual = normalizeRedirectBase(msg.url.base);
    if (expected.has(actual)) return;
    const first = flow.requests[0];
    ctx.report({
      message:
        `The response carrying this flow's state arrived at ${msg.url.base}, but the state was issued with redirect_uri ` +
        `${flow.redirectUri} for ${first.as.origin}: the state came back through another context's callback.`,
      evidence: [
        requestEvidence(first, 'redirect_uri', `state issued with redirect_uri ${flow.redirectUri}`),
        ctx.evidence(msg.obs, 'state', `response with ${msg.params.has('code') ? 'a code' : 'a token'} at ${msg.url.base}`),
      ],
    });
  },
});
