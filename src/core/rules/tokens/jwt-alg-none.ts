import { tryDecodeToken } from '../../tokens/decode';
import { algNoneCheck } from '../../tokens/findings';
import { jwtSources, type JwtUse } from '../../tokens/sources';
import { defineRule } from '../types';

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
    references: ['OIDC Core §2', 'RFC 7519 §6', 'RFC 8725 §3.1'],
    description:
      'An ID token, JARM response, request object, logout token, client assertion or JWT access token whose header says alg "none" (in any case), or whose signature is empty under a real alg: anyone can forge such a token. Critical in the front channel, high otherwise.',
    tier: 1,
    on: ['authorization-request', 'authorization-response', 'token-request', 'par-request', 'client-auth-request', 'other', 'pre-authorization', 'end-session'],
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
  },
});
