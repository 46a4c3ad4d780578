/**
 * The flow table: every flow, its indexes (state, nonce, client_id, code_challenge, context), the
 * eviction policy that keeps it bounded, and the set of flows that changed since the last flush.
 * Flows change only through its methods, so it always knows what to save (`flow:<id>`).
 */
import type { SecretRef } from '../util/secret';
import { evictionVictim, IdleHeaps, longestIdle, NewestFlow, seqOf, type EvictionView } from './eviction';
import type { Flow, FlowRequest, FlowResponse, FlowStep } from './flow';
import { countOf, idAt, KeyIndex, listOf } from './flow-index';
import { RedirectBases } from './redirect-index';
import { indexKey, INDEXES, ONE_OF_MANY, REQUEST_INDEXES, requestKey, requestKeys, soleRequestKey, type Index, type RequestIndex } from './index-keys';
import { Dirty, entriesUnder, entryAt, isRecord, type JournalBatch, type JournalEntries } from './journal';

export const FLOW_TTL_MS = 30 * 60 * 1000;
export const MAX_FLOWS = 500;
/** per-flow caps: a reload loop must not grow a flow without bound */
const MAX_FLOW_REQUESTS = 50;
const MAX_FLOW_RESPONSES = 50;
const MAX_FLOW_STEPS = 200;

/** Which flow goes when the table is over its cap (default: eviction.ts, fair per context). */
export type EvictionPolicy = (view: EvictionView, newestContext: string | undefined) => string | undefined;

export class FlowTable {
  private flows = new Map<string, Flow>();
  /** one KeyIndex per index (flow-index.ts); the context index keeps lists (the eviction policy reads them) */
  private index = new Map<Index | RequestIndex, KeyIndex>([...INDEXES, ...REQUEST_INDEXES].map((i) => [i, new KeyIndex(i !== 'context')]));
  /** the same indexes, in the order of INDEXES and REQUEST_INDEXES (no lookup by name per flow and index) */
  private readonly own: readonly KeyIndex[] = INDEXES.map((i) => this.index.get(i)!);
  private readonly perRequest: readonly KeyIndex[] = REQUEST_INDEXES.map((i) => this.index.get(i)!);
  private readonly contexts: KeyIndex = this.index.get('context')!;
  private readonly origins: KeyIndex = this.index.get('requestOrigin')!;
  /** per context, the flow idle the longest, without a walk (eviction.ts) */
  private readonly idle = new IdleHeaps((f) => this.flows.get(f.id) === f);
  /**
   * every flow's id is `f<seq>` (lists in seq order) and its tLast a number: what the kept answers
   * (the heaps, `newest`) rely on; a restored flow that breaks it turns them off for good (walks)
   */
  private exact = true;
  /** no flow's tLast has ever been NaN (a restored flow's, a step's time): `newest` need not look at the table's order */
  private numbers = true;
  /** what the eviction policy reads: the context index (each context's flows, oldest first) */
  private readonly view: EvictionView = {
    byContext: this.contexts.map as Map<string, string[]>, // (built with single false: lists only)
    get: (id) => this.flows.get(id),
    longestIdleIn: (context, ids) =>
      !this.exact ? longestIdle(this.view, ids) : this.unsorted.has(context) ? this.idle.longestIdleIn(this.view, context, ids) : this.flows.get(ids[0]),
  };
  /**
   * contexts whose flows are not known to be idle in list order: in every other context each flow's
   * tLast is a number at least the one of the flow listed before it (flows that come one after the
   * other: a capture's one context, a tab's logins), so its longest idle flow is its first, and it
   * keeps no heap (no entry per new flow and per step)
   */
  private readonly unsorted = new Set<string>();
  /** the flow the cap spares the context of (eviction.ts), kept as flows come, change and go */
  private readonly newest = new NewestFlow(this.flows);
  private dirty = new Dirty();
  /** the flows' normalized redirect URIs (redirect-index.ts) */
  private readonly redirects = new RedirectBases();
  private seq = 0;
  /** flows the cap removed (not expiry): a flood pushed them out */
  evicted = 0;
  private metaChanged = false;
  /** a lower bound of every flow's tLast (flows only get newer): prune scans only when some may have expired */
  private oldest = Number.NEGATIVE_INFINITY;

