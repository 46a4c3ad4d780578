import { defineRule } from '../types';
import { cookieSent, judgeCallback } from '../support/callback-binding';
import { ref } from '../../report/standards';

/**
 * draft-02 §2.3, RFC 9700 §4.7.1: a server-rendered callback that the client completes although the
 * browser sent nothing that ties it to the browser that started the flow.
 */
export default defineRule({
  meta: {
    id: 'callback-without-browser-binding',
    title: 'Callback completed without any browser binding',
    severity: 'high',
    confidence: 'heuristic',
    references: [ref('OAUTH-SECURITY-UPDATE', '2.3'), ref('WUERTELE-02', '2.3'), ref('RFC9700', '4.7.1')],
    description:
      'A server-rendered (query-mode) authorization response reaches the client with no Cookie, and the client answers it as a success (a redirect to a non-error page, or a new session Set-Cookie): only the state ties the callback to the flow, so any browser holding the link could complete it. Judged only when the capture showed a Cookie request header before the callback (sanitized HAR exports drop cookies: insufficient evidence). Info variant flow-not-started-here: the flow\'s first authorization request was opened directly, with no hop from the client.',
    tier: 2,
    on: ['authorization-response'],
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { msg, flow, store } = ctx;
    const o = msg.obs;
    if (ctx.replay || !msg.url) return;
    if (!(msg.params.has('code') || msg.params.has('access_token') || msg.params.has('id_token')) || msg.params.has('error')) return;

    // info: the flow was not started from the client in this browser (the link was opened directly)
    const first = flow?.requests[0];
    if (flow && first && first.via === 'none') {
      const start = store.contextStart.get(flow.context);
      // G6: an authorization request that is the first thing the capture saw may just be a late start
      if (start !== undefined && start < first.time) {
        ctx.report({
          severity: 'info',
          variant: 'flow-not-started-here',
          message: `The authorization request to ${first.as.origin} was opened directly (no navigation from ${flow.client ?? 'the client'} led to it), and its callback ${msg.url.base} is completed in this browser.`,
          evidence: [{ ...first.ref, url: first.url, note: 'opened directly, no previous hop' }, ctx.evidence(o, 'state', 'callback completed here')],
        });
      }
    }

    // server-rendered only: a fragment never reaches the server; a form_post is a cross-site POST
    // whose SameSite=Lax cookies are withheld (the client judges the next same-origin hop)
    if (msg.responseMode !== 'query' || o.navigationOnly || (o.type !== 'main_frame' && o.type !== 'sub_frame')) return;
    // (each test below only returns: the cheap ones first, judgeCallback last)
    // an SPA answered 200 may still redeem the code from the page with its PKCE verifier
    const status = o.status ?? 200;
    if (status < 300 && flow?.codeChallenge !== undefined) return;
    // sanitized HAR exports drop Cookie and Set-Cookie alike: a missing Cookie counts only when the
    // capture showed a Cookie request header before this callback (insufficient evidence otherwise)
    if (cookieSent(msg) || !store.cookieHeadersSeenBefore(o.time)) return;
    const b = judgeCallback(msg);
    if (b.cookieSent || !b.success) return;
    const how = b.success.kind === 'redirect' ? `redirects to ${b.success.location}` : `sets a new ${b.success.name} cookie`;
    ctx.report({
      message: `The callback ${msg.url.base} carried no cookie of the client, only the state, yet the client ${how}: nothing binds the flow to the browser that started it, so any browser with this callback URL can complete it.`,
      evidence: [
        ctx.evidence(o, 'Cookie', 'no Cookie header on the callback request'),
        ctx.evidence(o, b.success.kind === 'redirect' ? 'Location' : 'Set-Cookie', b.success.kind === 'redirect' ? `success: ${b.success.location}` : `new session cookie ${b.success.name}`),
      ],
    });
  },
});
