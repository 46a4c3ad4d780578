/**
 * Where JWTs travel in classified messages, for the token rules: ID tokens, JARM responses,
 * request objects, logout tokens, client assertions and JWT access tokens.
 */
import type { OAuthMessage } from '../classify/message';
import { header, type Observation } from '../observe/observation';
import { safeDecode } from '../util/url';
import { PresentedJwt } from './presented';
import { RecentStrings } from './recent';

export { PresentedJwt } from './presented';

export type JwtUse = 'id_token' | 'access_token' | 'assertion' | 'request' | 'logout_token' | 'jarm';

export interface JwtSource {
  /** parameter (or response member) that carried it */
  param: string;
  value: string;
  use: JwtUse;
  /** travelled through the browser's URL or a form post (front channel) */
  frontChannel: boolean;
  /** found in the response body (token response) rather than the request */
  inResponse: boolean;
}

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** three base64url parts, the last possibly empty: `looksLikeJwt(v) && v.split('.').length === 3` in one test */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

function isCompactJws(v: unknown): v is string {
  return typeof v === 'string' && v.length < 100_000 && COMPACT_JWS.test(v);
}

/** A 2xx (or unknown) response: bodies of error responses are not tokens. */
export function okResponse(msg: OAuthMessage): boolean {
  const s = msg.obs.status;
  return s === undefined || s === 0 || (s >= 200 && s < 300);
}

/**
 * The token the AS returned when it accepted the request: a 2xx status and an access or ID token
 * in the JSON body. An error body, a form-encoded reply (GitHub without Accept: application/json)
 * or a sanitized HAR without bodies gives undefined: nothing can be judged then (GitHub answers
 * some errors with 200).
 */
export function acceptedToken(msg: OAuthMessage): string | undefined {
  const status = msg.obs.status ?? 0;
  if (status < 200 || status >= 300) return undefined;
  const j = msg.json;
  if (typeof j?.access_token === 'string' && j.access_token) return j.access_token;
  if (typeof j?.id_token === 'string' && j.id_token) return j.id_token;
  return undefined;
}

/**
 * Every compact JWS/JWT in the message, with what it is. JWEs are skipped (not readable). The
 * token rules of one message ask one after the other: the last message's answer is kept (read-only).
 */
export function jwtSources(msg: OAuthMessage): readonly JwtSource[] {
  if (msg === lastSourcesMsg) return lastSources;
  const out = findJwtSources(msg);
  lastSourcesMsg = msg;
  lastSources = out;
  return out;
}
let lastSourcesMsg: OAuthMessage | undefined;
let lastSources: readonly JwtSource[] = [];

function add(out: JwtSource[], param: string, value: unknown, use: JwtUse, frontChannel: boolean, inResponse = false): void {
  if (isCompactJws(value)) out.push({ param, value, use, frontChannel, inResponse });
}

// no closures: found for every OAuth message a token rule may read (rules/needs.ts asks first)
function findJwtSources(msg: OAuthMessage): JwtSource[] {
  const out: JwtSource[] = [];
  // the parameters are read inside the kinds that have tokens in them: an 'other' message (an API
  // call whose bearer token sent the rules here) parses its query lazily, and nothing below reads it
  let params;
  switch (msg.kind) {
    case 'authorization-request':
      add(out, 'request', msg.form.get('request') ?? msg.query.get('request'), 'request', true);
      break;
    case 'authorization-response':
      params = msg.params;
      add(out, 'id_token', params.get('id_token'), 'id_token', true);
      add(out, 'response', params.get('response'), 'jarm', true);
      add(out, 'access_token', params.get('access_token'), 'access_token', true);
      break;
    case 'token-request':
      params = msg.params;
      add(out, 'client_assertion', params.get('client_assertion'), 'assertion', false);
      if (params.get('grant_type') === JWT_BEARER_GRANT) add(out, 'assertion', params.get('assertion'), 'assertion', false);
      if (msg.json && okResponse(msg)) {
        add(out, 'id_token', msg.json.id_token, 'id_token', false, true);
        add(out, 'access_token', msg.json.access_token, 'access_token', false, true);
      }
      break;
    case 'par-request':
    case 'client-auth-request':
      params = msg.params;
      add(out, 'client_assertion', params.get('client_assertion'), 'assertion', false);
      add(out, 'request', params.get('request'), 'request', false);
      break;
    default:
      break;
  }
  // back-channel logout (OIDC Back-Channel Logout §2.5): a POST with a logout_token form field,
  // whatever the classifier made of its URL
  if (msg.obs.method === 'POST') add(out, 'logout_token', msg.form.get('logout_token'), 'logout_token', false);
  return out;
}