  constructor(
    readonly maxFlows: number = MAX_FLOWS,
    readonly ttlMs: number = FLOW_TTL_MS,
    private readonly policy: EvictionPolicy = evictionVictim,
  ) {}

  get size(): number {
    return this.flows.size;
  }

  get(id: string): Flow | undefined {
    return this.flows.get(id);
  }

  values(): IterableIterator<Flow> {
    return this.flows.values();
  }

  /** the id the next flow will get */
  get nextId(): string {
    return `f${this.seq + 1}`;
  }

  /** a new flow id; the counter is saved only when the newest flow goes (else a restore reads it off the ids) */
  newId(): string {
    this.seq += 1;
    return `f${this.seq}`;
  }

  /** flows whose `index` key is `key`, oldest first */
  by(index: Index | RequestIndex, key: string): Flow[] {
    const out: Flow[] = [];
    const ids = this.index.get(index)!.get(key);
    if (ids === undefined) return out;
    for (let i = 0, n = countOf(ids); i < n; i++) {
      const f = this.flows.get(idAt(ids, i));
      if (f) out.push(f);
    }
    return out;
  }

  /**
   * The newest flow whose `index` key is `key` that matches `match`, and, given `prefer`, the newest
   * of those that matches it too when there is one: `by(index, key).filter(match)` then that list's
   * last preferred, else its last, without building either list.
   */
  lastBy(index: Index | RequestIndex, key: string, match: (f: Flow) => boolean, prefer?: (f: Flow) => boolean): Flow | undefined {
    const ids = this.index.get(index)!.get(key);
    if (ids === undefined) return undefined;
    let fallback: Flow | undefined;
    for (let i = countOf(ids) - 1; i >= 0; i--) {
      const f = this.flows.get(idAt(ids, i));
      if (!f || !match(f)) continue;
      if (!prefer || prefer(f)) return f;
      fallback ??= f;
    }
    return fallback;
  }

  /** the flows of a context still open at `now` (§0.3 expiry), oldest first */
  openIn(context: string, now: number): Flow[] {
    return this.by('context', context).filter((f) => now - f.tLast <= this.ttlMs);
  }

  hasOpenIn(context: string, now: number, match?: (f: Flow) => boolean): boolean {
    return this.lastOpenIn(context, now, match) !== undefined;
  }

  /**
   * Flows any of whose authorization requests sent this code_challenge (the flow's own or a later
   * request's), oldest first.
   */
  withSentChallenge(challenge: string): Flow[] {
    const own = this.index.get('challenge')!.get(challenge);
    const later = this.index.get('laterChallenge')!.get(challenge);
    if (!later) return this.by('challenge', challenge);
    if (!own) return this.by('laterChallenge', challenge);
    const ids = [...new Set([...listOf(own), ...listOf(later)])].sort((a, b) => seqOf(a) - seqOf(b));
    const out: Flow[] = [];
    for (const id of ids) {
      const f = this.flows.get(id);
      if (f) out.push(f);
    }
    return out;
  }

  /**
   * Is there a flow whose redirect_uri prefix-matches this URL base (keys.ts prefixMatch), as a walk
   * of every flow would answer: looked up by the base's prefixes (redirect-index.ts)
   */
  anyRedirectUriMatches(base: string, walk: () => boolean): boolean {
    return this.redirects.odd > 0 ? walk() : this.redirects.matches(base);
  }

  /** the newest flow of a context still open at `now` with a request to this AS origin (no scan of the context's flows) */
  lastOpenWithRequestTo(context: string, now: number, origin: string): Flow | undefined {
    const ids = this.origins.get(origin);
    if (ids === undefined) return undefined;
    for (let i = countOf(ids) - 1; i >= 0; i--) {
      const f = this.flows.get(idAt(ids, i));
      if (f && f.context === context && now - f.tLast <= this.ttlMs) return f;
    }
    return undefined;
  }

