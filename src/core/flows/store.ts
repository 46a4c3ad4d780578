import type { ClassifyHints } from '../classify/classify';
import type { OAuthMessage } from '../classify/message';
import { header, type Observation, type SourceRef } from '../observe/observation';
import { fastHash, hashSecret, redactUrl, secretRef, type SecretRef } from '../util/secret';
import { originOf, parseUrl, siteOf, stripFragment, type ParsedUrl } from '../util/url';
import type { AsIdentity, Flow, FlowRequest } from './flow';
import { evictionVictim } from './eviction';
import { providerForEndpoint, providerRow, tableSendsIss, type ProviderRow } from './providers';
import { issuerForTokenEndpoint, McpLedger, type LedgerState } from '../mcp/ledger';

export const FLOW_TTL_MS = 30 * 60 * 1000;
export const MAX_FLOWS = 500;
/** an authorization request flood: this many in one context within FLOOD_WINDOW_MS */
export const FLOOD_COUNT = 100;
export const FLOOD_WINDOW_MS = 60_000;
const MAX_HOPS_PER_CONTEXT = 30;
const MAX_CODES = 2000;
const MAX_REFRESH_TOKENS = 2000;
const MAX_CONTEXTS = 1000;
const MAX_METADATA = 200;
const MAX_ID_TOKEN_ISSUERS = 500;
const MAX_RECENT_URLS = 200;
/** per-flow caps: a reload loop must not grow a flow without bound */
const MAX_FLOW_REQUESTS = 50;
const MAX_FLOW_RESPONSES = 50;
const MAX_FLOW_STEPS = 200;
/** how far back "reached from" looks for the redirect that led to a request (§1.A: 60 s) */
const HOP_WINDOW_MS = 60_000;
const MAX_PAR = 500;
/** RFC 9126 §2.2: request_uri lifetimes are short (Keycloak 60 s, most ASes ≤ 10 min) */
const PAR_TTL_MS = 10 * 60 * 1000;

/** What a pushed authorization request (DT/HAR) told about the flow its request_uri will open. */
export interface PushedRequest {
  time: number;
  ref: SourceRef;
  clientId?: string;
  redirectUri?: string;
  state?: SecretRef;
  nonce?: SecretRef;
  responseType?: string;
  responseMode?: string;
  codeChallenge?: string;
  codeChallengeMethod?: string;
  scope?: string;
}

/**
 * A navigation hop seen in a context: used to answer "how was this request reached?". URLs are kept
 * only as hashes (they carry codes and states), never in clear.
 */
export interface Hop {
  obsId: string;
  time: number;
  /** hash of the URL without fragment (what a follow-up request carries) */
  key: string;
  origin: string;
  /** hash of the redirect target without fragment, if the response redirected */
  to?: string;
  /** the navigation that followed this redirect was seen: a later one to the same URL did not come from it */
  followed?: true;
}

export interface MetadataRecord {
  issuer: string;
  /** URL it was fetched from */
  fetchedFrom: string;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  endpoints: Record<string, string>;
  issParameterSupported?: boolean;
  codeChallengeMethods?: string[];
}

export interface CodeDelivery {
  flowId?: string;
  ref: SourceRef;
  obsId: string;
  time: number;
  context: string;
  stateHash?: string;
  base: string;
  url: string;
  /** origin of the previous hop (who delivered it) */
  from?: string;
}

export interface RefreshUse {
  ref: SourceRef;
  time: number;
  /** time the response arrived, if known */
  responseTime?: number;
  status?: number;
  /** hash of the refresh token the response returned (rotation), if any */
  rotatedTo?: string;
  dpop: boolean;
  clientAuthenticated: boolean;
}

export interface StoreOptions {
  redact: boolean;
  maxFlows?: number;
  ttlMs?: number;
  /** provider rows consulted before CoatCheck's table (user settings, a test lab's hosts) */
  providers?: ProviderRow[];
}

export interface PreviousHop {
  origin?: string;
  via: FlowRequest['via'];
  hop?: Hop;
}

/** hash of a URL without its fragment: how hops and replays are compared without keeping URLs */
export function urlKey(method: string, url: string): string {
  return fastHash(`${method.toUpperCase()} ${stripFragment(url)}`);
}

/**
 * The identity of a request for G3 (reload, back/forward, HAR re-request): method, the whole URL
 * with its fragment (two fragment responses at one callback are different deliveries; a reload
 * repeats the fragment) and, for a POST, its form body (form_post responses).
 */
export function replayKey(o: Observation): string {
  const form = o.method.toUpperCase() === 'POST' && o.requestBody?.form ? `\n${o.requestBody.form.map(([k, v]) => `${k}=${v}`).join('&')}` : '';
  return fastHash(`${o.method.toUpperCase()} ${o.url}${form}`);
}

export interface AttachResult {
  flow?: Flow;
  created: boolean;
  /** for an authorization request that joined an existing flow by state */
  joined: boolean;
  /** a G3 replay (identical URL again in the same context) */
  replay: boolean;
}

/**
 * The flow store: every flow, indexed by state and code, plus what the capture taught about ASes.
 * It holds secrets only as SecretRefs (hash + redacted display). It is the only mutable state of
 * the engine and round-trips through JSON (storage.session).
 */
