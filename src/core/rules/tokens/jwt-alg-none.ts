import { ruleToken, type TokenReport } from '../../tokens/decode';
import { algNoneCheck } from '../../tokens/findings';
import { authorizationJwt, jwtSources } from '../../tokens/sources';
import { hashSecret } from '../../util/secret';
import { TOKEN_WHAT, type TokenDraft, type TokenPlace } from '../support/token-place';
import { defineRule } from '../types';
import { ref } from '../../report/standards';

/** The verdict on one token where it was met (also the token view's, tokens/warnings.ts). */
export function algNoneDraft(r: TokenReport, at: TokenPlace): TokenDraft | undefined {
  const f = algNoneCheck(r, at.frontChannel);
  if (!f) return undefined;
  const where = at.inResponse ? 'in the token response' : at.frontChannel ? 'in the front channel' : `sent to ${at.url}`;
  return { severity: f.severity, variant: f.variant, messageId: f.variant ?? 'alg-none', data: { what: TOKEN_WHAT[at.use], param: at.param, where, alg: JSON.stringify(r.header.alg ?? null) } };
}

/** A JWT access token presented to a resource server (Authorization: Bearer/DPoP): back channel, so high. */
export function bearerAlgNoneDraft(r: TokenReport, url: string): TokenDraft | undefined {
  const f = algNoneCheck(r, false);
  if (!f) return undefined;
  return { severity: f.severity, variant: f.variant, messageId: `bearer-${f.variant}`, data: { url, alg: JSON.stringify(r.header.alg ?? null) } };
}

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
    // an 'other' message: the Authorization header, or a back-channel logout_token (jwtSources)
    prefilter: { requestHeaders: ['authorization'], bodyFields: ['logout_token'] },
    needs: { jwt: true, requestHeaders: ['authorization'] },
    vantage: ['BG', 'DT', 'HAR'],
    messages: {
      'alg-none': 'The {what} ({param}) {where} has alg {alg}: it is unsigned, so anyone can forge it.',
      'empty-signature': 'The {what} ({param}) {where} claims alg {alg} but its signature is empty: anyone can forge it.',
      'bearer-alg-none': 'The bearer token sent to {url} is a JWT with alg {alg}: if the resource server accepts it, anyone can forge access tokens.',
      'bearer-empty-signature': 'The bearer token sent to {url} is a JWT with alg {alg} and an empty signature: if the resource server accepts it, anyone can forge access tokens.',
    },
  },
  check(ctx) {
    const { msg } = ctx;
    if (ctx.replay) return;
    const sources = jwtSources(msg);
    for (let i = 0; i < sources.length; i++) {
      const src = sources[i];
      const r = ruleToken(src.value, true); // a compact JWS (jwtSources)
      // the verdict first: the place (a new object per token) and the URL only for a finding
      if (!r || !algNoneCheck(r, src.frontChannel)) continue;
      const d = algNoneDraft(r, { param: src.param, use: src.use, frontChannel: src.frontChannel, inResponse: src.inResponse, url: msg.url?.base ?? msg.obs.url });
      if (!d) continue;
      ctx.report({ ...d, evidence: [ctx.evidence(msg.obs, src.param, `alg ${JSON.stringify(r.header.alg ?? null)}${r.signature?.empty ? ', empty signature' : ''}`, src.value)] });
    }
    // a JWT access token presented to a resource server: one finding per token, not per API call
    const presented = authorizationJwt(msg.obs);
    if (!presented) return;
    const jwt = presented.jwt;
    const r = presented.report; // ruleToken(jwt, true), kept on the token (tokens/presented.ts)
    // ('other' messages parse their URL on first use: only for a finding)
    if (!r || !algNoneCheck(r, false)) return;
    const d = bearerAlgNoneDraft(r, msg.url?.base ?? msg.obs.url);
    if (!d) return;
    ctx.report({
      ...d,
      fingerprint: `bearer:${hashSecret(jwt)}`,
      evidence: [ctx.evidence(msg.obs, 'authorization', `Authorization header JWT: alg ${JSON.stringify(r.header.alg ?? null)}${r.signature?.empty ? ', empty signature' : ''}`, jwt)],
    });
  },
});
