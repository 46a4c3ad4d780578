/**
 * What the flow diagram (diagram.ts) takes besides the flows and findings, as plain data: the
 * navigation hops of a context (for the user-interaction pages at an AS) and the back-channel
 * requests seen in a capture (metadata and JWKS fetches, token requests with their responses).
 * The callers build these from what they hold (the CLI from the HAR's observations, the panel from
 * its capture, the popup from the background's answer); the diagram never reads the flow store.
 */
import { classify } from '../classify/classify';
import type { Observation, SourceRef } from '../observe/observation';
import { header } from '../observe/observation';
import { decodeJwtPayloadUnsafe } from '../tokens/peek';
import { hashSecret, redactUrl, redactValue } from '../util/secret';
import { type Params, parseUrl } from '../util/url';

/** A navigation in a context (the flow store's hop, or any record with these fields). */
export interface DiagramHop {
  obsId: string;
  time: number;
  origin: string;
  /** a hash of the URL without its fragment: two records of one page (request, commit) count once */
  key?: string;
}

/** Hops received from elsewhere (a runtime message, storage): only well-formed records, at most `max`. */
export function diagramHops(raw: unknown, max = 2000): DiagramHop[] {
  if (!Array.isArray(raw)) return [];
  const out: DiagramHop[] = [];
  for (const h of raw.slice(-max) as unknown[]) {
    const x = h as Partial<DiagramHop> | null;
    if (!x || typeof x.obsId !== 'string' || typeof x.time !== 'number' || typeof x.origin !== 'string') continue;
    out.push({ obsId: x.obsId, time: x.time, origin: x.origin, ...(typeof x.key === 'string' ? { key: x.key } : {}) });
  }
  return out;
}

/** A token request (authorization_code, refresh_token, …) and what its response returned. */
export interface TokenExchange {
  grantType?: string;
  /** the code redeemed, as the flow model shows codes (a redacted fingerprint unless revealing) */
  code?: string;
  /** hashSecret of the code: which flow's callback delivered it */
  codeHash?: string;
  /** request parameters that matter, in display order (secrets as fingerprints) */
  request: [string, string][];
  /** when the response arrived, if known */
  responseTime?: number;
  /** the response as seen: status and what it returned (secrets as fingerprints); empty when no response was seen */
  response: [string, string][];
}

/** A back-channel request seen in the capture (not part of the front-channel flow record). */
export interface DiagramFetch {
  kind: 'metadata' | 'jwks' | 'token';
  /** scheme, host and path (no query: it may carry secrets) */
  url: string;
  time: number;
  obsId: string;
  ref: SourceRef;
  context: string;
  /** kind 'token': the request and its response */
  token?: TokenExchange;
}

const shown = (v: string, redact: boolean) => (redact ? redactValue(v) : v);

function clientAuth(o: Observation, p: Params): string {
  const authz = header(o.requestHeaders, 'authorization') ?? '';
  if (/^basic\s/i.test(authz)) return 'client_secret_basic (Authorization header)';
  if (p.has('client_assertion')) return `client_assertion (${p.get('client_assertion_type')?.split(':').pop() ?? 'JWT'})`;
  if (p.has('client_secret')) return 'client_secret_post (secret in the body)';
  return 'none seen (public client)';
}

/** A token request with its response, from a classified observation; undefined when it is not one. */
export function tokenExchangeOf(o: Observation, redact = true): TokenExchange | undefined {
  if (o.method !== 'POST') return undefined;
  const msg = classify(o);
  if (msg.kind !== 'token-request') return undefined;
  const p = msg.params;
  const get = (n: string) => {
    const v = p.get(n);
    return typeof v === 'string' && v.length > 0 ? v : undefined;
  };
  const code = get('code');
  const request: [string, string][] = [];
  const add = (list: [string, string][], name: string, v: string | undefined) => {
    if (v !== undefined) list.push([name, v]);
  };
  add(request, 'grant_type', get('grant_type'));
  add(request, 'client_id', get('client_id'));
  add(request, 'redirect_uri', get('redirect_uri') !== undefined ? redactUrl(get('redirect_uri')!, { redact }) : undefined);
  add(request, 'code_verifier', get('code_verifier') !== undefined ? shown(get('code_verifier')!, redact) : undefined);
  add(request, 'refresh_token', get('refresh_token') !== undefined ? shown(get('refresh_token')!, redact) : undefined);
  add(request, 'client_auth', clientAuth(o, p));
  if (header(o.requestHeaders, 'dpop') !== undefined) request.push(['DPoP', 'proof sent']);

  const response: [string, string][] = [];
  if (o.status !== undefined && o.status > 0) response.push(['status', String(o.status)]);
  const j = msg.json;
  const str = (n: string) => (typeof j?.[n] === 'string' && (j[n] as string).length > 0 ? (j[n] as string) : undefined);
  if (j) {
    add(response, 'error', str('error'));
    add(response, 'token_type', str('token_type'));
    for (const n of ['access_token', 'id_token', 'refresh_token']) add(response, n, str(n) !== undefined ? shown(str(n)!, redact) : undefined);
    const idt = str('id_token');
    const claims = idt ? decodeJwtPayloadUnsafe(idt) : undefined;
    if (typeof claims?.iss === 'string') response.push(['id_token iss', claims.iss]);
    add(response, 'scope', str('scope'));
  }
  return {
    grantType: get('grant_type'),
    ...(code !== undefined ? { code: shown(code, redact), codeHash: hashSecret(code) } : {}),
    request,
    ...(o.responseTime !== undefined ? { responseTime: o.responseTime } : {}),
    response,
  };
}

/**
 * A back-channel request in an observation (for DiagramInput.fetches): an RFC 8414 / OIDC
 * discovery document by its well-known path, a JWKS by its JSON body's `keys` array, a token
 * request by its grant_type (with its response). `redact` as the engine's: the code's fingerprint
 * then equals the one the flow model shows at the callback.
 */
export function diagramFetchOf(o: Observation, opts: { redact?: boolean } = {}): DiagramFetch | undefined {
  const p = parseUrl(o.url);
  if (!p || o.type === 'main_frame' || o.type === 'sub_frame') return undefined;
  let kind: DiagramFetch['kind'] | undefined;
  let token: TokenExchange | undefined;
  if (/\/\.well-known\/(openid-configuration|oauth-authorization-server)/.test(p.pathname)) kind = 'metadata';
  else if (o.method === 'POST' && (token = tokenExchangeOf(o, opts.redact ?? true))) kind = 'token';
  else if (o.responseBody && o.responseBody.length < 200_000 && /^\s*\{/.test(o.responseBody) && o.responseBody.includes('"keys"')) {
    try {
      const j = JSON.parse(o.responseBody) as unknown;
      if (j && typeof j === 'object' && Array.isArray((j as { keys?: unknown }).keys)) kind = 'jwks';
    } catch {
      /* not JSON */
    }
  }
  return kind ? { kind, url: p.origin + p.pathname, time: o.time, obsId: o.id, ref: o.ref, context: o.context, ...(token ? { token } : {}) } : undefined;
}

/** same tab, or the same HAR input (a server-side client's fetches carry no page) */
export function sameCapture(a: string, b: string): boolean {
  if (a === b) return true;
  const x = /^har:(\d+):/.exec(a);
  const y = /^har:(\d+):/.exec(b);
  return x !== null && y !== null && x[1] === y[1];
}