export class FlowStore implements ClassifyHints {
  readonly opts: Required<StoreOptions>;
  flows = new Map<string, Flow>();
  /** state hash → flow ids */
  byState = new Map<string, string[]>();
  /** flows by the fingerprint of their nonce (derived like byState; a flow's nonce is fixed when it is added) */
  private byNonce = new Map<string, string[]>();
  /** flows by client_id (derived; fixed when the flow is added) */
  private byClient = new Map<string, string[]>();
  codes = new Map<string, CodeDelivery[]>();
  refreshTokens = new Map<string, RefreshUse[]>();
  metadata = new Map<string, MetadataRecord>();
  /** authorization endpoint base → issuer */
  endpointIssuer = new Map<string, string>();
  /** authorization endpoint → issuer learnt from an earlier clean flow (front-channel ID token or RFC 9207 iss) */
  idTokenIssuer = new Map<string, string>();
  /** authorization endpoint → time of the first response of its AS that carried its iss (RFC 9207 support seen) */
  issSent = new Map<string, number>();
  hops = new Map<string, Hop[]>();
  /** first observation time per context (G6) */
  contextStart = new Map<string, number>();
  /** last observation time per context (pruning) */
  contextLast = new Map<string, number>();
  /** number of authorization requests seen per context */
  areqCount = new Map<string, number>();
  /** times of the last FLOOD_WINDOW_COUNT authorization requests per context (flood detection) */
  areqTimes = new Map<string, number[]>();
  /** flows the cap removed (not expiry): a flood pushed them out */
  evicted = 0;
  /** recently seen URL keys (hashes) per context, for G3 replays */
  recentUrls = new Map<string, { key: string; time: number; initiator?: string }[]>();
  /** request_uri hash → the PAR body it stands for (RFC 9126) */
  pushed = new Map<string, PushedRequest>();
  /** time of the first observation of the whole capture (G6) */
  captureStart: number | undefined;
  /**
   * when a request with a Cookie header was first seen: before that, a missing Cookie proves
   * nothing (Chrome's sanitized HAR export drops Cookie and Set-Cookie; detectors.md §0.1 [U])
   */
  firstCookieAt: number | undefined;
  /** protected-resource discovery and credentials per issuer (MCP, §1 I and L): src/core/mcp/ledger.ts */
  readonly mcp = new McpLedger((base) => issuerForTokenEndpoint(this.metadata.values(), base, siteOf));
  now = 0;
  private seq = 0;
  private sinceSweep = 0;

  constructor(opts: StoreOptions) {
    this.opts = { redact: opts.redact, maxFlows: opts.maxFlows ?? MAX_FLOWS, ttlMs: opts.ttlMs ?? FLOW_TTL_MS, providers: opts.providers ?? [] };
  }

  secret(v: string): SecretRef {
    return secretRef(v, this.opts);
  }

  redactUrl(u: string): string {
    return redactUrl(u, this.opts);
  }

  // ---------------------------------------------------------------- observation bookkeeping

  /** Called for every observation before classification. */
  observe(o: Observation): void {
    if (!Number.isFinite(o.time)) return;
    if (o.time > this.now) this.now = o.time;
    if (this.captureStart === undefined || o.time < this.captureStart) this.captureStart = o.time;
    if ((this.firstCookieAt === undefined || o.time < this.firstCookieAt) && o.requestHeaders.length > 0 && header(o.requestHeaders, 'cookie')?.trim()) this.firstCookieAt = o.time;
    if (!this.contextStart.has(o.context)) this.contextStart.set(o.context, o.time);
    this.contextLast.set(o.context, Math.max(this.contextLast.get(o.context) ?? 0, o.time));
    this.mcp.observe(o);
    this.sinceSweep += 1;
    // amortised: every 1024 observations, or when the contexts overshoot the cap by a quarter
    if (this.sinceSweep >= 1024 || this.contextLast.size > MAX_CONTEXTS + (MAX_CONTEXTS >> 2)) this.sweep();
  }

  /** Has the capture shown a Cookie request header before `time` (so cookie headers are captured at all)? */
  cookieHeadersSeenBefore(time: number): boolean {
    return this.firstCookieAt !== undefined && this.firstCookieAt < time;
  }

  /**
   * Called after rules ran: remember navigation hops (redirect chains). `from` is how the
   * navigation was reached (previousHop): the redirect hop it followed is consumed by it, so a later
   * navigation to the same URL (a link on another site re-delivering a callback, #8.2) is not taken
   * for the redirect's follow-up.
   */
  recordHop(o: Observation, from?: PreviousHop): void {
    if (o.type !== 'main_frame' && o.type !== 'sub_frame') return;
    if (from?.via === 'redirect' && from.hop) from.hop.followed = true;
    const origin = originOf(o.url);
    if (!origin) return;
    const list = this.hops.get(o.context) ?? [];
    const target = o.location ? parseUrl(o.location, o.url)?.href : undefined;
    list.push({ obsId: o.id, time: o.time, key: urlKey('GET', o.url), origin, to: target ? urlKey('GET', target) : undefined });
    if (list.length > MAX_HOPS_PER_CONTEXT) list.splice(0, list.length - MAX_HOPS_PER_CONTEXT);
    this.hops.set(o.context, list);
  }

  /** The hop whose redirect led to this URL, within the window, and not yet followed by another navigation. */
  private redirectHopTo(context: string, url: string, time: number, exceptObs?: string): Hop | undefined {
    const list = this.hops.get(context) ?? [];
    // hash the URL only when a recent hop redirected somewhere (hashing is the costly part)
    let any = false;
    for (let i = list.length - 1; i >= 0 && time - list[i].time <= HOP_WINDOW_MS; i--) if (list[i].to !== undefined && !list[i].followed) any = true;
    if (!any) return undefined;
    const target = urlKey('GET', url);
    for (let i = list.length - 1; i >= 0; i--) {
      const h = list[i];
      if (time - h.time > HOP_WINDOW_MS) break;
      if (h.to === target && h.obsId !== exceptObs && !h.followed) return h;
    }
    return undefined;
  }

