/**
 * The flow store: a composition of four owners, each with its own state and journal keys —
 * the flow table (flows and their indexes), the navigation log (hops, replays, counters per
 * context), the AS directory (what is known of each AS, hard or soft) and the credential ledger
 * (codes, refresh tokens, PAR records, by hash) — with correlation (./correlate) and what is learnt
 * after the rules (./learn) on top. Rules and classification get read-only views (view.ts).
 */
import type { ClassifyHints } from '../classify/classify';
import type { OAuthMessage } from '../classify/message';
import type { Observation } from '../observe/observation';
import { requestHeaderBits } from '../observe/raw';
import { redactUrl, secretRef, type SecretRef } from '../util/secret';
import { originOf, type ParsedUrl } from '../util/url';
import { AsDirectory } from './as-directory';
import { attachAuthorizationRequest, type AttachResult } from './correlate/request';
import { attachAuthorizationResponse, attachByCode } from './correlate/response';
import { CredentialLedger } from './credentials';
import type { Flow, FlowRequest } from './flow';
import { FLOW_TTL_MS, FlowTable, MAX_FLOWS, type EvictionPolicy } from './flow-table';
import { emptyBatch, type JournalBatch, type JournalEntries } from './journal';
import { prefixMatch, siteOfOrigin } from './keys';
import { learnAfterRules } from './learn';
import { NavigationLog, type PreviousHop } from './navigation';
import type { ProviderRow } from './providers';
import type { StoreView } from './view';
import { loadLegacyState, type StoreState } from './legacy';
import { McpLedger } from '../mcp/ledger';

export { FLOW_TTL_MS, MAX_FLOWS } from './flow-table';
export { FLOOD_COUNT, FLOOD_WINDOW_MS, type Hop, type PreviousHop } from './navigation';
export type { MetadataRecord } from './as-directory';
export type { CodeDelivery, PushedRequest, RefreshUse } from './credentials';
export type { AttachResult } from './correlate/request';
export type { StoreState } from './legacy';
export { normalizeRedirectBase, prefixMatch, replayKey, siteOfOrigin, stripQuery, urlKey } from './keys';

/** per-context bookkeeping and old codes are swept at most this often (capture time): restart-stable */
const SWEEP_EVERY_MS = 5 * 60 * 1000;

export interface StoreOptions {
  redact: boolean;
  maxFlows?: number;
  ttlMs?: number;
  /** provider rows consulted before CoatCheck's table (user settings, a test lab's hosts) */
  providers?: ProviderRow[];
  evict?: EvictionPolicy;
  /** false: never saved (a scan, the panel): the owners track no changes (a snapshot on demand still works) */
  journal?: boolean;
}

export class FlowStore implements StoreView {
  readonly opts: Required<Omit<StoreOptions, 'evict' | 'journal'>>;
  readonly table: FlowTable;
  readonly nav: NavigationLog;
  readonly directory: AsDirectory;
  readonly ledger = new CredentialLedger();
  /** protected-resource discovery and credentials per issuer (MCP, §1 I and L): src/core/mcp/ledger.ts */
  readonly mcp = new McpLedger((base) => this.directory.issuerOfTokenEndpoint(base));
  /** what classification may ask (never the store itself) */
  readonly hints: ClassifyHints;
  private sweptAt: number | undefined;

  constructor(opts: StoreOptions) {
    this.opts = { redact: opts.redact, maxFlows: opts.maxFlows ?? MAX_FLOWS, ttlMs: opts.ttlMs ?? FLOW_TTL_MS, providers: opts.providers ?? [] };
    this.table = new FlowTable(this.opts.maxFlows, this.opts.ttlMs, opts.evict);
    this.nav = new NavigationLog(this.opts.ttlMs);
    this.directory = new AsDirectory(this.opts.providers);
    if (opts.journal === false) {
      this.table.untrack();
      this.nav.untrack();
      this.directory.untrack();
      this.ledger.untrack();
      this.mcp.untrack();
    }
    this.hints = {
      matchesKnownRedirectUri: (url) => this.matchesKnownRedirectUri(url),
      isKnownAsOrigin: (origin, context) => this.isKnownAsOrigin(origin, context),
      isKnownAuthorizationEndpoint: (base) => this.directory.isKnownAuthorizationEndpoint(base),
      endpointKindFromMetadata: (base) => this.directory.endpointKindFromMetadata(base),
      reachedByRedirectFromAs: (o) => this.reachedByRedirectFromAs(o),
      namedResourceMetadata: (url, context) => this.mcp.namedResourceMetadata(url, context),
      registrationEndpoints: () => this.mcp.registrationEndpoints,
    };
  }

