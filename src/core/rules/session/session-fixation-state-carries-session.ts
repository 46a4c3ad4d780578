import type { Observation } from '../../observe/observation';
import { header, headersAll } from '../../observe/observation';
import { decodeJwtPayloadUnsafe } from '../../tokens/peek';
import { entropyBits } from '../../util/secret';
import { parseUrl, safeDecode, siteOf } from '../../util/url';
import { defineRule, type RuleContext } from '../types';
import { BINDING_COOKIE, judgeCallback, requestCookies, setCookiePair } from '../support/callback-binding';
import { SESSION_KEY, opaqueWeakness, sessionFields, stateShape } from '../support/state-analysis';
import { ref } from '../../report/standards';

/** pre-authorization parameter names that name a session (as session-fixation-link's, plus the state keys) */
const SESSION_PARAM = /^((auth_?)?sess(ion)?(_?id)?|sid|link_?token|connect(ion)?_?(id|token)|ticket|handoff|binding)$/i;
/** parameters a pre-authorization URL forwards to the AS, and navigation data: never a session */
const NOT_SESSION_PARAM =
  /^(state|nonce|code_challenge(_method)?|client_id|redirect_uri|response_type|response_mode|scope|prompt|login_hint|id_token_hint|acr_values|ui_locales|max_age|audience|resource|claims|request|request_uri|code_verifier|lti_message_hint|target_link_uri|iss)$|return|redirect|next|continue|callback|target|dest|url|(^|_)uri$|path|goto|origin|lang|locale|^utm_|^ref$|^from$/i;
const RANDOM_FIELD = /^(nonce|jti|csrf|csrf_?token|xsrf|token|security_token|secret|rand(om)?|salt)$/i;

/** The authorization request a pre-authorization response redirects to: its state and redirect_uri (query or unverified JWS). */
function authorizationRequestAt(location: string, base: string): { state?: string; redirectUri?: string } | undefined {
  const p = parseUrl(location, base);
  if (!p) return undefined;
  const q = p.query;
  if (!(q.has('client_id') && (q.has('response_type') || q.has('redirect_uri') || q.has('request')))) return undefined;
  const request = q.get('request');
  const obj = request ? decodeJwtPayloadUnsafe(request) : undefined;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return { state: q.get('state') ?? str(obj?.state), redirectUri: q.get('redirect_uri') ?? str(obj?.redirect_uri) };
}

/** Does the state carry v: as a substring (raw or percent-encoded) or as a field of its decoded form? */
function stateCarries(state: string, decodedValues: string[], v: string): boolean {
  if (state.includes(v) || state.includes(encodeURIComponent(v))) return true;
  return decodedValues.some((d) => d === v || d.includes(v));
}

/** A value long and random enough that finding it inside a state is no coincidence. */
const identifying = (v: string) => v.length >= 12 && entropyBits(v) >= 64;

interface Carried {
  source: 'cookie' | 'set-cookie' | 'parameter';
  name: string;
  value: string;
  sessionNamed: boolean;
}