  /**
   * How the browser reached this request (§0.3 opener, "reached from" of mixup-as-switch): a 30x
   * Location from a previous hop, a client_redirect from the last document, the initiator, the
   * Referer or (POST) the Origin header.
   */
  previousHop(o: Observation): PreviousHop {
    // hops are navigations: only a navigation can be the target of a recorded redirect
    const nav = o.type === 'main_frame' || o.type === 'sub_frame' || o.navigationOnly === true;
    const h = nav ? this.redirectHopTo(o.context, o.url, o.time, o.id) : undefined;
    if (h) return { origin: h.origin, via: 'redirect', hop: h };
    const list = this.hops.get(o.context) ?? [];
    if (o.transition?.qualifiers?.includes('client_redirect')) {
      const last = list[list.length - 1];
      if (last) return { origin: last.origin, via: 'client_redirect', hop: last };
    }
    if (o.initiator && o.initiator !== 'null') return { origin: originOf(o.initiator) ?? o.initiator, via: 'initiator' };
    const ref = originOf(header(o.requestHeaders ?? [], 'referer'));
    if (ref) return { origin: ref, via: 'referer' };
    const orig = originOf(header(o.requestHeaders ?? [], 'origin'));
    if (orig) return { origin: orig, via: 'referer' };
    return { via: 'none' };
  }

  /**
   * Does the redirect chain that led to `from` descend from one of these origins (a hop of the
   * flow)? Walks 30x Locations back through the context's hops.
   */
  chainReaches(context: string, from: PreviousHop, origins: Set<string>): boolean {
    if (from.origin && origins.has(from.origin)) return true;
    let h = from.hop;
    for (let i = 0; h && i < MAX_HOPS_PER_CONTEXT; i++) {
      if (origins.has(h.origin)) return true;
      const key = h.key;
      const list = this.hops.get(context) ?? [];
      const prev: Hop | undefined = [...list].reverse().find((x) => x.to === key && x.time <= h!.time && x.obsId !== h!.obsId);
      h = prev;
    }
    return false;
  }

  /**
   * G3: the identical request (replayKey) was seen before in this context (reload, back/forward, HAR re-request)
   * and this time it was started by C, an AS of the context, the same party as before, or nobody
   * known. A re-delivery started by a third origin is never a replay.
   */
  isReplay(o: Observation, from: PreviousHop): boolean {
    const key = replayKey(o);
    const list = this.recentUrls.get(o.context) ?? [];
    const prior = list.find((r) => r.key === key && o.time - r.time <= this.opts.ttlMs);
    list.push({ key, time: o.time, initiator: from.origin });
    if (list.length > MAX_RECENT_URLS) list.splice(0, list.length - MAX_RECENT_URLS);
    this.recentUrls.set(o.context, list);
    const reloaded = o.transition !== undefined && /reload|forward_back/.test(`${o.transition.type} ${(o.transition.qualifiers ?? []).join(' ')}`);
    if (prior && reloaded) return true;
    // a duplicated or restored tab reloads a request first seen in another tab (same origin rules)
    const earlier = prior ?? (reloaded ? this.seenInOtherContext(o.context, key, o.time) : undefined);
    if (!earlier) return false;
    if (from.origin === undefined || from.origin === earlier.initiator || from.origin === originOf(o.url)) return true;
    return this.isKnownAsOrigin(from.origin, o.context);
  }

  private seenInOtherContext(context: string, key: string, time: number): { initiator?: string } | undefined {
    for (const [c, list] of this.recentUrls) {
      if (c === context) continue;
      const r = list.find((x) => x.key === key && time - x.time <= this.opts.ttlMs);
      if (r) return r;
    }
    return undefined;
  }

  // ---------------------------------------------------------------- AS identity (§0.4)

  /**
   * §0.4: issuer(authorization endpoint), in this order: observed metadata, an issuer learnt from
   * an earlier clean flow of the capture (ID token or RFC 9207 iss), the provider table, the
   * origin. `time` is when the request was made: a table row's `always since D` applies from D on.
   */
  resolveAs(url: ParsedUrl, time: number = this.now): AsIdentity {
    const fromMd = this.endpointIssuer.get(url.base);
    if (fromMd) {
      const md = this.metadata.get(fromMd);
      return { origin: url.origin, issuer: fromMd, source: 'metadata', endpoint: url.base, sendsIss: md?.issParameterSupported };
    }
    const provider = providerForEndpoint(url.base, this.opts.providers);
    const table = provider
      ? {
          provider: provider.row.id,
          ...(provider.aliases.length ? { issuerAliases: provider.aliases } : {}),
          ...(provider.ownScope ? { ownScope: provider.ownScope } : {}),
        }
      : {};
    const sendsIss = (provider && tableSendsIss(provider.row, time)) || this.issSent.has(url.base) || undefined;
    const fromId = this.idTokenIssuer.get(url.base);
    if (fromId) return { origin: url.origin, issuer: fromId, source: 'id_token', endpoint: url.base, sendsIss, ...table };
    if (provider) {
      return {
        origin: url.origin,
        issuer: provider.issuer,
        source: 'provider',
        endpoint: url.base,
        sendsIss,
        ...(provider.pattern ? { issuerPattern: provider.pattern } : {}),
        ...table,
      };
    }
    return { origin: url.origin, issuer: url.origin, source: 'origin', endpoint: url.base, sendsIss };
  }

  /**
   * Does `iss` name this AS? Known issuers compare as strings (RFC 3986 §6.2.1), templated ones
   * (Entra's /common/) and the aliases the table lists for the AS (Entra v1/v2 of one tenant) as
   * patterns; with only the origin known, origins compare (a Keycloak realm path, an Entra tenant
   * or Auth0's trailing slash do not count as a difference).
   */
  issuerMatches(as: AsIdentity, iss: string): boolean {
    if (as.source === 'origin') return originOf(iss) === as.origin;
    if (iss === as.issuer) return true;
    for (const p of [as.issuerPattern, ...(as.issuerAliases ?? [])]) {
      if (p === undefined) continue;
      try {
        if (new RegExp(p).test(iss)) return true;
      } catch {
        // a malformed pattern matches nothing
      }
    }
    return false;
  }

  /**
   * §0.4 soft table knowledge: is `iss` inside the issuer space of this AS (its origin, or the
   * scope its table row names, e.g. one Entra tenant)? An iss there that differs from a table
   * issuer means the table is stale; one outside is a foreign issuer.
   */
  inOwnScope(as: AsIdentity, iss: string): boolean {
    if (as.ownScope !== undefined) {
      try {
        return new RegExp(as.ownScope).test(iss);
      } catch {
        return false;
      }
    }
    return originOf(iss) === as.origin;
  }

