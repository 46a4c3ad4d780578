import { defineRule } from '../types';
import { requestParams } from '../support/request-params';
import { ref } from '../../report/standards';

/** RFC 7636 §4.2 (use S256 if capable), §4.3 (plain is the default), RFC 9700 §2.1.1. */
export default defineRule({
  meta: {
    id: 'pkce-plain',
    title: 'PKCE with the plain method',
    severity: 'medium',
    confidence: 'strong',
    references: [ref('RFC7636', '4.2'), ref('RFC7636', '4.3'), ref('RFC9700', '2.1.1')],
    description:
      'An authorization request sends code_challenge_method=plain, or a code_challenge without a method (the default is plain): the challenge equals the verifier, so anyone who sees the request can redeem the code.',
    tier: 1,
    on: ['authorization-request'],
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { msg, flow } = ctx;
    const get = requestParams(ctx); // visible parameters, or the pushed body of a PAR request_uri
    if (ctx.replay || !get) return;
    if (flow && flow.requests.length > 1) return;
    const challenge = get('code_challenge');
    if (!challenge) return; // none or empty: pkce-missing
    // an empty code_challenge_method is the absent one (the AS applies the default, plain)
    const method = get('code_challenge_method') || undefined;
    if (method !== undefined && method !== 'plain' && method.toLowerCase() === 's256') return;
    if (method !== undefined && method !== 'plain') return; // unknown method: pkce-s256-malformed territory
    const looksS256 = /^[A-Za-z0-9_-]{43}$/.test(challenge);
    ctx.report({
      variant: method === undefined ? 'method-absent' : 'plain',
      message:
        method === undefined
          ? `The request to ${msg.url?.base} sends a code_challenge without code_challenge_method, so the AS applies "plain".` +
            (looksS256 ? ' The challenge looks like an S256 value: the AS may assume S256 (Salesforce\'s docs omit the method).' : '')
          : `The request to ${msg.url?.base} uses code_challenge_method=plain: the challenge is the verifier itself.`,
      evidence: [ctx.evidence(msg.obs, method === undefined ? 'code_challenge' : 'code_challenge_method', method === undefined ? 'no method' : 'plain')],
    });
  },
});
