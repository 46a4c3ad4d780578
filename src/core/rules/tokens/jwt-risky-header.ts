import { ruleToken, type TokenReport } from '../../tokens/decode';
import { riskyHeaderChecks, riskyHeaderPossible } from '../../tokens/findings';
import { jwtSources, okResponse, type JwtSource } from '../../tokens/sources';
import type { TokenDraft, TokenPlace } from '../support/token-place';
import { defineRule, type RuleContext } from '../types';
import { ref } from '../../report/standards';

/**
 * The verdicts on one token where it was met (also the token view's, tokens/warnings.ts): key
 * headers count on ID tokens, logout tokens and JARM responses, an odd kid on any JWT.
 */
export function riskyHeaderDrafts(r: TokenReport, at: Omit<TokenPlace, 'url'> & { url: string | (() => string) }, publicClient: boolean | (() => boolean) = false): TokenDraft[] {
  const keyHeadersApply = at.use === 'id_token' || at.use === 'logout_token' || at.use === 'jarm';
  // whether the client is public matters only to an HS* ID token (riskyHeaderChecks): asked only then
  const hsIdToken = at.use === 'id_token' && typeof r.header.alg === 'string' && r.header.alg.startsWith('HS');
  const pc = hsIdToken && (typeof publicClient === 'function' ? publicClient() : publicClient);
  const found = riskyHeaderChecks(r, { use: at.use === 'id_token' ? 'id_token' : 'unknown', publicClient: pc }).filter((f) => keyHeadersApply || f.variant === 'kid-metacharacters');
  if (found.length === 0) return [];
  const where = `${at.param}${at.inResponse ? ' in the token response' : ''} at ${typeof at.url === 'function' ? at.url() : at.url}`;
  return found.map((f) => ({ variant: f.variant, messageId: f.variant!.startsWith('header-') ? 'key-header' : f.variant!, data: { ...f.data, where } }));
}

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
    needs: { jwt: true },
    vantage: ['BG', 'DT', 'HAR'],
    messages: {
      'key-header': 'The token carries a "{header}" header: a verifier that follows it lets the sender choose the key. ({where})',
      'kid-metacharacters': "The token's kid {kid} contains path, URL or SQL metacharacters. ({where})",
      'hs-public-client': 'The ID token is signed {alg} for a public client: the key is the client secret, which a public client cannot keep. ({where})',
    },
  },
  check(ctx) {
    const { msg } = ctx;
    if (ctx.replay) return;
    const sources = jwtSources(msg);
    for (let i = 0; i < sources.length; i++) {
      const src = sources[i];
      const r = ruleToken(src.value, true); // a compact JWS (jwtSources)
      // the usual token has nothing risky: no place, closure or array is built for it
      if (r && riskyHeaderPossible(r, src.use)) reportToken(ctx, src, r);
    }
  },
});

function reportToken(ctx: RuleContext, src: JwtSource, r: TokenReport): void {
  const { msg } = ctx;
  // public client: a token request without any client authentication (an SPA or native app)
  const publicClient = () =>
    msg.kind === 'token-request' &&
    okResponse(msg) &&
    !msg.params.has('client_secret') &&
    !msg.params.has('client_assertion') &&
    !msg.obs.requestHeaders.some((h) => h.name.toLowerCase() === 'authorization');
  const url = () => msg.url?.base ?? '';
  for (const d of riskyHeaderDrafts(r, { use: src.use, param: src.param, frontChannel: src.frontChannel, inResponse: src.inResponse, url }, publicClient)) {
    ctx.report({
      ...d,
      evidence: [ctx.evidence(msg.obs, src.param, `header ${JSON.stringify(r.header).slice(0, 200)}`, src.value)],
    });
  }
}