  /** the provider row with this id: the caller's rows first, then CoatCheck's table */
  providerRow(id: string | undefined): ProviderRow | undefined {
    return providerRow(id, this.opts.providers);
  }

  /**
   * RFC 9207 support of an AS at `time` (mixup-iss-missing (a)), and where that is known from:
   * its observed metadata, an earlier response of the capture that carried its iss, or the
   * provider table (`always since D`, D ≤ time). Undefined when nothing says it sends iss.
   */
  issSupport(as: AsIdentity, time: number): { from: 'metadata' | 'capture' | 'provider'; row?: ProviderRow } | undefined {
    const row = this.providerRow(as.provider);
    if (as.source === 'metadata' && (this.metadata.get(as.issuer)?.issParameterSupported ?? as.sendsIss)) return { from: 'metadata' };
    const sent = this.issSent.get(as.endpoint);
    if (sent !== undefined && sent < time) return { from: 'capture', row };
    if (as.source !== 'metadata' && row && tableSendsIss(row, time)) return { from: 'provider', row };
    return undefined;
  }

  /**
   * §0.4 (2), learning within one capture, after the rules ran on a response of a clean flow (one
   * AS, matched by state, not a replay): its RFC 9207 iss shows the AS sends iss, and an issuer it
   * names on the AS's own site is learnt for its authorization endpoint — unless metadata already
   * names it or the table already says exactly this (templates and aliases stay).
   */
  learnFromResponse(as: AsIdentity, iss: string | undefined, time: number, fromIdToken: string | undefined): void {
    if (iss !== undefined && iss !== '' && (this.issuerMatches(as, iss) || (as.source === 'provider' && this.inOwnScope(as, iss)))) {
      if (!this.issSent.has(as.endpoint)) this.issSent.set(as.endpoint, time);
      while (this.issSent.size > MAX_ID_TOKEN_ISSUERS) this.issSent.delete(this.issSent.keys().next().value as string);
    }
    const named = iss !== undefined && iss !== '' ? iss : fromIdToken;
    if (named === undefined || as.source === 'metadata' || as.source === 'id_token') return;
    if (as.source === 'provider' && (this.issuerMatches(as, named) || !this.inOwnScope(as, named))) return;
    this.learnIdTokenIssuer(as.endpoint, named);
  }

  /**
   * §0.4 "different AS": different known issuers (templates as patterns); with the origin fallback
   * on either side, a different site (G2: hosts of one eTLD+1 are one AS).
   */
  differentAs(a: AsIdentity, b: AsIdentity): boolean {
    if (a.source !== 'origin' && b.source !== 'origin') {
      return !(a.issuer === b.issuer || this.issuerMatches(a, b.issuer) || this.issuerMatches(b, a.issuer));
    }
    if (a.origin === b.origin) return false;
    const ha = parseUrl(a.origin)?.hostname ?? a.origin;
    const hb = parseUrl(b.origin)?.hostname ?? b.origin;
    return siteOf(ha) !== siteOf(hb);
  }

  // ---------------------------------------------------------------- ClassifyHints

  matchesKnownRedirectUri(url: ParsedUrl): boolean {
    for (const f of this.flows.values()) {
      if (f.redirectUri && prefixMatch(f.redirectUri, url.base)) return true;
    }
    return false;
  }

  /** the origin of an AS an open flow (§0.3 expiry) of this context went to */
  isKnownAsOrigin(origin: string, context: string): boolean {
    for (const f of this.flows.values()) {
      if (f.context !== context || this.now - f.tLast > this.opts.ttlMs) continue;
      if (f.requests.some((r) => r.as.origin === origin)) return true;
    }
    return false;
  }

  /** the URL was the Location of a redirect answered by an AS origin of this context (§0.2 ARESP) */
  reachedByRedirectFromAs(o: Observation): boolean {
    const h = this.redirectHopTo(o.context, o.url, o.time, o.id);
    return h !== undefined && this.isKnownAsOrigin(h.origin, o.context);
  }

  namedResourceMetadata(url: string, context: string): boolean {
    return this.mcp.namedResourceMetadata(url, context);
  }
  registrationEndpoints(): ReadonlySet<string> {
    return this.mcp.registrationEndpoints;
  }

  isKnownAuthorizationEndpoint(base: string): boolean {
    return this.endpointIssuer.has(base) || providerForEndpoint(base, this.opts.providers) !== undefined;
  }

  endpointKindFromMetadata(base: string): OAuthMessage['endpoint'] | undefined {
    for (const md of this.metadata.values()) {
      for (const [k, v] of Object.entries(md.endpoints)) {
        if (stripQuery(v) !== base) continue;
        if (k === 'token_endpoint') return 'token';
        if (k === 'pushed_authorization_request_endpoint') return 'par';
        if (k === 'revocation_endpoint') return 'revocation';
        if (k === 'introspection_endpoint') return 'introspection';
        if (k === 'device_authorization_endpoint') return 'device';
        if (k === 'backchannel_authentication_endpoint') return 'ciba';
        if (k === 'userinfo_endpoint') return 'userinfo';
      }
    }
    return undefined;
  }

  // ---------------------------------------------------------------- flows

  private newId(): string {
    this.seq += 1;
    return `f${this.seq}`;
  }

  flowsOfClient(clientId: string): Flow[] {
    return (this.byClient.get(clientId) ?? []).map((id) => this.flows.get(id)).filter((f): f is Flow => f !== undefined);
  }

  flowsWithNonce(nonceHash: string): Flow[] {
    return (this.byNonce.get(nonceHash) ?? []).map((id) => this.flows.get(id)).filter((f): f is Flow => f !== undefined);
  }

  flowsWithState(stateHash: string): Flow[] {
    return (this.byState.get(stateHash) ?? []).map((id) => this.flows.get(id)).filter((f): f is Flow => f !== undefined);
  }

