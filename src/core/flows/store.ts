import type { ClassifyHints } from '../classify/classify';
import type { OAuthMessage } from '../classify/message';
import { header, type Observation, type SourceRef } from '../observe/observation';
import { decodeJwtPayloadUnsafe } from '../tokens/peek';
import { hashSecret, redactUrl, secretRef, type SecretRef } from '../util/secret';
import { originOf, parseUrl, siteOf, stripFragment, type ParsedUrl } from '../util/url';
import type { AsIdentity, Flow, FlowRequest } from './flow';
import { providerForEndpoint } from './providers';

export const FLOW_TTL_MS = 30 * 60 * 1000;
export const MAX_FLOWS = 500;
const MAX_HOPS_PER_CONTEXT = 30;
const MAX_CODES = 2000;

/** A navigation hop seen in a context: used to answer "how was this request reached?" */
interface Hop {
  obsId: string;
  time: number;
  /** URL without fragment (what a follow-up request carries) */
  url: string;
  origin: string;
  /** redirect target without fragment, if the response redirected */
  to?: string;
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
}

export interface PreviousHop {
  origin?: string;
  via: FlowRequest['via'];
  hop?: Hop;
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
  codes = new Map<string, CodeDelivery[]>();
  refreshTokens = new Map<string, RefreshUse[]>();
  metadata = new Map<string, MetadataRecord>();
  /** authorization endpoint base → issuer */
  endpointIssuer = new Map<string, string>();
  /** AS origin → issuer learnt from front-channel ID tokens of clean flows */
  idTokenIssuer = new Map<string, string>();
  hops = new Map<string, Hop[]>();
  /** first observation time per context (G6) */
  contextStart = new Map<string, number>();
  /** number of authorization requests seen per context */
  areqCount = new Map<string, number>();
  /** recently seen URL keys per context, for G3 replays */
  recentUrls = new Map<string, { key: string; time: number; initiator?: string }[]>();
  now = 0;
  private seq = 0;

  constructor(opts: StoreOptions) {
    this.opts = { maxFlows: MAX_FLOWS, ttlMs: FLOW_TTL_MS, ...opts };
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
    if (o.time > this.now) this.now = o.time;
    if (!this.contextStart.has(o.context)) this.contextStart.set(o.context, o.time);
  }

  /** Called after rules ran: remember navigation hops (redirect chains). */
  recordHop(o: Observation): void {
    if (o.type !== 'main_frame' && o.type !== 'sub_frame') return;
    const origin = originOf(o.url);
    if (!origin) return;
    const list = this.hops.get(o.context) ?? [];
    list.push({ obsId: o.id, time: o.time, url: stripFragment(o.url), origin, to: o.location ? stripFragment(o.location) : undefined });
    if (list.length > MAX_HOPS_PER_CONTEXT) list.splice(0, list.length - MAX_HOPS_PER_CONTEXT);
    this.hops.set(o.context, list);
  }

  /** How the browser reached this request (§0.3 opener, "reached from" of mixup-as-switch). */
  previousHop(o: Observation): PreviousHop {
    const list = this.hops.get(o.context) ?? [];
    const target = stripFragment(o.url);
    for (let i = list.length - 1; i >= 0; i--) {
      const h = list[i];
      if (o.time - h.time > 60_000) break;
      if (h.to === target && h.obsId !== o.id) return { origin: h.origin, via: 'redirect', hop: h };
    }
    if (o.transition?.qualifiers.includes('client_redirect')) {
      const last = list[list.length - 1];
      if (last) return { origin: last.origin, via: 'client_redirect', hop: last };
    }
    if (o.initiator) return { origin: o.initiator, via: 'initiator' };
    const ref = originOf(header(o.requestHeaders, 'referer'));
    if (ref) return { origin: ref, via: 'referer' };
    return { via: 'none' };
  }

