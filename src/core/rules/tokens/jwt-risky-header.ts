import { tryDecodeToken } from '../../tokens/decode';
import { riskyHeaderChecks } from '../../tokens/findings';
import { jwtSources, okResponse } from '../../tokens/sources';
import { defineRule } from '../types';
import { ref } from '../../report/standards';

/** OIDC Core §2 / §10.1: key-carrying headers, odd kid values, HMAC ID tokens for public clients. */
export default defineRule({
  meta: {
    id: 'jwt-risky-header',
    title: 'Risky JOSE header (jku/x5u/jwk/x5c, odd kid, HS* for a public client)',
    severity: 'medium',
    confidence: 'strong',
    references: [ref('OIDC-CORE', '2'), ref('OIDC-CORE', '10.1'), ref('RFC8725', '3.10')],
    description:
      'An ID token, logout token or JARM response with a jku, x5u, jwk or x5c header (OIDC Core §2: SHOULD NOT), any observed JWT whose kid contains path, URL or SQL metacharacters, or an ID token signed HS256/384/512 for a public client (the key is a client secret held in the browser).',
    tier: 2,
    on: ['authorization-request', 'authorization-response', 'token-request', 'par-request', 'client-auth-request', 'other', 'end-session'],
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { msg } = ctx;
    if (ctx.replay) return;
    // public client: a token request without any client authentication (an SPA or native app)
    const publicClient =
      msg.kind === 'token-request' &&
      okResponse(msg) &&
      !msg.params.has('client_secret') &&
      !msg.params.has('client_assertion') &&
      !msg.obs.requestHeaders.some((h) => h.name.toLowerCase() === 'authorization');
    for (const src of jwtSources(msg)) {
      const r = tryDecodeToken(src.value);
      if (!r) continue;
      const keyHeadersApply = src.use === 'id_token' || src.use === 'logout_token' || src.use === 'jarm';
      const found = riskyHeaderChecks(r, { use: src.use === 'id_token' ? 'id_token' : 'unknown', publicClient }).filter(
        (f) => keyHeadersApply || f.variant === 'kid-metacharacters',
      );
      for (const f of found) {
        ctx.report({
          variant: f.variant,
          message: `${f.message} (${src.param}${src.inResponse ? ' in the token response' : ''} at ${msg.url?.base ?? ''})`,
          evidence: [ctx.evidence(msg.obs, src.param, `header ${JSON.stringify(r.header).slice(0, 200)}`, src.value)],
        });
      }
    }
  },
});
