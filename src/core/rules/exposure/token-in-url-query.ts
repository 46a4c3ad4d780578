import { hashSecret } from '../../util/secret';
import { defineRule } from '../types';
import { ref } from '../../report/standards';

const NAMES = ['access_token', 'refresh_token', 'id_token', 'client_secret', 'code_verifier', 'assertion', 'client_assertion'];
/** fast pre-filter on the raw URL before anything is parsed (hot path) */
const QUICK = /[?&](access_token|refresh_token|id_token|id_token_hint|client_secret|code_verifier|assertion|client_assertion)=/;
/** a parameter name with a percent-encoded "_" (servers decode names): the full parse decides */
const ENCODED_NAME = /[?&][a-z]+%5f[a-z_%0-9]*=/i;

/**
 * RFC 9700 §4.3.2, RFC 6750 §2.3, OAuth Multiple Response Types §3/§5: credentials in a URL query.
 * Exact parameter names only. One regex test per observation on the hot path.
 */
export default defineRule({
  meta: {
    id: 'token-in-url-query',
    title: 'Token, secret or verifier in a URL query string',
    severity: 'high',
    confidence: 'strong',
    references: [ref('RFC9700', '4.3.2'), ref('RFC6750', '2.3'), ref('OAUTH-MRT', '5')],
    description:
      'A request URL\'s query carries access_token, refresh_token, id_token, client_secret, code_verifier, assertion or client_assertion: query strings end up in server logs, proxies, history and Referer headers.',
    tier: 1,
    on: 'any',
    // id_token_hint is reported on end-session requests only (never an 'other' message)
    prefilter: { urlParams: NAMES },
    needs: { urlParams: [...NAMES, 'id_token_hint'] },
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { msg } = ctx;
    const url = msg.obs.url;
    const hash = url.indexOf('#');
    const beforeHash = hash < 0 ? url : url.slice(0, hash);
    if (!(QUICK.test(beforeHash) || (beforeHash.indexOf('%') >= 0 && ENCODED_NAME.test(beforeHash))) || !msg.url) return;
    const qp = msg.query;
    for (const name of NAMES) {
      // the first non-empty value: `?access_token=&access_token=<token>` still carries one
      const v = qp.getAll(name).find((x) => x !== '');
      if (v === undefined) continue;
      const critical = name === 'refresh_token' || name === 'client_secret';
      const api = !critical && (msg.obs.type === 'xhr' || msg.obs.type === 'fetch' || msg.obs.type === 'script' || msg.obs.type === 'image') && msg.kind !== 'authorization-response';
      ctx.report({
        severity: critical ? 'critical' : api ? 'medium' : 'high',
        variant: msg.kind === 'authorization-response' ? 'response-in-query' : api ? 'api-query' : undefined,
        fingerprint: `${name}:${hashSecret(v)}`,
        message:
          msg.kind === 'authorization-response'
            ? `The authorization response at ${msg.url.base} delivers ${name} in the query string; token responses must not use query encoding.`
            : `${name} is sent in the query of ${msg.url.base}${api ? ' (an API call; some legacy APIs document this)' : ''}.`,
        evidence: [ctx.evidence(msg.obs, name, `${name} in the URL query`, v)],
      });
    }
    const hint = qp.get('id_token_hint');
    // an authorization request may carry id_token_hint too (OIDC Core §3.1.2.1, silent renewal):
    // only the logout shape is this info (the classifier files every id_token_hint as end-session)
    if (hint && msg.kind === 'end-session' && !(msg.params.has('response_type') && msg.params.has('client_id'))) {
      ctx.report({
        severity: 'info',
        variant: 'id-token-hint',
        fingerprint: `hint:${hashSecret(hint)}`,
        message: `The end-session request to ${msg.url.base} carries the ID token as id_token_hint in its query (OIDC RP-Initiated Logout allows it; prefer POST).`,
        evidence: [ctx.evidence(msg.obs, 'id_token_hint', 'ID token in the logout URL', hint)],
      });
    }
  },
});