/** draft-02 §2.3 step 1: the client puts a session identifier into the state. */
export default defineRule({
  meta: {
    id: 'session-fixation-state-carries-session',
    title: 'The state carries a session identifier',
    severity: 'medium',
    confidence: 'heuristic',
    references: [ref('OAUTH-SECURITY-UPDATE', '2.3'), ref('WUERTELE-02', '2.3'), ref('RFC9700', '4.7.1')],
    description:
      'The state decodes (base64url JSON, JWT payload or delimited fields) to a session, sid, user_id, account, tenant or email field, or it contains the value of a client cookie or of a pre-authorization URL parameter: the client binds the callback to a session named in the state rather than to the browser that started the flow, the first step of cross-user session fixation. High when the callback is then completed with no client cookie; low for a tool id or return path with a random nonce and client cookies present.',
    tier: 2,
    // the pre-authorization hop is often a plain GET (/connect) that the classifier calls 'other':
    // any observation, with a cheap bail-out on the Location
    on: 'any',
    // an 'other' message: only a redirect whose Location names a client_id (onPreAuthorization)
    prefilter: { location: ['client_id='] },
    // an OAuth message: a callback's state, or a redirect whose Location names a client_id
    needs: { params: ['state'], location: ['client_id='] },
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { msg } = ctx;
    if (msg.kind === 'authorization-response') {
      onCallback(ctx);
      return;
    }
    const o = msg.obs;
    const loc = o.location;
    // cheap: only a redirect whose target names a client_id can lead to an authorization request
    if (loc === undefined || !loc.includes('client_id=') || (o.status !== undefined && (o.status < 300 || o.status >= 400))) return;
    if (msg.kind !== 'pre-authorization' && msg.kind !== 'other') return;
    if (o.method !== 'GET' || ctx.replay || !msg.url) return;
    onPreAuthorization(ctx, o, loc);
  },
});

type Ctx = RuleContext;
/** state keys that name a session itself (not a user, account or tenant that a tool may route by) */
const STRICT_SESSION_KEY = /^(session|sess|sid|session_?id|auth_?session_?id)$/i;

function onPreAuthorization(ctx: Ctx, o: Observation, loc: string): void {
  const msg = ctx.msg;
  // what the redirecting hop could hand to the state, with the tests that need no state first:
  // a redirect without an identifying parameter or cookie (most) parses nothing more
  const candidates: Carried[] = [];
  // the URL first: a value the link hands in is the root of the fixation (the cookie may echo it)
  for (const [name, value] of msg.query.entries) {
    if (NOT_SESSION_PARAM.test(name) && !SESSION_PARAM.test(name)) continue;
    candidates.push({ source: 'parameter', name, value, sessionNamed: SESSION_PARAM.test(name) || SESSION_KEY.test(name) });
  }
  for (const c of requestCookies(header(o.requestHeaders, 'cookie'))) {
    candidates.push({ source: 'cookie', name: c.name, value: c.value, sessionNamed: /sess|sid/i.test(c.name) });
  }
  for (const sc of headersAll(o.responseHeaders, 'set-cookie')) {
    const p = setCookiePair(sc);
    if (p && !p.deletes) candidates.push({ source: 'set-cookie', name: p.name, value: p.value, sessionNamed: /sess|sid/i.test(p.name) });
  }
  const possible = candidates.filter((c) => {
    // a cookie that holds the state itself (double-submit) binds the flow to this browser: that is the defence
    if (c.source !== 'parameter' && BINDING_COOKIE.test(c.name)) return false;
    if (!identifying(c.value)) return false;
    // a cookie set here is a binding unless it names a session (and then not the state itself, below)
    if (c.source === 'set-cookie' && !c.sessionNamed) return false;
    // a return URL, path or email in a parameter is navigation data, not an identifier
    return c.source !== 'parameter' || opaqueWeakness(c.value) === undefined;
  });
  if (possible.length === 0) return;

  const areq = authorizationRequestAt(loc, o.url);
  const state = areq?.state;
  if (!areq || !state || state.length < 12) return;
  // the redirecting hop is the client (a click tracker on another site is not): same site as the redirect_uri
  const ru = areq.redirectUri ? parseUrl(areq.redirectUri) : undefined;
  if (ru && (ru.protocol === 'https:' || ru.protocol === 'http:') && siteOf(ru.hostname) !== siteOf(msg.url!.hostname)) return;
  const shape = stateShape(state);
  if (shape.kind === 'jwe') return;
  const decoded = shape.kind === 'structured' ? Object.values(shape.fields) : [];
  const randomValues = shape.kind === 'structured' ? shape.randomFields.map(([, v]) => v) : [];
  const decodedState = safeDecode(state);
  if (decodedState !== state) decoded.push(decodedState);

  const hit = possible.find((c) => {
    // a cookie set here with the state itself, or its random part, is a fresh double-submit binding
    if (c.source === 'set-cookie' && (c.value === state || randomValues.includes(c.value))) return false;
    return stateCarries(state, decoded, c.value);
  });
  if (!hit) return;
  const cookiesSent = (header(o.requestHeaders, 'cookie') ?? '').trim().length > 0;
  const nonce = shape.kind === 'structured' && Object.keys(shape.fields).some((k) => RANDOM_FIELD.test(k.split('.').pop()!));
  // FP (§1.B): a tool id or similar next to a random nonce, in a browser that has the client's cookies
  const low = hit.source === 'parameter' && !hit.sessionNamed && nonce && cookiesSent;
  const what = hit.source === 'parameter' ? `the ${hit.name} parameter of ${msg.url!.base}` : `the ${hit.name} cookie${hit.source === 'set-cookie' ? ' it sets' : ''}`;
  ctx.report({
    severity: low ? 'low' : 'medium',
    variant: hit.source === 'parameter' ? 'state-carries-parameter' : 'state-carries-cookie',
    message:
      `${msg.url!.base} redirects to an authorization request whose state carries ${what}` +
      (low
        ? ' next to a random nonce, in a browser that already has the client\'s cookies (likely routing data the client can check against its session).'
        : hit.sessionNamed || hit.source !== 'parameter'
          ? ': the callback can be bound to the session named in the state instead of to the browser that completes it.'
          : ': the state carries an identifier taken from the link, so whoever sends the link chooses what the authorization is bound to.'),
    evidence: [
      ctx.evidence(o, hit.source === 'parameter' ? hit.name : hit.source === 'cookie' ? 'Cookie' : 'Set-Cookie', `${hit.source} ${hit.name}`, hit.value),
      { ...ctx.evidence(o, 'state', 'Location: authorization request state', state), url: ctx.redactUrl(loc) },
    ],
  });
}

