import { header, isNavigation, pageOriginated, type Observation } from '../observe/observation';
import { hasPrmWellKnown, hasWellKnown } from '../observe/raw';
import { decodeJwtPayloadUnsafe, looksLikeJwe } from '../tokens/peek';
import { parseJsonDocument, parseJsonObject } from '../util/json';
import { Params, parseUrl, originOf, type ParsedUrl } from '../util/url';
import type { MessageKind, OAuthMessage, ParamSource } from './message';
import { classifyMcp, type McpHints } from './mcp';
import { EMPTY_PARAMS, EMPTY_SOURCES, interesting, mergeParams, mergeWhere, NOT_PLAIN, OtherMessage, plainOtherKind, plainSubresource, PLAIN_MERGED } from './plain';

export { NOT_PLAIN, OAUTH_PARAM, otherMessage, PLAIN, PLAIN_MERGED, plainOtherKind, useReferenceScan } from './plain';

/**
 * What the classifier may ask about what came before (answered by the flow store). Keeping it an
 * interface keeps classification pure and testable with a hand-written stub.
 */
export interface ClassifyHints extends McpHints {
  /** an open or earlier flow's redirect_uri is a prefix of this URL (scheme+host+path) */
  matchesKnownRedirectUri(url: ParsedUrl): boolean;
  /** the origin is the origin of an AS some flow in this context went to */
  isKnownAsOrigin(origin: string, context: string): boolean;
  /** URL (without query) equals an authorization_endpoint from metadata or the provider table */
  isKnownAuthorizationEndpoint(base: string): boolean;
  /** kind of endpoint from observed metadata, if the URL is one */
  endpointKindFromMetadata(base: string): OAuthMessage['endpoint'] | undefined;
  /** optional: the URL is the Location of a redirect answered by an AS origin of this context */
  reachedByRedirectFromAs?(o: Observation): boolean;
}

export const NO_HINTS: ClassifyHints = {
  matchesKnownRedirectUri: () => false,
  isKnownAsOrigin: () => false,
  isKnownAuthorizationEndpoint: () => false,
  endpointKindFromMetadata: () => undefined,
};

const RESPONSE_PARAMS = ['code', 'access_token', 'id_token', 'error', 'response'];
const PAR_URN = 'urn:ietf:params:oauth:request_uri:';

function pathEndpointKind(pathname: string): OAuthMessage['endpoint'] | undefined {
  const p = pathname.toLowerCase();
  if (/\/par$|\/pushed[_-]?auth/.test(p)) return 'par';
  if (/\/revoke$|\/revocation$|\/token\/revocation$|\/revoke_token$/.test(p)) return 'revocation';
  if (/\/introspect(ion)?$|\/token\/introspection$/.test(p)) return 'introspection';
  if (/\/bc-authorize$|\/backchannel/.test(p)) return 'ciba';
  if (/\/device(_authorization|\/code|\/auth)?$|\/devicecode$/.test(p)) return 'device';
  if (/\/token$/.test(p)) return 'token';
  return undefined;
}


/** a JSON body worth parsing names one of these fields (API traffic is mostly JSON: parse only what can be OAuth) */
const JSON_OAUTH_FIELD = /"(grant_type|client_id|client_assertion|token|refresh_token|response_type|logout_token)"\s*:/;

/**
 * The request body's parameters: a form body, or the top-level scalar fields of a JSON object body
 * (Auth0 and others accept token requests as JSON: `{"grant_type":"password",…}`).
 */
function formOf(o: Observation): Params {
  const body = o.requestBody;
  if (!body) return EMPTY_PARAMS;
  if (body.form) return new Params(body.form.slice(0, 1000));
  if (body.text !== undefined && o.method === 'POST' && JSON_OAUTH_FIELD.test(body.text) && (/json/i.test(body.mimeType ?? '') || body.text.trimStart().startsWith('{'))) {
    const json = parseJsonObject(body.text, 1_000_000);
    if (!json) return EMPTY_PARAMS;
    const entries: [string, string][] = [];
    for (const [k, v] of Object.entries(json)) {
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') entries.push([k, String(v)]);
      if (entries.length >= 1000) break;
    }
    return new Params(entries);
  }
  return EMPTY_PARAMS;
}