  openFlowsIn(context: string): Flow[] {
    return [...this.flows.values()].filter((f) => f.context === context && this.now - f.tLast <= this.opts.ttlMs);
  }

  /** Has this context an open flow? (no array: the worker asks on every frame navigation) */
  hasOpenFlowIn(context: string): boolean {
    for (const f of this.flows.values()) if (f.context === context && this.now - f.tLast <= this.opts.ttlMs) return true;
    return false;
  }


  /** The requests of a flow that the client itself issued: not reached from an AS hop of the flow. */
  clientIssued(flow: Flow): FlowRequest[] {
    return flow.requests.filter((_, i) => this.relayedBy(flow, i) === undefined);
  }

  /**
   * The earlier request of the flow whose AS relayed request i ("reached from O1"): the previous
   * hop is that AS's origin, or another host of its site that is not the client's own origin.
   */
  relayedBy(flow: Flow, i: number): FlowRequest | undefined {
    const r = flow.requests[i];
    if (i === 0 || !r?.from) return undefined;
    const priors = flow.requests.slice(0, i).reverse();
    const exact = priors.find((p) => p.as.origin === r.from);
    if (exact) return exact;
    const clientOrigins = new Set([flow.client, originOf(r.redirectUri)].filter((x): x is string => !!x));
    if (clientOrigins.has(r.from)) return undefined;
    const fromSite = siteOfOrigin(r.from);
    return priors.find((p) => siteOfOrigin(p.as.origin) === fromSite);
  }

  /** Authorization request → flow (new, joined by state, or a brokered child, G1). */
  attachAuthorizationRequest(msg: OAuthMessage, from: PreviousHop, replay: boolean): AttachResult {
    const o = msg.obs;
    const url = msg.url!;
    const as = this.resolveAs(url, o.time);
    const p = msg.params;
    const state = msg.paramsKnown ? p.get('state') : undefined;
    const redirectUri = msg.paramsKnown ? p.get('redirect_uri') : undefined;
    const request: FlowRequest = {
      ref: o.ref,
      obsId: o.id,
      time: o.time,
      url: this.redactUrl(o.url),
      as,
      clientId: p.get('client_id'),
      redirectUri,
      from: from.origin,
      via: from.via,
      responseType: msg.paramsKnown ? p.get('response_type') : undefined,
    };
    this.areqCount.set(o.context, (this.areqCount.get(o.context) ?? 0) + 1);
    const times = this.areqTimes.get(o.context) ?? [];
    times.push(o.time);
    if (times.length > FLOOD_COUNT) times.splice(0, times.length - FLOOD_COUNT);
    this.areqTimes.set(o.context, times);
    // PAR (RFC 9126): the pushed body behind this request_uri names state, redirect_uri, …
    const requestUri = msg.paramsKnown ? undefined : p.get('request_uri');
    const found = requestUri ? this.pushed.get(hashSecret(requestUri)) : undefined;
    const pushed = found && o.time - found.time <= PAR_TTL_MS && (!found.clientId || !request.clientId || found.clientId === request.clientId) ? found : undefined;
    if (pushed) {
      request.redirectUri = pushed.redirectUri;
      request.responseType = pushed.responseType;
    }
    const stateHash = state !== undefined ? hashSecret(state) : pushed?.state?.hash;

    if (stateHash !== undefined) {
      const h = stateHash;
      const prior = this.flowsWithState(h)
        .filter((f) => f.context === o.context && o.time - f.tLast <= this.opts.ttlMs)
        .pop();
      if (prior) {
        this.pushStep(prior, { ref: o.ref, obsId: o.id, time: o.time, kind: msg.kind, url: request.url });
        if (replay) return { flow: prior, created: false, joined: true, replay: true };
        // G2: the identical request (client_id, redirect_uri, state) moved to another host of the
        // same site at the same path is the same AS, whatever issuers the provider table or the
        // origin guess for the hosts; only observed metadata of both (§0.4 step 1) can tell two
        // issuers apart there
        const last = prior.requests[prior.requests.length - 1];
        const lastUrl = last ? parseUrl(last.as.endpoint) : undefined;
        if (
          last && lastUrl && msg.paramsKnown && !(last.as.source === 'metadata' && as.source === 'metadata') &&
          lastUrl.hostname !== url.hostname && lastUrl.pathname === url.pathname &&
          siteOf(lastUrl.hostname) === siteOf(url.hostname) && last.clientId === request.clientId && last.redirectUri === request.redirectUri
        ) {
          request.as = { ...last.as, origin: as.origin, endpoint: as.endpoint };
        }
        if (prior.requests.length < MAX_FLOW_REQUESTS) prior.requests.push(request);
        return { flow: prior, created: false, joined: true, replay: false };
      }
    }

    const nonce = msg.paramsKnown ? p.get('nonce') : undefined;
    const flow: Flow = {
      id: this.newId(),
      context: o.context,
      t0: o.time,
      tLast: o.time,
      client: originOf(redirectUri),
      opener: from.origin,
      as,
      clientId: p.get('client_id'),
      redirectUri,
      state: state !== undefined ? this.secret(state) : undefined,
      nonce: nonce !== undefined ? this.secret(nonce) : undefined,
      codeChallenge: msg.paramsKnown ? p.get('code_challenge') : undefined,
      codeChallengeMethod: msg.paramsKnown ? p.get('code_challenge_method') : undefined,
      responseType: request.responseType,
      responseMode: msg.paramsKnown ? p.get('response_mode') : undefined,
      scope: msg.paramsKnown ? p.get('scope') : undefined,
      paramsKnown: msg.paramsKnown,
      mcp: this.mcp.flowMark(o.context, url.base, as.issuer, o.time, msg.paramsKnown ? p.get('resource') : undefined),
      children: [],
      requests: [request],
      responses: [],
      steps: [{ ref: o.ref, obsId: o.id, time: o.time, kind: msg.kind, url: request.url }],
    };
    if (pushed) {
      flow.pushed = true;
      flow.redirectUri = pushed.redirectUri;
      flow.client = originOf(pushed.redirectUri);
      flow.state = pushed.state;
      flow.nonce = pushed.nonce;
      flow.responseType = pushed.responseType;
      flow.responseMode = pushed.responseMode;
      flow.codeChallenge = pushed.codeChallenge;
      flow.codeChallengeMethod = pushed.codeChallengeMethod;
      flow.scope = pushed.scope;
      flow.clientId ??= pushed.clientId;
    }
    // G1: the redirect_uri is on a previous hop's AS origin (the broker's own callback) and the
    // state is fresh (a reused state joined above) → a brokered child flow of the broker's flow
    const ru = originOf(flow.redirectUri);
    if (ru && ru !== as.origin) {
      const parent = this.openFlowsIn(o.context)
        .filter((f) => f.requests.some((r) => r.as.origin === ru))
        .pop();
      if (parent) {
        flow.parent = parent.id;
        parent.children.push(flow.id);
      }
    }
    this.addFlow(flow);
    return { flow, created: true, joined: false, replay };
  }