  get now(): number {
    return this.nav.now;
  }

  get ttlMs(): number {
    return this.opts.ttlMs;
  }

  secret(v: string): SecretRef {
    return secretRef(v, this.opts);
  }

  redactUrl(u: string): string {
    return redactUrl(u, this.opts);
  }

  // ---------------------------------------------------------------- read (StoreView)

  get flows(): FlowTable {
    return this.table;
  }
  get metadata() {
    return this.directory.metadata;
  }
  get idTokenIssuer() {
    return this.directory.idTokenIssuer;
  }
  get codes() {
    return this.ledger.codes;
  }
  get refreshTokens() {
    return this.ledger.refreshTokens;
  }
  get hops() {
    return { get: (context: string) => this.nav.hopsIn(context) };
  }
  get contextStart() {
    return { get: (context: string) => this.nav.startOf(context) };
  }
  get areqTimes() {
    return { get: (context: string) => this.nav.authorizationRequestTimes(context) };
  }
  get captureStart(): number | undefined {
    return this.nav.captureStart;
  }
  get evicted(): number {
    return this.table.evicted;
  }
  cookieHeadersSeenBefore(time: number): boolean {
    return this.nav.cookieHeadersSeenBefore(time);
  }
  resolveAs(url: ParsedUrl, time: number = this.now) {
    return this.directory.resolveAs(url, time);
  }
  issuerMatches: AsDirectory['issuerMatches'] = (as, iss) => this.directory.issuerMatches(as, iss);
  inOwnScope: AsDirectory['inOwnScope'] = (as, iss) => this.directory.inOwnScope(as, iss);
  providerRow: AsDirectory['providerRow'] = (id) => this.directory.providerRow(id);
  issSupport: AsDirectory['issSupport'] = (as, time) => this.directory.issSupport(as, time);
  differentAs: AsDirectory['differentAs'] = (a, b) => this.directory.differentAs(a, b);
  chainReaches: NavigationLog['chainReaches'] = (context, from, origins) => this.nav.chainReaches(context, from, origins);
  endpointKindFromMetadata: AsDirectory['endpointKindFromMetadata'] = (base) => this.directory.endpointKindFromMetadata(base);

