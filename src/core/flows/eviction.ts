/**
 * Which flow goes when the flow table is over its cap (#11: a flood must not evict the victim's
 * flow). Fair, not first-in-first-out:
 * 1. expired flows first (already gone by the TTL pass), then
 * 2. from the context holding the most flows: a tab or page flooding authorization requests pays
 *    for its own flood; on a tie the context with the newest activity is spared (the tab the user
 *    is in), and among the rest the context whose flows began first pays, so a quiet tab's flow is
 *    evicted only when every other context holds as few;
 * 3. within it, the flow idle the longest (oldest `tLast`; on a tie the older flow).
 * Pure: reads the table's view, returns an id.
 */
import type { Flow } from './flow';

/** the number of a flow id (`f12` → 12): digits read in place (every index insert compares two); anything else as Number reads it */
export function seqOf(id: string): number {
  const n = id.length;
  if (n < 2 || n > 16) return Number(id.slice(1)) || 0;
  let v = 0;
  for (let i = 1; i < n; i++) {
    const c = id.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return Number(id.slice(1)) || 0;
    v = v * 10 + c;
  }
  return v;
}

/** What the policy reads: the flows of each context (the table's context index), and the flows. */
export interface EvictionView {
  /** each context with the ids of its flows, oldest first; any order of contexts */
  readonly byContext: ReadonlyMap<string, readonly string[]>;
  get(id: string): Flow | undefined;
  /** optional: what `longestIdle` answers for a context's list, kept up to date by the table (no walk) */
  longestIdleIn?(context: string, ids: readonly string[]): Flow | undefined;
}

/**
 * The flow of a list that goes first: the one idle the longest (oldest `tLast`), the older flow on
 * a tie. A time that is not a number compares false: such a flow goes only when it is listed first.
 */
export function longestIdle(view: EvictionView, ids: readonly string[]): Flow | undefined {
  let victim: Flow | undefined;
  for (const id of ids) {
    const f = view.get(id);
    if (f && (!victim || f.tLast < victim.tLast)) victim = f;
  }
  return victim;
}

/**
 * At the cap this runs for every new flow, and a proxy capture's one context holds all of them:
 * it reads the per-context lists the table keeps anyway (their lengths are the counts) and walks
 * only the chosen context's flows.
 */
export function evictionVictim(view: EvictionView, newestContext: string | undefined): string | undefined {
  let pick: string | undefined;
  let pickIds: readonly string[] = [];
  for (const [context, ids] of view.byContext) {
    const n = ids.length;
    if (n === 0 || n < pickIds.length) continue;
    const better =
      pick === undefined ||
      n > pickIds.length ||
      // a tie: the newest context is spared; else the one whose oldest flow is older pays
      pick === newestContext ||
      (context !== newestContext && seqOf(ids[0]) < seqOf(pickIds[0]));
    if (better) {
      pick = context;
      pickIds = ids;
    }
  }
  if (pick === undefined) return undefined;
  return (view.longestIdleIn ? view.longestIdleIn(pick, pickIds) : longestIdle(view, pickIds))?.id;
}

/** a heap entry (a class, not a literal: records.ts says why) */
class IdleEntry {
  constructor(
    readonly t: number,
    readonly seq: number,
    readonly flow: Flow,
  ) {}
}
const before = (a: IdleEntry, b: IdleEntry) => a.t < b.t || (a.t === b.t && a.seq < b.seq);

/**
 * `longestIdle` of each context's list without walking it: per context a min-heap of (tLast, seq)
 * entries, pushed when a flow joins or its tLast grows; an entry whose flow left the table or moved
 * on is stale and dropped when it comes to the top (a flood at the cap evicts one flow per new one:
 * a walk of the context's flows each time was most of the cost of adding a flow). A heap holding
 * many stale entries is rebuilt from the list. Flows whose time is not a number are never entered:
 * the list's first flow is looked at directly (the walk keeps it then).
 */
export class IdleHeaps {
  private heaps = new Map<string, IdleEntry[]>();
  constructor(private readonly live: (f: Flow) => boolean) {}

  /** a flow joined the table, or its tLast changed */
  touch(f: Flow): void {
    if (typeof f.tLast !== 'number' || Number.isNaN(f.tLast)) return;
    let h = this.heaps.get(f.context);
    if (!h) this.heaps.set(f.context, (h = []));
    siftUp(h, new IdleEntry(f.tLast, seqOf(f.id), f));
  }