/**
 * Whether `classify` can ever parse this observation's response body: a JSON object (it must start
 * with `{`, within parseJsonObject's limit) of a metadata or JWKS URL, or of a POST (token, PAR and
 * other client-authenticated endpoints). Nothing else in the core reads response bodies, so the
 * streaming scanner may drop the others when it has to keep observations (har-feed.ts). Keep it in
 * step with `classify` below: har-feed.test.ts checks both agree.
 */
export function mayReadResponseBody(o: Observation): boolean {
  const b = o.responseBody;
  if (b === undefined || b.length > 5_000_000) return false;
  if (!b.trimStart().startsWith('{')) return false;
  return o.method === 'POST' || o.url.includes('/.well-known/') || /jwks|\/certs|\/keys/.test(o.url);
}

/**
 * Observation → OAuthMessage (detectors.md §0.2). Always returns a message; `kind: 'other'` for
 * traffic that is not OAuth (generic rules still look at those for tokens in URLs and Referer leaks).
 */
const WELL_KNOWN = /\/\.well-known\/(openid-configuration|oauth-authorization-server)/;

interface Base {
  obs: Observation;
  url: ParsedUrl | undefined;
  query: Params;
  fragment: Params;
  form: Params;
}

/**
 * One object shape for every message (no spreads: they are slow on the hot path). `sources` (where
 * each parameter came from) is read by no rule: it is built on first use from the sources of
 * `params` (`from`, in precedence order: the last wins), where every message built one Map.
 */
class Classified implements OAuthMessage {
  private where: Map<string, ParamSource> | undefined;
  constructor(
    readonly kind: MessageKind,
    readonly obs: Observation,
    readonly url: ParsedUrl | undefined,
    readonly query: Params,
    readonly fragment: Params,
    readonly form: Params,
    readonly params: Params,
    /** the sources `params` merges, in precedence order (the last wins) */
    readonly from: readonly [ParamSource, Params][],
    readonly paramsKnown: boolean,
    readonly responseMode: OAuthMessage['responseMode'],
    readonly endpoint: OAuthMessage['endpoint'],
    readonly json: Record<string, unknown> | undefined,
  ) {}
  get sources(): Map<string, ParamSource> {
    return (this.where ??= this.from.length === 0 ? EMPTY_SOURCES : mergeWhere(this.from));
  }
}

const NO_SOURCES: readonly [ParamSource, Params][] = [];

function message(
  b: Base,
  kind: MessageKind,
  from: readonly [ParamSource, Params][],
  extra: { responseMode?: OAuthMessage['responseMode']; endpoint?: OAuthMessage['endpoint']; json?: Record<string, unknown>; params?: Params } = {},
): Classified {
  const params = extra.params ?? mergeParams(from);
  return new Classified(kind, b.obs, b.url, b.query, b.fragment, b.form, params, from, true, extra.responseMode, extra.endpoint, extra.json);
}

/** `msg` with other parameters (and their sources) and whether they are known */
function withParams(msg: Classified, params: Params, from: readonly [ParamSource, Params][], paramsKnown: boolean): Classified {
  return new Classified(msg.kind, msg.obs, msg.url, msg.query, msg.fragment, msg.form, params, from, paramsKnown, msg.responseMode, msg.endpoint, msg.json);
}