  /**
   * Authorization response → the flow it answers (§0.3 linking), or undefined (unsolicited):
   * 1. exact state (this context first, then any context: popups);
   * 2. PAR/JAR: the first response reached from an opaque flow's AS in this context's chain adopts
   *    it and its state;
   * 3. no state: a flow of this context whose redirect_uri prefix-matches, and which either sent no
   *    state itself or whose AS chain led here (the AS dropped the state).
   */
  attachAuthorizationResponse(msg: OAuthMessage, from: PreviousHop): Flow | undefined {
    const o = msg.obs;
    const state = msg.params.get('state');
    let flow: Flow | undefined;
    if (state !== undefined) {
      const candidates = this.flowsWithState(hashSecret(state)).filter((f) => o.time - f.tLast <= this.opts.ttlMs);
      flow = candidates.filter((f) => f.context === o.context).pop() ?? candidates.pop();
    }
    if (!flow) {
      const open = this.openFlowsIn(o.context).filter((f) => f.responses.length === 0);
      const asOrigins = (f: Flow) => new Set(f.requests.map((r) => r.as.origin));
      flow = open
        .filter((f) => !f.paramsKnown && f.state === undefined && (from.via === 'none' || this.chainReaches(o.context, from, asOrigins(f))))
        .pop();
      if (flow && state !== undefined) {
        flow.state = this.secret(state);
        this.indexState(flow);
      }
      if (!flow && state === undefined && msg.url) {
        flow = open
          .filter((f) => f.redirectUri && prefixMatch(f.redirectUri, msg.url!.base))
          .filter((f) => f.state === undefined || this.chainReaches(o.context, from, asOrigins(f)))
          .pop();
      }
      if (flow && !flow.client && msg.url) flow.client = msg.url.origin;
      if (flow && !flow.redirectUri && msg.url) flow.redirectUri = msg.url.base;
    }
    if (!flow) return undefined;
    const p = msg.params;
    const code = p.get('code');
    if (flow.responses.length < MAX_FLOW_RESPONSES) {
      flow.responses.push({
        ref: o.ref,
        obsId: o.id,
        time: o.time,
        url: this.redactUrl(o.url),
        base: msg.url?.base ?? stripFragment(o.url),
        mode: msg.responseMode ?? 'query',
        code: code !== undefined ? this.secret(code) : undefined,
        hasToken: p.has('access_token') || p.has('id_token'),
        iss: p.get('iss'),
        error: p.get('error'),
      });
    }
    this.pushStep(flow, { ref: o.ref, obsId: o.id, time: o.time, kind: msg.kind, url: this.redactUrl(o.url) });
    return flow;
  }

  recordCode(code: string, d: Omit<CodeDelivery, 'url'> & { url: string }): CodeDelivery[] {
    const h = hashSecret(code);
    const list = this.codes.get(h) ?? [];
    if (list.length < 20) list.push({ ...d, url: this.redactUrl(d.url) });
    this.codes.delete(h); // re-insert: most recent last (the cap drops the oldest)
    this.codes.set(h, list);
    while (this.codes.size > MAX_CODES) this.codes.delete(this.codes.keys().next().value as string);
    return list;
  }

  /** Attach a non-front-channel message (token request, …) to the flow of its code, if any. */
  flowForCode(code: string): Flow | undefined {
    const list = this.codes.get(hashSecret(code));
    const id = list?.find((d) => d.flowId)?.flowId;
    return id ? this.flows.get(id) : undefined;
  }

  addStep(flow: Flow, msg: OAuthMessage): void {
    this.pushStep(flow, { ref: msg.obs.ref, obsId: msg.obs.id, time: msg.obs.time, kind: msg.kind, url: this.redactUrl(msg.obs.url) });
  }

  private pushStep(flow: Flow, step: Flow['steps'][number]): void {
    flow.steps.push(step);
    if (flow.steps.length > MAX_FLOW_STEPS) flow.steps.splice(1, flow.steps.length - MAX_FLOW_STEPS); // keep the first
    flow.tLast = Math.max(flow.tLast, step.time);
  }

  /**
   * A PAR request with its 201 reply (DT/HAR): remember the parameters behind the request_uri so
   * the opaque authorization request that uses it gets its state, redirect_uri and client.
   */
  recordPushedRequest(msg: OAuthMessage): void {
    const uri = msg.json?.request_uri;
    if (typeof uri !== 'string' || uri.length === 0) return;
    const p = msg.params;
    const state = p.get('state');
    const nonce = p.get('nonce');
    this.pushed.set(hashSecret(uri), {
      time: msg.obs.time,
      ref: msg.obs.ref,
      clientId: p.get('client_id'),
      redirectUri: p.get('redirect_uri'),
      state: state !== undefined ? this.secret(state) : undefined,
      nonce: nonce !== undefined ? this.secret(nonce) : undefined,
      responseType: p.get('response_type'),
      responseMode: p.get('response_mode'),
      codeChallenge: p.get('code_challenge'),
      codeChallengeMethod: p.get('code_challenge_method'),
      scope: p.get('scope'),
    });
    while (this.pushed.size > MAX_PAR) this.pushed.delete(this.pushed.keys().next().value as string);
  }