  /** G3: the identical URL was seen before in this context (reload, back/forward, HAR re-request). */
  isReplay(o: Observation, from: PreviousHop): boolean {
    const key = `${o.method} ${o.url}`;
    const list = this.recentUrls.get(o.context) ?? [];
    const prior = list.find((r) => r.key === key && o.time - r.time <= this.opts.ttlMs);
    list.push({ key, time: o.time, initiator: from.origin });
    if (list.length > 200) list.splice(0, list.length - 200);
    this.recentUrls.set(o.context, list);
    if (!prior) return false;
    if (o.transition && /reload|forward_back/.test(`${o.transition.type} ${o.transition.qualifiers.join(' ')}`)) return true;
    // A re-delivery started by a third origin is never a replay.
    return from.origin === undefined || from.origin === prior.initiator || from.origin === originOf(o.url);
  }

  // ---------------------------------------------------------------- AS identity (§0.4)

  resolveAs(url: ParsedUrl): AsIdentity {
    const fromMd = this.endpointIssuer.get(url.base);
    if (fromMd) {
      const md = this.metadata.get(fromMd);
      return { origin: url.origin, issuer: fromMd, source: 'metadata', endpoint: url.base, sendsIss: md?.issParameterSupported };
    }
    const fromId = this.idTokenIssuer.get(url.origin);
    const provider = providerForEndpoint(url.base);
    if (fromId) return { origin: url.origin, issuer: fromId, source: 'id_token', endpoint: url.base, sendsIss: provider?.entry.sendsIss };
    if (provider) return { origin: url.origin, issuer: provider.issuer, source: 'provider', endpoint: url.base, sendsIss: provider.entry.sendsIss || undefined };
    return { origin: url.origin, issuer: url.origin, source: 'origin', endpoint: url.base };
  }

  /** §0.4 "different AS": different known issuers; with the origin fallback, a different site. */
  differentAs(a: AsIdentity, b: AsIdentity): boolean {
    if (a.source !== 'origin' && b.source !== 'origin') return a.issuer !== b.issuer;
    const ha = parseUrl(a.origin)?.hostname ?? a.origin;
    const hb = parseUrl(b.origin)?.hostname ?? b.origin;
    if (a.origin === b.origin) return false;
    return siteOf(ha) !== siteOf(hb) || (a.source !== 'origin' || b.source !== 'origin' ? a.issuer !== b.issuer : false);
  }

  // ---------------------------------------------------------------- ClassifyHints

  matchesKnownRedirectUri(url: ParsedUrl): boolean {
    for (const f of this.flows.values()) {
      if (f.redirectUri && prefixMatch(f.redirectUri, url.base)) return true;
    }
    return false;
  }

  isKnownAsOrigin(origin: string, context: string): boolean {
    for (const f of this.flows.values()) {
      if (f.context !== context) continue;
      if (f.requests.some((r) => r.as.origin === origin)) return true;
    }
    return false;
  }