export function classify(o: Observation, hints: ClassifyHints = NO_HINTS): OAuthMessage {
  const plain = plainOtherKind(o, hints);
  if (plain !== NOT_PLAIN) return new OtherMessage(o, plain === PLAIN_MERGED);
  // RFC 9728 / MCP discovery: a 401 challenge, protected-resource metadata, client registration
  if (o.status === 401 || o.method === 'POST' || hasPrmWellKnown(o.url) || hints.namedResourceMetadata !== undefined) {
    const mcp = classifyMcp(o, hints);
    if (mcp) return mcp;
  }
  const hasForm = o.requestBody?.form !== undefined && o.requestBody.form.length > 0;
  // (no '=' at all: no parameter can be OAuth-ish, and the regular expression is not run)
  if (!hasForm && o.method !== 'POST' && !interesting(o) && !(hasWellKnown(o.url) || (o.responseBody !== undefined && /jwks|\/certs|\/keys/.test(o.url)))) {
    return new OtherMessage(o);
  }
  if (plainSubresource(o)) return new OtherMessage(o, true);
  const url = parseUrl(o.url);
  const query = url?.query ?? EMPTY_PARAMS;
  const fragment = url?.fragment ?? EMPTY_PARAMS;
  const form = hasForm || o.requestBody?.text !== undefined ? formOf(o) : EMPTY_PARAMS;
  const base: Base = { obs: o, url, query, fragment, form };
  const nav = isNavigation(o);
  const path = url?.pathname ?? '';

  // Metadata and JWKS documents (DT/HAR: bodies are needed)
  if (url && WELL_KNOWN.test(path)) {
    const json = parseJsonDocument(o.responseBody);
    return message(base, 'metadata', NO_SOURCES, { json, params: query });
  }
  if (url && o.responseBody && /jwks|\/certs$|\/keys$/.test(path)) {
    const json = parseJsonDocument(o.responseBody);
    if (json && Array.isArray(json.keys)) return message(base, 'jwks', NO_SOURCES, { json, params: query });
  }

  // Back-channel style requests: a POST with grant_type (token), or to a client-authenticated endpoint
  if (o.method === 'POST' && (form.has('grant_type') || (url && query.has('grant_type') && !nav))) {
    return message(base, 'token-request', [['query', query], ['form', form]], { endpoint: 'token', json: parseJsonObject(o.responseBody) });
  }
  if (o.method === 'POST' && url && !nav) {
    const endpoint = hints.endpointKindFromMetadata(url.base) ?? pathEndpointKind(path);
    if (endpoint && endpoint !== 'token') {
      const kind: MessageKind = endpoint === 'par' ? 'par-request' : 'client-auth-request';
      const msg = message(base, kind, [['query', query], ['form', form]], { endpoint, json: parseJsonObject(o.responseBody) });
      return kind === 'par-request' ? withRequestObject(msg) : msg;
    }
    // §0.2: at another path, a PAR is known by its reply: the body carries response_type +
    // redirect_uri (client_id may be in a Basic header, RFC 9126 §2.1) or a request object (§3),
    // and the AS answers 201 {request_uri}. Any other form POST with OAuth parameters is neither a
    // PAR nor an authorization request: an AS's own page talking to itself (Google's account
    // chooser POSTs client_id, redirect_uri and state to /_/signin/oauth and gets 200 JSON).
    const json = form.size > 0 ? parseJsonObject(o.responseBody) : undefined;
    // (the extension sees no response bodies: there, the 201 itself answers a PAR-shaped body)
    const pushedReply = typeof json?.request_uri === 'string' ? o.status === 201 || o.status === undefined : o.responseBody === undefined && o.status === 201;
    if (
      pushedReply &&
      ((form.has('response_type') && form.has('redirect_uri')) ||
        (form.has('request') && (form.has('client_id') || form.has('client_assertion') || header(o.requestHeaders, 'authorization') !== undefined)))
    ) {
      return withRequestObject(message(base, 'par-request', [['form', form]], { endpoint: 'par', json }));
    }
  }

  const quick = interesting(o) || form.size > 0;
  if (!quick || !url) {
    return message(base, 'other', NO_SOURCES, { params: query });
  }

  const from: [ParamSource, Params][] = [['query', query], ['fragment', fragment], ['form', form]];
  const params = mergeParams(from);

  // End-session and other look-alikes that carry OAuth-ish parameters
  // (id_token_hint alone is not enough: an authorization request may carry it too, OIDC Core §3.1.2.1,
  // e.g. prompt=none silent renewal)
  if ((params.has('id_token_hint') && !params.has('response_type')) || params.has('post_logout_redirect_uri') || /\/(logout|end[_-]?session|signout)/i.test(path)) {
    if (!params.has('code') && !params.has('access_token')) {
      return message(base, 'end-session', from, { params });
    }
  }

  // A client that is its own user agent (a command-line or MCP client fetching the authorization
  // URL with `redirect: manual`, seen in a HAR without any browser evidence): its redirected GET is
  // the front-channel leg, as a navigation would be (§0.2 ARESP: the Location is the response)
  const ownUserAgent = !nav && !o.navigationOnly && o.method === 'GET' && o.location !== undefined && o.status !== undefined && o.status >= 300 && o.status < 400 && !pageOriginated(o);
  if (nav || o.navigationOnly || ownUserAgent) {
    // Authorization request
    const isAreqShape =
      params.has('client_id') &&
      (params.has('response_type') || params.has('redirect_uri') || params.has('request_uri') || params.has('request'));
    const isDeviceOrRegistration = /\/(device|activate|register|registration)(\/|$)/i.test(path) && !params.has('response_type');
    if ((isAreqShape || (params.has('client_id') && hints.isKnownAuthorizationEndpoint(url.base))) && !isDeviceOrRegistration && !params.has('code') && !params.has('access_token')) {
      const msg = message(base, 'authorization-request', from, { params });
      return expandRequestObject(msg);
    }

    // Authorization response
    const hasResponseParam = RESPONSE_PARAMS.some((p) => params.has(p));
    if (hasResponseParam) {
      const hasCredential = params.has('code') || params.has('access_token') || params.has('id_token') || params.has('response');
      const initiatorOrigin = o.initiator ?? originOf(header(o.requestHeaders, 'referer'));
      const isFrontChannelLogout = params.has('iss') && params.has('sid') && !params.has('code') && !params.has('state');
      const isThirdPartyLogin = params.has('iss') && (params.has('target_link_uri') || params.has('login_hint')) && !params.has('code');
      if (!isFrontChannelLogout && !isThirdPartyLogin) {
        const isAresp =
          params.has('state') ||
          hints.matchesKnownRedirectUri(url) ||
          (initiatorOrigin !== undefined && hints.isKnownAsOrigin(initiatorOrigin, o.context)) ||
          hints.reachedByRedirectFromAs?.(o) === true ||
          (params.has('iss') && hasCredential);
        if (isAresp) {
          const responseMode = o.method === 'POST' && form.size > 0 && RESPONSE_PARAMS.some((p) => form.has(p))
            ? 'form_post'
            : RESPONSE_PARAMS.some((p) => fragment.has(p))
              ? 'fragment'
              : 'query';
          return message(base, 'authorization-response', from, { responseMode, params });
        }
      }
    }
    return message(base, 'pre-authorization', from, { params });
  }
  return message(base, 'other', from, { params });
}

