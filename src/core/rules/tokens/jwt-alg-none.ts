import { tryDecodeToken } from '../../tokens/decode';
import { algNoneCheck } from '../../tokens/findings';
import { authorizationJwt, jwtSources, type JwtUse } from '../../tokens/sources';
import { hashSecret } from '../../util/secret';
import { defineRule } from '../types';
import { ref } from '../../report/standards';

const WHAT: Record<JwtUse, string> = {
  id_token: 'ID token',
  access_token: 'JWT access token',
  assertion: 'client assertion',
  request: 'request object',
  logout_token: 'logout token',
  jarm: 'JARM response',
};

/** OIDC Core §2: ID tokens (and every other JWT a client or AS relies on) must be signed. */
export default defineRule({
  meta: {
    id: 'jwt-alg-none',
    title: 'Unsecured JWT: alg "none" or an empty signature',
    severity: 'critical',
    confidence: 'strong',
    references: [ref('OIDC-CORE', '2'), ref('RFC7519', '6'), ref('RFC8725', '3.1')],
    description:
      'An ID token, JARM response, request object, logout token, client assertion or JWT access token whose header says alg "none" (in any case), or whose signature is empty under a real alg: anyone can forge such a token. Critical in the front channel, high otherwise.',
    tier: 1,
    // 'any': API calls with an Authorization header are plain 'other' traffic, which the engine
    // hands to 'any' rules only
    on: 'any',
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { msg } = ctx;
    if (ctx.replay) return;
    for (const src of jwtSources(msg)) {
      const r = tryDecodeToken(src.value);
      if (!r) continue;
      const f = algNoneCheck(r, src.frontChannel);
      if (!f) continue;
      const where = src.inResponse ? 'in the token response' : src.frontChannel ? 'in the front channel' : `sent to ${msg.url?.base ?? msg.obs.url}`;
      const alg = JSON.stringify(r.header.alg ?? null);
      ctx.report({
        severity: f.severity,
        variant: f.variant,
        message:
          f.variant === 'empty-signature'
            ? `The ${WHAT[src.use]} (${src.param}) ${where} claims alg ${alg} but its signature is empty: anyone can forge it.`
            : `The ${WHAT[src.use]} (${src.param}) ${where} has alg ${alg}: it is unsigned, so anyone can forge it.`,
        evidence: [ctx.evidence(msg.obs, src.param, `alg ${JSON.stringify(r.header.alg ?? null)}${r.signature?.empty ? ', empty signature' : ''}`, src.value)],
      });
    }
    // a JWT access token presented to a resource server (Authorization: Bearer/DPoP <JWT>): back
    // channel as far as the token is concerned, so high; one finding per token, not per API call
    const jwt = authorizationJwt(msg.obs)?.jwt;
    if (!jwt) return;
    const r = tryDecodeToken(jwt);
    const f = r && algNoneCheck(r, false);
    if (!r || !f) return;
    ctx.report({
      severity: f.severity,
      variant: f.variant,
      fingerprint: `bearer:${hashSecret(jwt)}`,
      message: `The bearer token sent to ${msg.url?.base ?? msg.obs.url} is a JWT with alg ${JSON.stringify(r.header.alg ?? null)}${f.variant === 'empty-signature' ? ' and an empty signature' : ''}: if the resource server accepts it, anyone can forge access tokens.`,
      evidence: [ctx.evidence(msg.obs, 'authorization', `Authorization header JWT: alg ${JSON.stringify(r.header.alg ?? null)}${r.signature?.empty ? ', empty signature' : ''}`, jwt)],
    });
  },
});