  isKnownAuthorizationEndpoint(base: string): boolean {
    return this.endpointIssuer.has(base) || providerForEndpoint(base) !== undefined;
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

  flowsWithState(stateHash: string): Flow[] {
    return (this.byState.get(stateHash) ?? []).map((id) => this.flows.get(id)).filter((f): f is Flow => f !== undefined);
  }

  openFlowsIn(context: string): Flow[] {
    return [...this.flows.values()].filter((f) => f.context === context && this.now - f.tLast <= this.opts.ttlMs);
  }

  /** Authorization request → flow (new, joined by state, or a brokered child, G1). */
  attachAuthorizationRequest(msg: OAuthMessage, from: PreviousHop, replay: boolean): AttachResult {
    const o = msg.obs;
    const url = msg.url!;
    const as = this.resolveAs(url);
    const p = msg.params;
    const state = p.get('state');
    const redirectUri = p.get('redirect_uri');
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
      responseType: p.get('response_type'),
    };
    this.areqCount.set(o.context, (this.areqCount.get(o.context) ?? 0) + 1);

    if (state !== undefined && msg.paramsKnown) {
      const h = hashSecret(state);
      const prior = this.flowsWithState(h)
        .filter((f) => f.context === o.context && o.time - f.tLast <= this.opts.ttlMs)
        .pop();
      if (prior) {
        if (replay) {
          prior.steps.push({ ref: o.ref, obsId: o.id, time: o.time, kind: msg.kind, url: request.url });
          prior.tLast = o.time;
          return { flow: prior, created: false, joined: true, replay: true };
        }
        prior.requests.push(request);
        prior.steps.push({ ref: o.ref, obsId: o.id, time: o.time, kind: msg.kind, url: request.url });
        prior.tLast = o.time;
        return { flow: prior, created: false, joined: true, replay: false };
      }
    }

    const flow: Flow = {
      id: this.newId(),
      context: o.context,
      t0: o.time,
      tLast: o.time,
      client: msg.paramsKnown ? originOf(redirectUri) : undefined,
      opener: from.origin,
      as,
      clientId: p.get('client_id'),
      redirectUri: msg.paramsKnown ? redirectUri : undefined,
      state: state !== undefined && msg.paramsKnown ? this.secret(state) : undefined,
      nonce: p.get('nonce') !== undefined ? this.secret(p.get('nonce')!) : undefined,
      codeChallenge: p.get('code_challenge'),
      codeChallengeMethod: p.get('code_challenge_method'),
      responseType: p.get('response_type'),
      responseMode: p.get('response_mode'),
      scope: p.get('scope'),
      paramsKnown: msg.paramsKnown,
      children: [],
      requests: [request],
      responses: [],
      steps: [{ ref: o.ref, obsId: o.id, time: o.time, kind: msg.kind, url: request.url }],
    };
    // G1: the redirect_uri is on a previous hop's AS origin → a brokered child flow
    const ru = originOf(redirectUri);
    if (ru) {
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

  /** Authorization response → the flow it answers (§0.3 linking), or undefined (unsolicited). */
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
      // PAR/JAR: the first response reached from it in the same chain adopts it
      flow = open.filter((f) => !f.paramsKnown && (!from.origin || f.requests.some((r) => r.as.origin === from.origin))).pop();
      if (flow && state !== undefined) {
        flow.state = this.secret(state);
        this.indexState(flow);
      }
      if (!flow && state === undefined && msg.url) {
        flow = open.filter((f) => f.state === undefined && f.redirectUri && prefixMatch(f.redirectUri, msg.url!.base)).pop();
      }
      if (flow && !flow.client && msg.url) flow.client = msg.url.origin;
      if (flow && !flow.redirectUri && msg.url) flow.redirectUri = msg.url.base;
    }
    if (!flow) return undefined;
    const p = msg.params;
    const code = p.get('code');
    let iss = p.get('iss');
    const idt = p.get('id_token');
    if (!iss && idt) {
      const claims = decodeJwtPayloadUnsafe(idt);
      if (claims && typeof claims.iss === 'string') iss = undefined; // the iss *parameter* stays absent
    }
    flow.responses.push({
      ref: o.ref,
      obsId: o.id,
      time: o.time,
      url: this.redactUrl(o.url),
      base: msg.url?.base ?? stripFragment(o.url),
      mode: msg.responseMode ?? 'query',
      code: code !== undefined ? this.secret(code) : undefined,
      hasToken: p.has('access_token') || p.has('id_token'),
      iss,
      error: p.get('error'),
    });
    flow.steps.push({ ref: o.ref, obsId: o.id, time: o.time, kind: msg.kind, url: this.redactUrl(o.url) });
    flow.tLast = o.time;
    return flow;
  }