  /** Remember a refresh token use (bounded). */
  recordRefreshUse(hash: string, use: RefreshUse): RefreshUse[] {
    const list = this.refreshTokens.get(hash) ?? [];
    list.push(use);
    if (list.length > 50) list.splice(0, list.length - 50);
    this.refreshTokens.delete(hash);
    this.refreshTokens.set(hash, list);
    while (this.refreshTokens.size > MAX_REFRESH_TOKENS) this.refreshTokens.delete(this.refreshTokens.keys().next().value as string);
    return list;
  }

  recordMetadata(fetchedFrom: string, doc: Record<string, unknown>): MetadataRecord | undefined {
    if (typeof doc.issuer !== 'string') return undefined;
    const endpoints: Record<string, string> = {};
    for (const [k, v] of Object.entries(doc)) if (k.endsWith('_endpoint') && typeof v === 'string') endpoints[k] = v;
    const rec: MetadataRecord = {
      issuer: doc.issuer,
      fetchedFrom,
      authorizationEndpoint: endpoints.authorization_endpoint,
      tokenEndpoint: endpoints.token_endpoint,
      endpoints,
      issParameterSupported: doc.authorization_response_iss_parameter_supported === true,
      codeChallengeMethods: Array.isArray(doc.code_challenge_methods_supported)
        ? doc.code_challenge_methods_supported.filter((x): x is string => typeof x === 'string')
        : undefined,
    };
    this.metadata.delete(rec.issuer);
    this.metadata.set(rec.issuer, rec);
    while (this.metadata.size > MAX_METADATA) this.metadata.delete(this.metadata.keys().next().value as string);
    this.mapEndpoint(rec);
    return rec;
  }

  /**
   * authorization_endpoint → issuer, only for an endpoint on the site the document was fetched
   * from: a document on attacker.example must not rename another site's authorization endpoint.
   */
  private mapEndpoint(rec: MetadataRecord): void {
    if (!rec.authorizationEndpoint) return;
    const ep = parseUrl(rec.authorizationEndpoint);
    const src = parseUrl(rec.fetchedFrom);
    if (!ep || !src || siteOf(ep.hostname) !== siteOf(src.hostname)) return;
    this.endpointIssuer.set(ep.base, rec.issuer);
  }

  /**
   * §0.4 (2): learn issuer(authorization endpoint) from a clean flow. Only an issuer on the AS's
   * own site is learnt (an AS cannot claim another site's identity this way). Keyed by endpoint,
   * not origin: tenants and realms that share an origin have their own issuers.
   */
  learnIdTokenIssuer(endpoint: string, iss: string): void {
    if (this.idTokenIssuer.has(endpoint)) return;
    const a = parseUrl(endpoint);
    const b = parseUrl(iss);
    if (!a || !b || siteOf(a.hostname) !== siteOf(b.hostname)) return;
    this.idTokenIssuer.set(endpoint, iss);
    while (this.idTokenIssuer.size > MAX_ID_TOKEN_ISSUERS) this.idTokenIssuer.delete(this.idTokenIssuer.keys().next().value as string);
  }

  private indexState(flow: Flow): void {
    if (flow.clientId) {
      const ids = this.byClient.get(flow.clientId) ?? [];
      if (!ids.includes(flow.id)) ids.push(flow.id);
      this.byClient.set(flow.clientId, ids);
    }
    if (flow.nonce?.hash) {
      const ids = this.byNonce.get(flow.nonce.hash) ?? [];
      if (!ids.includes(flow.id)) ids.push(flow.id);
      this.byNonce.set(flow.nonce.hash, ids);
    }
    if (!flow.state) return;
    const list = this.byState.get(flow.state.hash) ?? [];
    if (!list.includes(flow.id)) list.push(flow.id);
    this.byState.set(flow.state.hash, list);
  }

  private addFlow(flow: Flow): void {
    this.flows.set(flow.id, flow);
    this.indexState(flow);
    this.prune();
  }

  /**
   * Expire flows older than twice the TTL (kept a while for "expired but known") and cap the count
   * fairly (eviction.ts): the context with the most flows pays, never the one with the newest
   * activity, its longest-idle flow first. `evicted` counts what the cap removed.
   */
  prune(): void {
    const limit = this.now - this.opts.ttlMs * 2;
    for (const [id, f] of this.flows) {
      if (f.tLast < limit) this.removeFlow(id);
    }
    if (this.flows.size <= this.opts.maxFlows) return;
    let newest: Flow | undefined;
    for (const f of this.flows.values()) if (!newest || f.tLast >= newest.tLast) newest = f;
    while (this.flows.size > this.opts.maxFlows) {
      const id = evictionVictim(this.flows.values(), newest?.context);
      if (id === undefined) break;
      this.removeFlow(id);
      this.evicted += 1;
    }
  }

  /** Expire per-context bookkeeping (hops, replays, counters) and old code deliveries. */
  sweep(): void {
    this.sinceSweep = 0;
    const limit = this.now - this.opts.ttlMs * 2;
    const drop = new Set<string>();
    for (const [c, t] of this.contextLast) if (t < limit) drop.add(c);
    const excess = this.contextLast.size - drop.size - MAX_CONTEXTS;
    const contexts = excess > 0 ? [...this.contextLast.entries()].sort((a, b) => a[1] - b[1]) : [];
    for (let i = 0, n = 0; n < excess && i < contexts.length; i++) {
      if (!drop.has(contexts[i][0])) {
        drop.add(contexts[i][0]);
        n++;
      }
    }
    for (const c of drop) {
      this.contextLast.delete(c);
      this.contextStart.delete(c);
      this.areqCount.delete(c);
      this.areqTimes.delete(c);
      this.hops.delete(c);
      this.recentUrls.delete(c);
    }
    for (const [c, list] of this.recentUrls) {
      const kept = list.filter((r) => r.time >= this.now - this.opts.ttlMs);
      if (kept.length) this.recentUrls.set(c, kept);
      else this.recentUrls.delete(c);
    }
    for (const [h, list] of this.codes) {
      if (list.every((d) => d.time < limit)) this.codes.delete(h);
    }
    for (const [h, p] of this.pushed) if (p.time < this.now - PAR_TTL_MS) this.pushed.delete(h);
    this.prune();
  }