  /** the newest open flow of a context that matches (no array: asked on the hot path) */
  lastOpenIn(context: string, now: number, match?: (f: Flow) => boolean): Flow | undefined {
    const ids = this.contexts.get(context);
    if (ids === undefined) return undefined;
    for (let i = countOf(ids) - 1; i >= 0; i--) {
      const f = this.flows.get(idAt(ids, i));
      if (f && now - f.tLast <= this.ttlMs && (!match || match(f))) return f;
    }
    return undefined;
  }

  // ---------------------------------------------------------------- changes (each marks the flow)

  add(flow: Flow, now: number): void {
    if (typeof flow.tLast !== 'number' || flow.id !== `f${seqOf(flow.id)}`) this.exact = false;
    if (Number.isNaN(flow.tLast)) this.numbers = false;
    this.newest.adding(flow);
    const sorted = this.joinsInOrder(flow);
    this.replacing(flow.id);
    this.flows.set(flow.id, flow);
    if (flow.tLast < this.oldest) this.oldest = flow.tLast; // (a NaN time never expires, as before)
    this.addToIndexes(flow);
    this.touchIdle(flow, sorted);
    this.dirty.mark(flow.id);
    if (flow.parent) {
      const parent = this.flows.get(flow.parent);
      if (parent) {
        parent.children.push(flow.id);
        this.dirty.mark(parent.id);
      }
    }
    this.prune(now);
  }

  appendRequest(flow: Flow, r: FlowRequest): void {
    if (flow.requests.length < MAX_FLOW_REQUESTS) {
      flow.requests.push(r);
      if (this.flows.get(flow.id) === flow) {
        for (let j = 0; j < REQUEST_INDEXES.length; j++) {
          const k = requestKey(r, flow.requests.length - 1, REQUEST_INDEXES[j]);
          if (k !== undefined) this.perRequest[j].insert(k, flow.id);
        }
      }
    }
    this.dirty.mark(flow.id);
  }

  appendResponse(flow: Flow, r: FlowResponse): void {
    if (flow.responses.length < MAX_FLOW_RESPONSES) flow.responses.push(r);
    this.dirty.mark(flow.id);
  }

  appendStep(flow: Flow, step: FlowStep): void {
    flow.steps.push(step);
    if (flow.steps.length > MAX_FLOW_STEPS) flow.steps.splice(1, flow.steps.length - MAX_FLOW_STEPS); // keep the first
    const was = flow.tLast;
    flow.tLast = Math.max(was, step.time);
    if (Number.isNaN(flow.tLast)) this.numbers = false;
    if (flow.tLast !== was && this.flows.get(flow.id) === flow) this.timeChanged(flow);
    this.dirty.mark(flow.id);
  }

  /** a flow of the table is active later than it was */
  private timeChanged(flow: Flow): void {
    // (the last flow of its context that grows keeps the context's order)
    this.touchIdle(flow, this.unsorted.has(flow.context) || this.lastOfContext(flow.context) === flow.id);
    this.newest.grew(flow, this.exact);
  }

  /** the id listed last under a context */
  private lastOfContext(context: string): string | undefined {
    const ids = this.contexts.get(context);
    return ids === undefined ? undefined : idAt(ids, countOf(ids) - 1);
  }

  /**
   * (before a flow joins, with a time that is a number) it goes last in its context's list with a
   * tLast at least the last one's: the context stays in order
   */
  private joinsInOrder(f: Flow): boolean {
    if (this.flows.has(f.id) || Number.isNaN(f.tLast)) return false;
    const last = this.lastOfContext(f.context);
    if (last === undefined) return true;
    const prev = this.flows.get(last);
    return prev !== undefined && seqOf(last) < seqOf(f.id) && f.tLast >= prev.tLast;
  }

  /**
   * a flow joined or its tLast grew (already in the indexes): its context's heap learns it, or, in a
   * context in order (`inOrder`: it still is), nothing; a context out of order from now on gets its
   * heap built from its list
   */
  private touchIdle(f: Flow, inOrder: boolean): void {
    if (this.unsorted.has(f.context)) return this.idle.touch(f);
    if (inOrder && !Number.isNaN(f.tLast)) return;
    this.unsorted.add(f.context);
    const ids = this.contexts.get(f.context);
    if (ids !== undefined) this.idle.rebuild(this.view, f.context, listOf(ids));
  }