/** The assertions a client authenticates with (RFC 7523 §2.2 client_assertion, §2.1 jwt-bearer grant). */
export function assertionsIn(msg: OAuthMessage): { param: string; value: string }[] {
  const out: { param: string; value: string }[] = [];
  const ca = msg.params.get('client_assertion');
  if (ca) out.push({ param: 'client_assertion', value: ca });
  if (msg.params.get('grant_type') === JWT_BEARER_GRANT) {
    const a = msg.params.get('assertion');
    if (a) out.push({ param: 'assertion', value: a });
  }
  return out;
}

/** The client_id of a back-channel request: the form/query parameter, or HTTP Basic's user name. */
export function requestClientId(msg: OAuthMessage): string | undefined {
  const p = msg.params.get('client_id');
  if (p) return p;
  const auth = header(msg.obs.requestHeaders, 'authorization');
  const m = auth?.match(/^basic\s+([A-Za-z0-9+/=]+)\s*$/i);
  if (!m) return undefined;
  try {
    const decoded = atob(m[1]);
    const i = decoded.indexOf(':');
    return i > 0 ? safeDecode(decoded.slice(0, i)) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The JWT a request presents in `Authorization: Bearer|DPoP <JWT>`, with the scheme; computed once
 * per observation, and one object per header value among the recent ones, which carries what its
 * readers derive from the token (presented.ts: its ledger key, payload and decoded view).
 */
export function authorizationJwt(o: Observation): PresentedJwt | undefined {
  // the store and the token rules ask about the same observation one after another: the last
  // answer is kept (a WeakMap entry per observation cost more than the header scan it saves)
  if (o === lastAuthObs) return lastAuthJwt;
  let r: PresentedJwt | undefined;
  if (o.requestHeaders.length > 0) {
    const value = header(o.requestHeaders, 'authorization');
    if (value !== undefined) {
      // a single-page app sends the same token with every API call: each call's header is a new
      // string with the same characters, answered from the recent ones by comparing strings (two
      // regex passes over a ~1 KB token otherwise). The answer is then the same object on every
      // call, with what the ledger and the rules derived from its token on the first.
      const known = recentAuth.get(value);
      if (known !== undefined) r = known ?? undefined;
      else {
        const m = PRESENTED_JWS.exec(value);
        if (m) r = new PresentedJwt(m[1].toLowerCase() as 'bearer' | 'dpop', m[2]);
        if (value.length > 0) recentAuth.set(value, r ?? null);
      }
    }
  }
  lastAuthObs = o;
  lastAuthJwt = r;
  return r;
}
/**
 * `^(bearer|dpop)\s+(\S+)\s*$`/i whose token matches COMPACT_JWS, in one pass: the token's
 * characters are not white space, so the split is the same (property-tested against the two
 * expressions in sources.test.ts); a new token costs one scan of the ~1 KB header instead of two.
 */
const PRESENTED_JWS = /^(bearer|dpop)\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)\s*$/i;
let lastAuthObs: Observation | undefined;
let lastAuthJwt: PresentedJwt | undefined;
/** (an app per tab, a few tabs, each app's tokens of its last login and refresh) */
const recentAuth = new RecentStrings<PresentedJwt | null>(16);
