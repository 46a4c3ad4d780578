import { isLoopbackHost, parseUrl } from '../../util/url';
import { defineRule } from '../types';

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
    references: ['RFC 9700 §2.1.1', 'RFC 7636 §4'],
    description:
      'An authorization request for a code (response_type containing code, or the GitHub/Slack shape without response_type) with known parameters and no code_challenge: a stolen or injected code can be redeemed. High for public clients, medium otherwise, low for a confidential OpenID Connect client that sends a nonce.',
    tier: 1,
    on: ['authorization-request'],
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { msg, flow, store } = ctx;
    if (ctx.replay || !msg.paramsKnown || msg.params.has('code_challenge')) return;
    if (flow && flow.requests.length > 1) return; // later hops are judged at their first request
    const rt = msg.params.get('response_type');
    const codeFlow = rt === undefined ? msg.params.has('redirect_uri') : rt.split(/\s+/).includes('code');
    if (!codeFlow) return;
    const ru = msg.params.get('redirect_uri');
    const u = ru ? parseUrl(ru) : undefined;
    const mode = msg.params.get('response_mode');
    const publicEvidence: string[] = [];
    if (u && isLoopbackHost(u.hostname)) publicEvidence.push('loopback redirect URI');
    if (u && u.protocol !== 'https:' && u.protocol !== 'http:') publicEvidence.push('custom-scheme redirect URI');
    if (mode === 'fragment' || mode === 'web_message') publicEvidence.push(`response_mode=${mode}`);
    const oidc = /(^|\s)openid(\s|$)/.test(msg.params.get('scope') ?? '') || /(^|\s)id_token(\s|$)/.test(rt ?? '');
    const publicOnly = PKCE_PUBLIC_ONLY.some((re) => re.test(msg.url?.base ?? ''));
    const severity = publicEvidence.length > 0 ? 'high' : (oidc && msg.params.has('nonce')) || publicOnly ? 'low' : 'medium';
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
        (publicEvidence.length ? ` although the client looks public (${publicEvidence.join(', ')})` : oidc && msg.params.has('nonce') ? ' (an OpenID Connect client with a nonce; PKCE is still recommended)' : '') +
        '.' + asNote,
      evidence: [ctx.evidence(msg.obs, 'code_challenge', publicEvidence.length ? `public client: ${publicEvidence.join(', ')}` : 'no code_challenge')],
    });
  },
});
