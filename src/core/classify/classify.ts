import { header, isNavigation, type Observation } from '../observe/observation';
import { decodeJwtPayloadUnsafe, looksLikeJwe } from '../tokens/peek';
import { parseJsonObject } from '../util/json';
import { Params, parseUrl, originOf, type ParsedUrl } from '../util/url';
import type { MessageKind, OAuthMessage, ParamSource } from './message';

/**
 * What the classifier may ask about what came before (answered by the flow store). Keeping it an
 * interface keeps classification pure and testable with a hand-written stub.
 */
export interface ClassifyHints {
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

/** Quick test used on the hot path: can this URL or body possibly be an OAuth message? */
const INTERESTING = /[?&#](client_id|code|access_token|id_token|error|response|state|iss|grant_type|request_uri|refresh_token|client_secret|code_verifier|assertion|client_assertion|sid|[a-z_]*sess[a-z_]*|link_?token|connect[a-z_]*|ticket|handoff|binding)=/i;

function merge(sources: [ParamSource, Params][]): { params: Params; where: Map<string, ParamSource> } {
  const entries: [string, string][] = [];
  const where = new Map<string, ParamSource>();
  // precedence: later sources in the list win for `get` → put them first
  for (let i = sources.length - 1; i >= 0; i--) {
    const [src, p] = sources[i];
    for (const [k, v] of p.entries) {
      entries.push([k, v]);
      if (!where.has(k)) where.set(k, src);
    }
  }
  return { params: new Params(entries), where };
}

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


function formOf(o: Observation): Params {
  if (o.requestBody?.form) return new Params(o.requestBody.form.slice(0, 1000));
  return new Params();
}

/**
 * Observation → OAuthMessage (detectors.md §0.2). Always returns a message; `kind: 'other'` for
 * traffic that is not OAuth (generic rules still look at those for tokens in URLs and Referer leaks).
 */
export function classify(o: Observation, hints: ClassifyHints = NO_HINTS): OAuthMessage {
  const url = parseUrl(o.url);
  const query = url?.query ?? new Params();
  const fragment = url?.fragment ?? new Params();
  const form = formOf(o);
  const base: Omit<OAuthMessage, 'kind' | 'params' | 'sources'> = {
    obs: o,
    url,
    query,
    fragment,
    form,
    paramsKnown: true,
  };
  const nav = isNavigation(o);
  const path = url?.pathname ?? '';

  // Metadata and JWKS documents (DT/HAR: bodies are needed)
  if (url && /\/\.well-known\/(openid-configuration|oauth-authorization-server)/.test(path)) {
    const json = parseJsonObject(o.responseBody);
    return { ...base, kind: 'metadata', params: query, sources: new Map(), json };
  }
  if (url && o.responseBody && /jwks|\/certs$|\/keys$/.test(path)) {
    const json = parseJsonObject(o.responseBody);
    if (json && Array.isArray(json.keys)) return { ...base, kind: 'jwks', params: query, sources: new Map(), json };
  }

  // Back-channel style requests: a POST with grant_type (token), or to a client-authenticated endpoint
  if (o.method === 'POST' && (form.has('grant_type') || (url && query.has('grant_type') && !nav))) {
    const { params, where } = merge([['query', query], ['form', form]]);
    return { ...base, kind: 'token-request', params, sources: where, endpoint: 'token', json: parseJsonObject(o.responseBody) };
  }
  if (o.method === 'POST' && url && !nav) {
    const endpoint = hints.endpointKindFromMetadata(url.base) ?? pathEndpointKind(path);
    if (endpoint && endpoint !== 'token') {
      const { params, where } = merge([['query', query], ['form', form]]);
      const kind: MessageKind = endpoint === 'par' ? 'par-request' : 'client-auth-request';
      return { ...base, kind, params, sources: where, endpoint, json: parseJsonObject(o.responseBody) };
    }
    if (form.has('response_type') && form.has('redirect_uri') && form.has('client_id')) {
      const { params, where } = merge([['form', form]]);
      return { ...base, kind: 'par-request', params, sources: where, endpoint: 'par', json: parseJsonObject(o.responseBody) };
    }
  }

  const quick = INTERESTING.test(o.url) || form.size > 0;
  if (!quick || !url) {
    return { ...base, kind: 'other', params: query, sources: new Map() };
  }

  const { params, where } = merge([['query', query], ['fragment', fragment], ['form', form]]);

  // End-session and other look-alikes that carry OAuth-ish parameters
  if (params.has('id_token_hint') || params.has('post_logout_redirect_uri') || /\/(logout|end[_-]?session|signout)/i.test(path)) {
    if (!params.has('code') && !params.has('access_token')) {
      return { ...base, kind: 'end-session', params, sources: where };
    }
  }

  if (nav || o.navigationOnly) {
    // Authorization request
    const isAreqShape =
      params.has('client_id') &&
      (params.has('response_type') || params.has('redirect_uri') || params.has('request_uri') || params.has('request'));
    const isDeviceOrRegistration = /\/(device|activate|register|registration)(\/|$)/i.test(path) && !params.has('response_type');
    if ((isAreqShape || (params.has('client_id') && hints.isKnownAuthorizationEndpoint(url.base))) && !isDeviceOrRegistration && !params.has('code') && !params.has('access_token')) {
      const msg: OAuthMessage = { ...base, kind: 'authorization-request', params, sources: where };
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
          return { ...base, kind: 'authorization-response', params, sources: where, responseMode };
        }
      }
    }
    return { ...base, kind: 'pre-authorization', params, sources: where };
  }
  return { ...base, kind: 'other', params, sources: where };
}

/** PAR/JAR (§0.2): request_uri → parameters unknown; request=<JWS> → decode its payload; JWE → unknown. */
function expandRequestObject(msg: OAuthMessage): OAuthMessage {
  const requestUri = msg.params.get('request_uri');
  if (requestUri !== undefined && (requestUri.startsWith(PAR_URN) || requestUri.startsWith('https:'))) {
    return { ...msg, paramsKnown: false };
  }
  const request = msg.params.get('request');
  if (request !== undefined) {
    if (looksLikeJwe(request)) return { ...msg, paramsKnown: false };
    const payload = decodeJwtPayloadUnsafe(request);
    if (!payload) return { ...msg, paramsKnown: false };
    const obj = new Params(
      Object.entries(payload)
        .filter(([, v]) => v !== null && v !== undefined)
        .map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)] as [string, string]),
    );
    const entries: [string, string][] = [...obj.entries, ...msg.params.entries];
    const sources = new Map(msg.sources);
    for (const k of obj.keys()) sources.set(k, 'request-object');
    return { ...msg, params: new Params(entries), sources };
  }
  return msg;
}
