import { defineRule } from '../types';
import { requestParams } from '../support/request-params';
import { ref } from '../../report/standards';

/** OIDC Core §3.2.2.1 / §3.3.2.11 (nonce REQUIRED for implicit/hybrid), RFC 9700 §4.5.3.2. */
export default defineRule({
  meta: {
    id: 'nonce-missing',
    title: 'OpenID Connect request without nonce',
    severity: 'high',
    confidence: 'strong',
    references: [ref('OIDC-CORE', '3.2.2.1'), ref('OIDC-CORE', '3.3.2.11'), ref('RFC9700', '4.5.3.2')],
    description:
      'An OpenID Connect authorization request (scope openid) with known parameters and no nonce: high when an ID token is returned in the front channel (response_type contains id_token, where nonce is REQUIRED); medium for a code flow without PKCE, where nothing else stops code injection.',
    tier: 1,
    on: ['authorization-request'],
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { msg, flow } = ctx;
    // an empty nonce (or code_challenge) protects nothing: treated as absent
    const get = requestParams(ctx); // visible parameters, or the pushed body of a PAR request_uri
    if (ctx.replay || !get || get('nonce')) return;
    if (flow && flow.requests.length > 1) return;
    if (!/(^|\s)openid(\s|$)/.test(get('scope') ?? '')) return;
    const rt = (get('response_type') ?? 'code').split(/\s+/);
    if (rt.includes('id_token')) {
      ctx.report({
        message: `The OpenID Connect request to ${msg.url?.base} returns an ID token in the front channel (response_type=${rt.join(' ')}) but sends no nonce: replayed ID tokens cannot be detected.`,
        evidence: [ctx.evidence(msg.obs, 'nonce', 'no nonce with response_type id_token')],
      });
      return;
    }
    if (rt.includes('code') && !get('code_challenge')) {
      ctx.report({
        severity: 'medium',
        variant: 'code-without-pkce',
        message: `The OpenID Connect code flow at ${msg.url?.base} sends neither nonce nor PKCE: nothing binds the code to this browser's transaction (code injection).`,
        evidence: [ctx.evidence(msg.obs, 'nonce', 'no nonce and no code_challenge')],
      });
    }
  },
});