  flowsOfClient(clientId: string): Flow[] {
    return this.table.by('client', clientId);
  }
  flowsWithNonce(nonceHash: string): Flow[] {
    return this.table.by('nonce', nonceHash);
  }
  flowsWithState(stateHash: string): Flow[] {
    return this.table.by('state', stateHash);
  }
  flowsWithChallenge(challenge: string): Flow[] {
    return this.table.by('challenge', challenge);
  }
  openFlowsIn(context: string): Flow[] {
    return this.table.openIn(context, this.now);
  }
  /** Has this context an open flow? (no array: the worker asks on every frame navigation) */
  hasOpenFlowIn(context: string): boolean {
    return this.table.hasOpenIn(context, this.now);
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

  // ---------------------------------------------------------------- classification hints

  matchesKnownRedirectUri(url: ParsedUrl): boolean {
    return this.table.anyRedirectUriMatches(url.base, () => {
      for (const f of this.table.values()) if (f.redirectUri && prefixMatch(f.redirectUri, url.base)) return true;
      return false;
    });
  }

  /** the origin of an AS an open flow (§0.3 expiry) of this context went to */
  isKnownAsOrigin(origin: string, context: string): boolean {
    return this.table.lastOpenWithRequestTo(context, this.now, origin) !== undefined;
  }

  /** the URL was the Location of a redirect answered by an AS origin of this context (§0.2 ARESP) */
  reachedByRedirectFromAs(o: Observation): boolean {
    const h = this.nav.redirectHopTo(o.context, o.url, o.time, o.id);
    return h !== undefined && this.isKnownAsOrigin(h.origin, o.context);
  }

  // ---------------------------------------------------------------- the engine's steps

  /** Every observation, before classification. */
  /** `headers`: the request header bits of `o` (observe/raw.ts), when the caller scanned them */
  observe(o: Observation, headers = requestHeaderBits(o.requestHeaders)): void {
    if (!Number.isFinite(o.time)) return;
    this.nav.observe(o, headers);
    this.mcp.observe(o, headers);
    if (this.sweptAt === undefined) this.sweptAt = o.time;
    if (this.now - this.sweptAt >= SWEEP_EVERY_MS || this.nav.overfull) this.sweep();
  }

  previousHop(o: Observation): PreviousHop {
    return this.nav.previousHop(o);
  }

  isReplay(o: Observation, from: PreviousHop): boolean {
    return this.nav.isReplay(o, from, this.knownAs);
  }
  /** (one function for every isReplay, not a closure per message) */
  private readonly knownAs = (origin: string, context: string): boolean => this.isKnownAsOrigin(origin, context);

  /** Authorization request → flow (new, joined by state, or a brokered child, G1). */
  attachAuthorizationRequest(msg: OAuthMessage, from: PreviousHop, replay: boolean): AttachResult {
    return attachAuthorizationRequest(this, msg, from, replay);
  }

  attachAuthorizationResponse(msg: OAuthMessage, from: PreviousHop): Flow | undefined {
    return attachAuthorizationResponse(this, msg, from);
  }

  /** Attach a non-front-channel message (token request, …) to the flow of its code, if any. */
  attachByCode(msg: OAuthMessage): Flow | undefined {
    return attachByCode(this, msg);
  }

  recordPushedRequest(msg: OAuthMessage): void {
    this.ledger.recordPushedRequest(msg, (v) => this.secret(v));
  }

  recordMetadata(fetchedFrom: string, doc: Record<string, unknown>) {
    return this.directory.recordMetadata(fetchedFrom, doc);
  }

  /** after the rules: codes, refresh tokens, what a clean response taught, the hop (learn.ts) */
  learn(msg: OAuthMessage, flow: Flow | undefined, from: PreviousHop, replay: boolean): void {
    learnAfterRules(this, msg, flow, from, replay);
  }

  /** Expire per-context bookkeeping (hops, replays, counters), old code deliveries and flows. */
  sweep(): void {
    this.sweptAt = this.now;
    this.nav.sweep();
    this.ledger.sweep(this.now - this.opts.ttlMs * 2, this.now);
    this.table.prune(this.now);
  }

  // ---------------------------------------------------------------- journal

  /** The keys that changed since the last flush (one batch: one storage set and one remove). */
  flush(batch: JournalBatch = emptyBatch()): JournalBatch {
    this.table.flush(batch);
    this.nav.flush(batch);
    this.directory.flush(batch);
    this.ledger.flush(batch);
    this.mcp.flush(batch);
    if (this.sweptAt !== this.savedSweptAt) {
      batch.set.sweep = JSON.stringify(this.sweptAt);
      this.savedSweptAt = this.sweptAt;
    }
    return batch;
  }
  private savedSweptAt: number | undefined;

  /** Mark every key changed: the next flush writes a whole snapshot. */
  markAll(): void {
    this.table.markAll();
    this.nav.markAll();
    this.directory.markAll();
    this.ledger.markAll();
    this.mcp.markAll();
    this.savedSweptAt = undefined;
  }

  /** A store from saved entries; damaged entries are skipped, never thrown. */
  static restore(entries: JournalEntries, opts: StoreOptions): FlowStore {
    const s = new FlowStore(opts);
    s.table.restore(entries);
    s.nav.restore(entries);
    s.directory.restore(entries);
    s.ledger.restore(entries);
    s.mcp.restore(entries);
    const swept = typeof entries.sweep === 'string' ? Number(entries.sweep) : entries.sweep;
    if (typeof swept === 'number' && Number.isFinite(swept)) s.sweptAt = s.savedSweptAt = swept;
    return s;
  }

  /** The old single-object layout (v1): read once, then saved in the journal layout. */
  static fromJSON(state: StoreState, opts: StoreOptions): FlowStore {
    const s = new FlowStore(opts);
    try {
      loadLegacyState(s, state);
    } catch {
      return new FlowStore(opts);
    }
    s.markAll();
    return s;
  }
}
