import { requestParams } from '../support/request-params';
import { defineRule } from '../types';
import { ref } from '../../report/standards';

/** RFC 9700 §2.1 / §4.7, RFC 6749 §10.12: CSRF protection of the redirect URI. */
export default defineRule({
  meta: {
    id: 'state-missing',
    title: 'Authorization request without state, PKCE or nonce',
    severity: 'high',
    confidence: 'strong',
    references: [ref('RFC9700', '2.1'), ref('RFC9700', '4.7'), ref('RFC6749', '10.12')],
    description:
      'An authorization request with known parameters carries no state, no code_challenge and no nonce: nothing ties the response to the browser that started the flow (CSRF, code injection). With PKCE or nonce only, the finding is info (medium when the AS metadata shows no PKCE support).',
    tier: 1,
    on: ['authorization-request'],
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { msg, flow, store } = ctx;
    // an empty state, code_challenge or nonce protects nothing: treated as absent
    const get = requestParams(ctx); // visible parameters, or the pushed body of a PAR request_uri
    if (ctx.replay || !get || get('state')) return;
    if (flow && flow.requests.length > 1) return; // a later hop of a flow: judged at its first request
    // only requests for a code or a token (OIDC response_type=none issues neither); no response_type is the GitHub/Slack code shape
    const rt = get('response_type');
    if (rt !== undefined && !rt.split(/\s+/).some((t) => t === 'code' || t === 'token' || t === 'id_token')) return;
    const pkce = !!get('code_challenge');
    const nonce = !!get('nonce');
    const where = msg.url?.base ?? msg.obs.url;
    if (!pkce && !nonce) {
      ctx.report({ message: `The authorization request to ${where} has no state, no PKCE code_challenge and no nonce: its response cannot be tied to this browser.`, evidence: [ctx.evidence(msg.obs, 'state', 'no state, code_challenge or nonce')] });
      return;
    }
    if (pkce) {
      const md = [...store.metadata.values()].find((m) => m.authorizationEndpoint && msg.url && m.authorizationEndpoint.split('?')[0] === msg.url.base);
      const noPkce = md !== undefined && (md.codeChallengeMethods === undefined || md.codeChallengeMethods.length === 0);
      ctx.report({
        severity: noPkce ? 'medium' : 'info',
        variant: 'pkce-only',
        message: noPkce
          ? `No state at ${where}; PKCE is sent, but the AS metadata advertises no code_challenge_methods_supported, so PKCE may be ignored (downgrade, RFC 9700 §4.8).`
          : `No state at ${where}; PKCE protects the code exchange (RFC 9700 §2.1 allows this when the AS supports PKCE).`,
        evidence: [ctx.evidence(msg.obs, 'state', 'no state; code_challenge present')],
      });
      return;
    }
    ctx.report({ severity: 'info', variant: 'nonce-only', message: `No state at ${where}; the OpenID Connect nonce gives CSRF protection for the ID token.`, evidence: [ctx.evidence(msg.obs, 'state', 'no state; nonce present')] });
  },
});