  recordCode(code: string, d: Omit<CodeDelivery, 'url'> & { url: string }): CodeDelivery[] {
    const h = hashSecret(code);
    const list = this.codes.get(h) ?? [];
    list.push({ ...d, url: this.redactUrl(d.url) });
    this.codes.set(h, list);
    if (this.codes.size > MAX_CODES) this.codes.delete(this.codes.keys().next().value as string);
    return list;
  }

  /** Attach a non-front-channel message (token request, …) to the flow of its code, if any. */
  flowForCode(code: string): Flow | undefined {
    const list = this.codes.get(hashSecret(code));
    const id = list?.find((d) => d.flowId)?.flowId;
    return id ? this.flows.get(id) : undefined;
  }

  addStep(flow: Flow, msg: OAuthMessage): void {
    flow.steps.push({ ref: msg.obs.ref, obsId: msg.obs.id, time: msg.obs.time, kind: msg.kind, url: this.redactUrl(msg.obs.url) });
    flow.tLast = Math.max(flow.tLast, msg.obs.time);
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
    this.metadata.set(rec.issuer, rec);
    if (rec.authorizationEndpoint) this.endpointIssuer.set(stripQuery(rec.authorizationEndpoint), rec.issuer);
    return rec;
  }

  private indexState(flow: Flow): void {
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

  /** Expire flows older than the TTL and cap the count (oldest first). */
  prune(): void {
    const limit = this.now - this.opts.ttlMs * 2;
    for (const [id, f] of this.flows) {
      if (this.flows.size <= this.opts.maxFlows && f.tLast >= limit) continue;
      if (f.tLast < limit || this.flows.size > this.opts.maxFlows) this.removeFlow(id);
    }
  }

  private removeFlow(id: string): void {
    const f = this.flows.get(id);
    if (!f) return;
    this.flows.delete(id);
    if (f.state) {
      const list = (this.byState.get(f.state.hash) ?? []).filter((x) => x !== id);
      if (list.length) this.byState.set(f.state.hash, list);
      else this.byState.delete(f.state.hash);
    }
  }

  // ---------------------------------------------------------------- serialisation

  toJSON(): StoreState {
    return {
      v: 1,
      seq: this.seq,
      now: this.now,
      flows: [...this.flows.values()],
      codes: [...this.codes.entries()],
      refreshTokens: [...this.refreshTokens.entries()],
      metadata: [...this.metadata.values()],
      idTokenIssuer: [...this.idTokenIssuer.entries()],
      hops: [...this.hops.entries()],
      contextStart: [...this.contextStart.entries()],
      areqCount: [...this.areqCount.entries()],
      recentUrls: [...this.recentUrls.entries()],
    };
  }

  static fromJSON(state: StoreState, opts: StoreOptions): FlowStore {
    const s = new FlowStore(opts);
    if (!state || state.v !== 1) return s;
    s.seq = state.seq;
    s.now = state.now;
    for (const f of state.flows) {
      s.flows.set(f.id, f);
      s.indexState(f);
    }
    s.codes = new Map(state.codes);
    s.refreshTokens = new Map(state.refreshTokens);
    for (const m of state.metadata) {
      s.metadata.set(m.issuer, m);
      if (m.authorizationEndpoint) s.endpointIssuer.set(stripQuery(m.authorizationEndpoint), m.issuer);
    }
    s.idTokenIssuer = new Map(state.idTokenIssuer);
    s.hops = new Map(state.hops);
    s.contextStart = new Map(state.contextStart);
    s.areqCount = new Map(state.areqCount);
    s.recentUrls = new Map(state.recentUrls);
    return s;
  }
}

export interface StoreState {
  v: 1;
  seq: number;
  now: number;
  flows: Flow[];
  codes: [string, CodeDelivery[]][];
  refreshTokens: [string, RefreshUse[]][];
  metadata: MetadataRecord[];
  idTokenIssuer: [string, string][];
  hops: [string, Hop[]][];
  contextStart: [string, number][];
  areqCount: [string, number][];
  recentUrls: [string, { key: string; time: number; initiator?: string }[]][];
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