function onCallback(ctx: Ctx): void {
  const { msg } = ctx;
  if (ctx.replay || !msg.url) return;
  const state = msg.params.get('state');
  if (!state || !(msg.params.has('code') || msg.params.has('access_token') || msg.params.has('id_token'))) return;
  const fields = sessionFields(state);
  if (fields.length === 0) return;
  const o = msg.obs;
  const shape = stateShape(state);
  const nonce = shape.kind === 'structured' && shape.randomFields.some(([k]) => RANDOM_FIELD.test(k.split('.').pop()!));
  // "together with callback-without-browser-binding": a server-rendered callback answered as a success with no client cookie
  const serverSide = msg.responseMode === 'query' && !o.navigationOnly && (o.type === 'main_frame' || o.type === 'sub_frame');
  const b = serverSide ? judgeCallback(msg) : undefined;
  const unbound = b !== undefined && !b.cookieSent && b.cookieHeadersVisible && b.success !== undefined;
  // FP (§1.B): routing data (a user, account or tenant a tool routes by) next to a random nonce, with the client's cookies sent
  const low = !unbound && b?.cookieSent === true && nonce && !fields.some((f) => STRICT_SESSION_KEY.test(f.split('.').pop()!));
  const severity = unbound ? 'high' : low ? 'low' : 'medium';
  ctx.report({
    severity,
    variant: 'state-fields',
    message:
      `The state delivered to ${msg.url.base} carries ${fields.join(', ')}` +
      (unbound
        ? `, and the client completed the callback (${b!.success!.kind === 'redirect' ? `redirect to ${b!.success!.location}` : `new ${b!.success!.name} cookie`}) with no cookie of its own: the session in the state, not this browser, decides where the authorization lands.`
        : low
          ? ' next to a random nonce, with the client\'s cookies sent: the client can check the state against its session.'
          : ': the client may bind the authorization to the session named in the state rather than to the browser that completes it.'),
    evidence: [ctx.evidence(o, 'state', `state fields: ${fields.join(', ')}`, state)],
  });
}