/** PAR/JAR (§0.2): request_uri → parameters unknown; request=<JWS> → decode its payload; JWE → unknown. */
function expandRequestObject(msg: Classified): OAuthMessage {
  const requestUri = msg.params.get('request_uri');
  if (requestUri !== undefined && (requestUri.startsWith(PAR_URN) || requestUri.startsWith('https:'))) {
    return withParams(msg, msg.params, msg.from, false);
  }
  return withRequestObject(msg, true);
}

/**
 * request=<JWS> (in an authorization request or a pushed body, RFC 9126 §3): its payload's
 * parameters, unverified, win over the outer ones. A JWE or an undecodable object makes the
 * parameters unknown when `opaque` is set (authorization requests).
 */
function withRequestObject(msg: Classified, opaque = false): OAuthMessage {
  const request = msg.params.get('request');
  if (request !== undefined) {
    if (looksLikeJwe(request)) return opaque ? withParams(msg, msg.params, msg.from, false) : msg;
    const payload = decodeJwtPayloadUnsafe(request);
    if (!payload) return opaque ? withParams(msg, msg.params, msg.from, false) : msg;
    const obj = new Params(
      Object.entries(payload)
        .filter(([, v]) => v !== null && v !== undefined)
        .map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)] as [string, string]),
    );
    const entries: [string, string][] = [...obj.entries, ...msg.params.entries];
    // (the request object's names come last in `sources`, as a copy of the outer ones with each of
    // them set to 'request-object' gave)
    return withParams(msg, new Params(entries), [...msg.from, ['request-object', obj]], msg.paramsKnown);
  }
  return msg;
}