  private removeFlow(id: string): void {
    const f = this.flows.get(id);
    if (!f) return;
    this.flows.delete(id);
    if (f.clientId) {
      const ids = (this.byClient.get(f.clientId) ?? []).filter((x) => x !== id);
      if (ids.length) this.byClient.set(f.clientId, ids);
      else this.byClient.delete(f.clientId);
    }
    if (f.nonce?.hash) {
      const ids = (this.byNonce.get(f.nonce.hash) ?? []).filter((x) => x !== id);
      if (ids.length) this.byNonce.set(f.nonce.hash, ids);
      else this.byNonce.delete(f.nonce.hash);
    }
    if (f.state) {
      const list = (this.byState.get(f.state.hash) ?? []).filter((x) => x !== id);
      if (list.length) this.byState.set(f.state.hash, list);
      else this.byState.delete(f.state.hash);
    }
    if (f.parent) {
      const parent = this.flows.get(f.parent);
      if (parent) parent.children = parent.children.filter((x) => x !== id);
    }
  }

  // ---------------------------------------------------------------- serialisation

  toJSON(): StoreState {
    return {
      v: 1,
      seq: this.seq,
      now: this.now,
      captureStart: this.captureStart,
      firstCookieAt: this.firstCookieAt,
      flows: [...this.flows.values()],
      codes: [...this.codes.entries()],
      refreshTokens: [...this.refreshTokens.entries()],
      metadata: [...this.metadata.values()],
      idTokenIssuer: [...this.idTokenIssuer.entries()],
      issSent: [...this.issSent.entries()],
      hops: [...this.hops.entries()],
      contextStart: [...this.contextStart.entries()],
      contextLast: [...this.contextLast.entries()],
      areqCount: [...this.areqCount.entries()],
      recentUrls: [...this.recentUrls.entries()],
      pushed: [...this.pushed.entries()],
      mcp: this.mcp.toJSON(),
    };
  }

  /** Restore a serialised store; a malformed state gives an empty store, never an exception. */
  static fromJSON(state: StoreState, opts: StoreOptions): FlowStore {
    const s = new FlowStore(opts);
    if (!state || typeof state !== 'object' || state.v !== 1) return s;
    try {
      const arr = <T>(x: T[] | undefined): T[] => (Array.isArray(x) ? x : []);
      s.seq = typeof state.seq === 'number' ? state.seq : 0;
      s.now = typeof state.now === 'number' ? state.now : 0;
      s.captureStart = typeof state.captureStart === 'number' ? state.captureStart : undefined;
      s.firstCookieAt = typeof state.firstCookieAt === 'number' ? state.firstCookieAt : undefined;
      for (const f of arr(state.flows)) {
        if (!f || typeof f.id !== 'string' || !Array.isArray(f.requests)) continue;
        s.flows.set(f.id, f);
        s.indexState(f);
      }
      s.codes = new Map(arr(state.codes));
      s.refreshTokens = new Map(arr(state.refreshTokens));
      for (const m of arr(state.metadata)) {
        if (!m || typeof m.issuer !== 'string') continue;
        s.metadata.set(m.issuer, m);
        s.mapEndpoint(m);
      }
      s.idTokenIssuer = new Map(arr(state.idTokenIssuer));
      s.issSent = new Map(arr(state.issSent));
      s.hops = new Map(arr(state.hops));
      s.contextStart = new Map(arr(state.contextStart));
      s.contextLast = new Map(arr(state.contextLast));
      s.areqCount = new Map(arr(state.areqCount));
      s.recentUrls = new Map(arr(state.recentUrls));
      s.pushed = new Map(arr(state.pushed));
      s.mcp.load(state.mcp);
    } catch {
      return new FlowStore(opts);
    }
    return s;
  }
}

export interface StoreState {
  v: 1;
  seq: number;
  now: number;
  captureStart?: number;
  firstCookieAt?: number;
  flows: Flow[];
  codes: [string, CodeDelivery[]][];
  refreshTokens: [string, RefreshUse[]][];
  metadata: MetadataRecord[];
  idTokenIssuer: [string, string][];
  issSent?: [string, number][];
  hops: [string, Hop[]][];
  contextStart: [string, number][];
  contextLast?: [string, number][];
  areqCount: [string, number][];
  recentUrls: [string, { key: string; time: number; initiator?: string }[]][];
  pushed?: [string, PushedRequest][];
  mcp?: LedgerState;
}
/** eTLD+1 of an origin (or of a bare host string) */
export function siteOfOrigin(origin: string): string {
  return siteOf(parseUrl(origin)?.hostname ?? origin);
}

export function stripQuery(u: string): string {
  const i = u.search(/[?#]/);
  return i < 0 ? u : u.slice(0, i);
}

/**
 * Redirect URI comparison used for linking (§0.3) and callback checks: scheme + host + path, with
 * the FP guards of callback-context-mismatch (trailing slash, http→https).
 */
export function normalizeRedirectBase(u: string): string {
  const p = parseUrl(u);
  const base = p ? p.base : stripQuery(u);
  return base.replace(/^http:/, 'https:').replace(/\/+$/, '');
}

export function prefixMatch(redirectUri: string, base: string): boolean {
  const a = normalizeRedirectBase(redirectUri);
  const b = normalizeRedirectBase(base);
  return b === a || b.startsWith(a + '/');
}
