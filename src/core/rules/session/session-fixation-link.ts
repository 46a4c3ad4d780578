import { header, headersAll } from '../../observe/observation';
import { decodeJwtPayloadUnsafe } from '../../tokens/peek';
import { entropyBits } from '../../util/secret';
import { parseUrl, siteOf } from '../../util/url';
import { defineRule } from '../types';
import { sessionFields } from '../support/state-analysis';
import { ref } from '../../report/standards';

const SESSION_PARAM = /^((auth_?)?sess(ion)?(_?id)?|sid|link_?token|connect(ion)?_?(id|token)|ticket|handoff|binding)$/i;

/**
 * The Location is an authorization request (§0.2 shape, including JAR `request` and PAR
 * `request_uri`); returns its redirect_uri when visible (query or an unverified JWS payload).
 */
function authorizationRequestAt(u: string): { redirectUri?: string } | undefined {
  const p = parseUrl(u);
  if (!p) return undefined;
  const q = p.query;
  if (!(q.has('client_id') && (q.has('response_type') || q.has('redirect_uri') || q.has('request_uri') || q.has('request')))) return undefined;
  const request = q.get('request');
  const inObject = request ? decodeJwtPayloadUnsafe(request)?.redirect_uri : undefined;
  return { redirectUri: q.get('redirect_uri') ?? (typeof inObject === 'string' ? inObject : undefined) };
}

/** the site of an origin, remembered (the same client and AS origins come back on every callback) */
const site = (origin: string | undefined): string | undefined => {
  if (!origin) return undefined;
  let s = sites.get(origin);
  if (s === undefined) {
    s = siteOf(parseUrl(origin)?.hostname ?? origin);
    if (sites.size >= 512) sites.clear();
    sites.set(origin, s);
  }
  return s;
};
const sites = new Map<string, string>();

/** draft-02 §2.3: cross-user session fixation into an OAuth connection flow. */
export default defineRule({
  meta: {
    id: 'session-fixation-link',
    title: 'Session identifier fixed through a link into an OAuth flow',
    severity: 'high',
    confidence: 'heuristic',
    references: [ref('OAUTH-SECURITY-UPDATE', '2.3'), ref('WUERTELE-02', '2.3')],
    description:
      '(a) A GET to the client carries a session-like parameter of at least 64 bits that the client copies into a Set-Cookie while redirecting to an authorization request; or (b) an authorization request reached cross-site from a third origin carries a state with a session identifier, and its callback is completed in this browser: someone else\'s session is being bound to this user\'s authorization.',
    tier: 1,
    on: ['pre-authorization', 'authorization-response'],
    // (a) a GET; (b) a callback's state
    needs: { methods: ['GET'], params: ['state'] },
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { msg, flow } = ctx;
    const o = msg.obs;
    if (ctx.replay) return;
    if (msg.kind === 'pre-authorization') {
      // the method and the Location first: parse the Location of a GET redirect only
      if (o.method !== 'GET' || !o.location || !msg.url) return;
      const areq = authorizationRequestAt(o.location);
      if (!areq) return;
      // (a) is a GET to C: a hop on another site (a click tracker, a link shortener) fixes no client session
      const ru = areq.redirectUri ? parseUrl(areq.redirectUri) : undefined;
      const clientSite = ru && (ru.protocol === 'https:' || ru.protocol === 'http:') ? site(ru.origin) : undefined;
      if (clientSite && site(msg.url.origin) !== clientSite) return;
      const cookiesSent = header(o.requestHeaders, 'cookie');
      const setCookies = headersAll(o.responseHeaders, 'set-cookie');
      for (const [name, value] of msg.query.entries) {
        if (!SESSION_PARAM.test(name) || value.length < 8 || entropyBits(value) < 64) continue;
        // the cookie may carry the value as it was in the URL (percent-encoded) or decoded
        const encoded = encodeURIComponent(value);
        const echoed = setCookies.some((c) => c.includes(value) || c.includes(encoded));
        const hadSession = cookiesSent !== undefined && cookiesSent.length > 0;
        ctx.report({
          severity: hadSession ? 'low' : echoed ? 'high' : 'medium',
          variant: 'pre-authorization-url',
          message:
            `${msg.url.base}?${name}=… redirects to an authorization request` +
            (echoed ? ` and sets a cookie containing the ${name} value from the URL` : '') +
            (hadSession ? ' (the request already carried the client\'s cookies, so the binding may be validated)' : ': whoever sent this link chooses the session the authorization will be bound to') + '.',
          evidence: [ctx.evidence(o, name, echoed ? 'value echoed in Set-Cookie' : 'session-like parameter', value)],
        });
        return;
      }
      return;
    }
    // (b): the callback of a flow that a third origin started, whose state carries a session id
    if (!flow || !msg.url) return;
    const state = msg.params.get('state');
    if (!state || !(msg.params.has('code') || msg.params.has('access_token'))) return;
    const first = flow.requests[0];
    if (!first || first.via === 'none' || !flow.opener) return;
    // the state's shape is remembered per value (state-weak judged it at the request): before the sites
    const fields = sessionFields(state);
    if (fields.length === 0) return;
    const openerSite = site(flow.opener);
    if (!openerSite || openerSite === site(flow.client) || flow.requests.some((r) => site(r.as.origin) === openerSite)) return;
    const cookies = header(o.requestHeaders, 'cookie');
    ctx.report({
      severity: cookies ? 'low' : 'high',
      variant: 'state-carries-session',
      message: `The flow to ${first.as.origin} was started from ${flow.opener} (a third site), its state carries ${fields.join(', ')}, and its callback ${msg.url.base} is completed in this browser${cookies ? ' (with client cookies sent)' : ' without any client cookie'}: the session in the state is not this user's.`,
      evidence: [{ ...first.ref, url: first.url, param: 'state', note: `opened from ${flow.opener}` }, ctx.evidence(o, 'state', `state fields: ${fields.join(', ')}`)],
    });
  },
});
