import { bearerUsedOnlyAt } from '../../mcp/ledger';
import { requestOrigin } from '../../observe/raw';
import { authorizationJwt } from '../../tokens/sources';
import { urlAudiences, type UrlAudience } from '../../tokens/presented';
import { hashSecret } from '../../util/secret';
import { parseUrl, siteOf } from '../../util/url';
import { mcpRevision } from '../support/mcp';
import { ref } from '../../report/standards';
import { defineRule } from '../types';


/** the audience URL matches the request: same origin, or a path prefix of the request URL */
function matches(aud: string, url: string): boolean {
  const a = parseUrl(aud);
  const u = parseUrl(url);
  if (!a || !u) return false;
  if (a.origin === u.origin) return true;
  return url.startsWith(aud.replace(/\/?$/, '/')) || url === aud;
}

/** no URL audience, or one of them has this origin */
function audienceAt(auds: readonly UrlAudience[], origin: string): boolean {
  if (auds.length === 0) return true;
  for (let i = 0; i < auds.length; i++) if (auds[i].origin === origin) return true;
  return false;
}

/** MCP security best practices (token passthrough); RFC 8707 §2; RFC 9068 §4. */
export default defineRule({
  meta: {
    id: 'bearer-audience-mismatch',
    title: 'Bearer token sent to a resource it was not issued for',
    severity: 'medium',
    confidence: 'strong',
    references: [ref('MCP-AUTH', 'Token Audience Binding and Validation'), ref('RFC8707', '2'), ref('RFC9068', '4')],
    description:
      'An Authorization: Bearer JWT access token whose aud is one or more absolute URLs, none of which has the origin of the request it is sent with (or is a path prefix of its URL); or one access token sent to resource servers of two different sites. Either a client passes a token to the wrong server or a server passes a token through to another (the MCP "token passthrough" anti-pattern). Non-URL audiences, opaque tokens and the AS\'s own userinfo endpoint are not judged.',
    tier: 2,
    on: 'any',
    prefilter: { requestHeaders: ['authorization'] },
    needs: { requestHeaders: ['authorization'] },
    vantage: ['DT', 'HAR'],
  },
  check(ctx) {
    const { msg, store } = ctx;
    const o = msg.obs;
    if (o.requestHeaders.length === 0 || msg.kind === 'token-request') return;
    const bearer = authorizationJwt(o);
    if (!bearer || bearer.scheme !== 'bearer') return;
    // (the payload, the ledger's key and the audiences' origins: found once per token, presented.ts)
    const payload = bearer.payload;
    if (!payload) return;
    // the usual call: the token goes to an origin among its audiences (or names no URL audience),
    // and every call it was seen on went to this same origin. Neither variant below can report
    // then: the answer of the checks below, found without parsing the request URL.
    const origin = requestOrigin(o);
    if (origin !== undefined && audienceAt(bearer.audiences, origin) && bearerUsedOnlyAt(store.mcp, bearer, origin)) return;
    const url = parseUrl(o.url);
    if (!url) return;
    // the AS's own endpoints (userinfo with an aud of the client): the token's issuer origin
    const iss = typeof payload.iss === 'string' ? parseUrl(payload.iss) : undefined;
    if (iss?.origin === url.origin || store.endpointKindFromMetadata(url.base) === 'userinfo') return;
    // an MCP context names the revision it applies; other traffic is judged by RFC 8707 / RFC 9068 alone
    const rev = store.mcp.discovered(o.context, o.time) ? mcpRevision(ctx) : { note: 'RFC 9068 §4' };
    const auds = urlAudiences(payload.aud);
    if (auds.length > 0 && !auds.some((a) => matches(a, o.url))) {
      ctx.report({
        variant: 'audience',
        fingerprint: `${hashSecret(bearer.jwt)}|${url.origin}`,
        message: `An access token issued for ${auds.join(', ')} is sent to ${url.origin}, which is none of its audiences: the receiver must reject it, and a server that forwards tokens it received passes them through (${rev.note}).`,
        evidence: [ctx.evidence(o, 'Authorization', `aud=${auds.join(' ')}`, bearer.jwt)],
      });
      return;
    }
    const uses = store.mcp.bearers.get(bearer.key) ?? [];
    // (the usual repeat: the token sent to the origin it was first sent to, no site to compute)
    const first = uses.find((x) => x.obsId !== o.id && x.origin !== url.origin && siteOf(parseUrl(x.origin)?.hostname ?? x.origin) !== siteOf(url.hostname));
    if (first && (auds.length === 0 || !auds.some((a) => matches(a, o.url)) || !auds.some((a) => matches(a, first.origin)))) {
      ctx.report({
        variant: 'two-resources',
        fingerprint: `${hashSecret(bearer.jwt)}|two`,
        message: `One access token is sent to ${first.origin} and to ${url.origin} (two sites): a token meant for one resource server reaches another (${rev.note}).`,
        evidence: [ctx.evidence(o, 'Authorization', `also sent to ${first.origin}`, bearer.jwt), { ...first.ref, url: first.origin, note: 'first use' }],
      });
    }
  },
});