  /** PAR/JAR: a response adopted an opaque flow and brings the state it did not show */
  adoptState(flow: Flow, state: SecretRef): void {
    flow.state = state;
    this.insert('state', state.hash, flow.id);
    this.dirty.mark(flow.id);
  }

  /** fill what the request did not show (client origin, redirect_uri) from its response */
  fill(flow: Flow, patch: Pick<Partial<Flow>, 'client' | 'redirectUri'>): void {
    if (patch.client !== undefined && !flow.client) flow.client = patch.client;
    if (patch.redirectUri !== undefined && !flow.redirectUri) {
      const inTable = this.flows.get(flow.id) === flow;
      if (inTable) this.redirects.remove(flow.redirectUri);
      flow.redirectUri = patch.redirectUri;
      if (inTable) this.redirects.add(flow.redirectUri);
    }
    this.dirty.mark(flow.id);
  }

  // ---------------------------------------------------------------- bounds

  /**
   * Expire flows older than twice the TTL (kept a while for "expired but known") and cap the count
   * with the eviction policy: the context with the most flows pays, never the one with the newest
   * activity, its longest-idle flow first. `evicted` counts what the cap removed.
   */
  prune(now: number): void {
    const limit = now - this.ttlMs * 2;
    // no flow was last active before `oldest` (tLast only grows): nothing to expire, no scan
    if (limit > this.oldest) {
      let oldest = Number.POSITIVE_INFINITY;
      for (const [id, f] of this.flows) {
        if (f.tLast < limit) this.remove(id);
        else if (f.tLast < oldest) oldest = f.tLast;
      }
      this.oldest = oldest;
    }
    if (this.flows.size <= this.maxFlows) return;
    const newest = this.newest.get();
    while (this.flows.size > this.maxFlows) {
      const id = this.policy(this.view, newest?.context);
      if (id === undefined) break;
      this.remove(id);
      this.evicted += 1;
      this.metaChanged = true;
    }
  }

  private remove(id: string): void {
    const f = this.flows.get(id);
    if (!f) return;
    this.newest.removing(f, this.exact, this.numbers);
    this.flows.delete(id);
    this.redirects.remove(f.redirectUri);
    this.dirty.drop(id);
    if (seqOf(id) === this.seq) this.metaChanged = true;
    for (let j = 0; j < INDEXES.length; j++) {
      const k = indexKey(f, INDEXES[j]);
      if (k !== undefined && this.own[j].drop(k, id) && this.own[j] === this.contexts) this.contextGone(k);
    }
    for (let j = 0; j < REQUEST_INDEXES.length; j++) {
      const i = REQUEST_INDEXES[j];
      const one = soleRequestKey(f, i);
      if (one === ONE_OF_MANY) for (const k of requestKeys(f, i)) this.perRequest[j].drop(k, id);
      else if (one !== undefined) this.perRequest[j].drop(one, id);
    }
    const parent = f.parent ? this.flows.get(f.parent) : undefined;
    if (parent) {
      parent.children = parent.children.filter((x) => x !== id);
      this.dirty.mark(parent.id);
    }
  }

  /** the context has no flow left (index lists drop ids in place: a context's list holds every flow of a proxy capture) */
  private contextGone(context: string): void {
    this.idle.drop(context);
    this.unsorted.delete(context);
  }

  /** a flow is set under `id`: the one it replaces (a damaged restore repeating an id) leaves the redirect multiset */
  private replacing(id: string): void {
    const had = this.flows.get(id);
    if (had !== undefined) this.redirects.remove(had.redirectUri);
  }

