import { header } from '../../observe/observation';
import { isLoopbackHost, parseUrl } from '../../util/url';
import { defineRule, type Rule } from '../types';
import { requestParams } from '../support/request-params';
import { ref } from '../../report/standards';

/**
 * Authorization servers whose PKCE support is restricted, so that a confidential web client cannot
 * simply add it: Slack offers PKCE only to apps that are switched (one-way) to public clients
 * (docs.slack.dev "Using PKCE", GA 2026-03-30).
 */
const PKCE_PUBLIC_ONLY: RegExp[] = [/^https:\/\/slack\.com\/oauth\/v2\/authorize$/];

/** RFC 9700 §2.1.1, RFC 7636: code flows must use PKCE. */
export default defineRule({
  meta: {
    id: 'pkce-missing',
    title: 'Authorization code flow without PKCE',
    severity: 'high',
    confidence: 'strong',
    references: [ref('RFC9700', '2.1.1'), ref('RFC7636', '4')],
    description:
      'An authorization request for a code (response_type containing code, or the GitHub/Slack shape without response_type) with known parameters and no code_challenge: a stolen or injected code can be redeemed. High for public clients, medium otherwise, low for a confidential OpenID Connect client that sends a nonce.',
    tier: 1,
    on: ['authorization-request', 'token-request'],
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { msg, flow, store } = ctx;
    if (msg.kind === 'token-request') {
      tokenRequestEvidence(ctx);
      return;
    }
    // an empty code_challenge is no PKCE
    const get = requestParams(ctx); // visible parameters, or the pushed body of a PAR request_uri
    if (ctx.replay || !get || get('code_challenge')) return;
    if (flow && flow.requests.length > 1) return; // later hops are judged at their first request
    const rt = get('response_type');
    // no response_type: the GitHub/Slack shape, whose only response is a code
    const codeFlow = rt === undefined ? true : rt.split(/\s+/).includes('code');
    if (!codeFlow) return;
    const ru = get('redirect_uri');
    const u = ru ? parseUrl(ru) : undefined;
    const mode = get('response_mode');
    const publicEvidence: string[] = [];
    if (u && isLoopbackHost(u.hostname)) publicEvidence.push('loopback redirect URI');
    if (u && u.protocol !== 'https:' && u.protocol !== 'http:') publicEvidence.push('custom-scheme redirect URI');
    if (mode === 'fragment' || mode === 'web_message') publicEvidence.push(`response_mode=${mode}`);
    const oidc = /(^|\s)openid(\s|$)/.test(get('scope') ?? '') || /(^|\s)id_token(\s|$)/.test(rt ?? '');
    const publicOnly = PKCE_PUBLIC_ONLY.some((re) => re.test(msg.url?.base ?? ''));
    const severity = publicEvidence.length > 0 ? 'high' : (oidc && get('nonce')) || publicOnly ? 'low' : 'medium';
    const md = [...store.metadata.values()].find((m) => m.authorizationEndpoint?.split('?')[0] === msg.url?.base);
    const asNote =
      md && !md.codeChallengeMethods?.length
        ? ' The AS metadata advertises no code_challenge_methods_supported: the AS may not offer PKCE.'
        : publicOnly
          ? ' This AS offers PKCE only to apps marked as public clients, so a confidential client relies on its client secret.'
          : '';
    ctx.report({
      severity,
      variant: publicEvidence.length ? 'public-client' : undefined,
      message:
        `The code flow at ${msg.url?.base} sends no code_challenge` +
        (publicEvidence.length ? ` although the client looks public (${publicEvidence.join(', ')})` : oidc && get('nonce') ? ' (an OpenID Connect client with a nonce; PKCE is still recommended)' : '') +
        '.' + asNote,
      evidence: [ctx.evidence(msg.obs, 'code_challenge', publicEvidence.length ? `public client: ${publicEvidence.join(', ')}` : 'no code_challenge')],
    });
  },
});

/**
 * Public-client evidence that arrives after the authorization request (§1.D): the page itself
 * redeems the code of a flow that sent no code_challenge, without client authentication (no
 * client_secret, client_assertion or Authorization header) and without a code_verifier.
 */
function tokenRequestEvidence(ctx: Parameters<Rule['check']>[0]): void {
  const { msg, flow } = ctx;
  const o = msg.obs;
  if (!flow || (!flow.paramsKnown && !flow.pushed) || flow.codeChallenge || msg.params.get('grant_type') !== 'authorization_code') return;
  const rt = flow.responseType;
  if (rt !== undefined && !rt.split(/\s+/).includes('code')) return;
  const p = msg.params;
  if (p.has('client_secret') || p.has('client_assertion') || p.has('code_verifier') || header(o.requestHeaders, 'authorization') !== undefined) return;
  // sent by the page (browser fetch/XHR or a CORS Origin), not a server-side client seen by a proxy
  const fromPage = o.type === 'fetch' || o.type === 'xhr' || header(o.requestHeaders, 'origin') !== undefined;
  if (!fromPage) return;
  const first = flow.requests[0];
  ctx.report({
    severity: 'high',
    variant: 'public-client',
    message: `The code of a flow that sent no code_challenge is redeemed at ${msg.url?.base} by the page without client authentication: a public client without PKCE.`,
    evidence: [
      ...(first ? [{ ...first.ref, url: first.url, param: 'code_challenge', note: 'no code_challenge' }] : []),
      ctx.evidence(o, 'code_challenge', 'token request without client authentication or code_verifier'),
    ],
  });
}