  /** the context has no flow left */
  drop(context: string): void {
    this.heaps.delete(context);
  }

  clear(): void {
    this.heaps.clear();
  }

  /** the context's heap, built again from its list */
  rebuild(view: EvictionView, context: string, ids: readonly string[]): IdleEntry[] {
    const h: IdleEntry[] = [];
    this.heaps.set(context, h);
    for (const id of ids) {
      const f = view.get(id);
      if (f && !Number.isNaN(f.tLast)) siftUp(h, new IdleEntry(f.tLast, seqOf(f.id), f));
    }
    return h;
  }

  longestIdleIn(view: EvictionView, context: string, ids: readonly string[]): Flow | undefined {
    if (ids.length === 0) return undefined;
    const first = view.get(ids[0]);
    if (first && Number.isNaN(first.tLast)) return first;
    let h = this.heaps.get(context);
    if (!h || h.length > 4 * ids.length + 32) h = this.rebuild(view, context, ids);
    while (h.length > 0) {
      const top = h[0];
      if (this.live(top.flow) && top.flow.tLast === top.t) return top.flow;
      popTop(h);
    }
    return undefined;
  }
}

function siftUp(h: IdleEntry[], e: IdleEntry): void {
  let i = h.length;
  h.push(e);
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (!before(e, h[p])) break;
    h[i] = h[p];
    i = p;
  }
  h[i] = e;
}

function popTop(h: IdleEntry[]): void {
  const last = h.pop()!;
  const n = h.length;
  if (n === 0) return;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= n) break;
    const r = l + 1;
    const c = r < n && before(h[r], h[l]) ? r : l;
    if (!before(h[c], last)) break;
    h[i] = h[c];
    i = c;
  }
  h[i] = last;
}

/** The view of a list of flows, in that order (tests; a table keeps its own). */
export function viewOf(flows: Iterable<Flow>): EvictionView {
  const byId = new Map<string, Flow>();
  const byContext = new Map<string, string[]>();
  for (const f of flows) {
    byId.set(f.id, f);
    const ids = byContext.get(f.context);
    if (ids) ids.push(f.id);
    else byContext.set(f.context, [f.id]);
  }
  return { byContext, get: (id) => byId.get(id) };
}

/**
 * The flow the cap spares the context of: the newest by tLast, the later one in the table's order
 * on a tie (a time that is not a number compares false: a first flow with one stays the newest),
 * as a walk over the table finds it. Kept as flows come, grow and go; found by a walk again only
 * when a change leaves it unknown (a tie, a time that is not a number, the newest gone).
 */
export class NewestFlow {
  private flow: Flow | undefined;
  private known = false;
  /** `flows`: the table's flows, in its order */
  constructor(private readonly flows: ReadonlyMap<string, Flow>) {}

  get(): Flow | undefined {
    if (!this.known) {
      let newest: Flow | undefined;
      for (const f of this.flows.values()) if (!newest || f.tLast >= newest.tLast) newest = f;
      this.flow = newest;
      this.known = true;
    }
    return this.flow;
  }

  forget(): void {
    this.known = false;
  }

  /** before a flow joins the table (a new id goes last in its order): the newest when its time is at least the newest's */
  adding(f: Flow): void {
    if (!this.known) return;
    if (this.flows.has(f.id)) this.known = false;
    else if (this.flows.size === 0 || f.tLast >= this.flow!.tLast) this.flow = f;
  }

  /** a flow of the table is active later than it was (`exact`: every time a number, every id `f<seq>`) */
  grew(f: Flow, exact: boolean): void {
    if (!this.known) return;
    const t = f.tLast;
    if (!exact || Number.isNaN(t)) return this.forget();
    // the newest grew: still the only one that new; another flow passed it: the newest now
    if (f === this.flow) return;
    const n = this.flow!.tLast;
    if (t === n) this.forget();
    else if (t > n) this.flow = f;
  }

  /**
   * before a flow leaves the table: the newest went, or the first did and the next one's time is not
   * a number (`numbers`: every flow's time has always been one, and `exact`: then no walk of the table's order)
   */
  removing(f: Flow, exact: boolean, numbers = false): void {
    if (!this.known) return;
    if (f === this.flow) return this.forget();
    if (exact && numbers) return;
    const it = this.flows.values();
    if (it.next().value !== f) return;
    const next = it.next().value;
    if (next !== undefined && (!exact || Number.isNaN(next.tLast))) this.forget();
  }
}