  private addToIndexes(f: Flow): void {
    this.redirects.add(f.redirectUri);
    for (let j = 0; j < INDEXES.length; j++) {
      const k = indexKey(f, INDEXES[j]);
      if (k !== undefined) this.own[j].insert(k, f.id);
    }
    for (let j = 0; j < REQUEST_INDEXES.length; j++) {
      // (a flow's one request: no array for its one key)
      const one = soleRequestKey(f, REQUEST_INDEXES[j]);
      if (one === ONE_OF_MANY) for (const k of requestKeys(f, REQUEST_INDEXES[j])) this.perRequest[j].insert(k, f.id);
      else if (one !== undefined) this.perRequest[j].insert(one, f.id);
    }
  }

  /** index lists stay in creation order (what "the latest flow" means), whenever an id joins */
  private insert(index: Index | RequestIndex, key: string, id: string): void {
    this.index.get(index)!.insert(key, id);
  }

  // ---------------------------------------------------------------- journal (`flow:<id>`, `flows`)

  /** Invariant check for tests: every index entry names a live flow whose key it is, and back. */
  checkIndexes(): string[] {
    const problems: string[] = [];
    for (const i of INDEXES) {
      for (const [k, ids] of this.index.get(i)!.map) {
        for (const id of listOf(ids)) if (this.flows.get(id) === undefined || indexKey(this.flows.get(id)!, i) !== k) problems.push(`${i}:${k} → ${id}`);
      }
    }
    for (const i of REQUEST_INDEXES) {
      for (const [k, ids] of this.index.get(i)!.map) {
        for (const id of listOf(ids)) if (this.flows.get(id) === undefined || !requestKeys(this.flows.get(id)!, i).includes(k)) problems.push(`${i}:${k} → ${id}`);
      }
    }
    for (const f of this.flows.values()) {
      for (const i of INDEXES) {
        const k = indexKey(f, i);
        if (k !== undefined && !listOf(this.index.get(i)!.get(k)).includes(f.id)) problems.push(`${f.id} missing from ${i}`);
      }
      for (const i of REQUEST_INDEXES) {
        for (const k of requestKeys(f, i)) if (!listOf(this.index.get(i)!.get(k)).includes(f.id)) problems.push(`${f.id} missing from ${i}:${k}`);
      }
    }
    return problems;
  }

  flush(batch: JournalBatch): void {
    this.dirty.flush(batch, 'flow:', (id) => this.flows.get(id));
    if (this.metaChanged) batch.set.flows = JSON.stringify({ seq: this.seq, evicted: this.evicted });
    this.metaChanged = false;
  }

  /** never saved: changes are not tracked (Dirty.untrack) */
  untrack(): void {
    this.dirty.untrack();
  }

  /** Every key, as if everything changed (a full snapshot, the migration of an old layout). */
  markAll(): void {
    for (const id of this.flows.keys()) this.dirty.markAny(id);
    this.metaChanged = true;
  }

  restore(entries: JournalEntries): void {
    const m = entryAt(entries, 'flows');
    if (isRecord(m)) {
      this.seq = typeof m.seq === 'number' ? m.seq : 0;
      this.evicted = typeof m.evicted === 'number' ? m.evicted : 0;
    }
    const flows = entriesUnder(entries, 'flow:')
      .map(([, v]) => v)
      .filter((f): f is Flow => isRecord(f) && typeof f.id === 'string' && typeof f.context === 'string' && Array.isArray(f.requests) && Array.isArray(f.steps))
      .sort((a, b) => seqOf(a.id) - seqOf(b.id));
    for (const f of flows) this.load(f);
  }

  /** a flow from a saved state (restore, the old layout) */
  load(f: Flow): void {
    if (!Array.isArray(f.children)) f.children = [];
    if (!Array.isArray(f.responses)) f.responses = [];
    const sorted = this.joinsInOrder(f);
    this.replacing(f.id);
    this.flows.set(f.id, f);
    this.oldest = Number.NEGATIVE_INFINITY; // a saved flow's tLast may be anything: the next prune scans
    this.newest.forget();
    if (typeof f.tLast !== 'number' || f.id !== `f${seqOf(f.id)}`) this.exact = false;
    if (Number.isNaN(f.tLast)) this.numbers = false;
    this.addToIndexes(f);
    this.touchIdle(f, sorted);
    this.seq = Math.max(this.seq, seqOf(f.id));
  }
}
