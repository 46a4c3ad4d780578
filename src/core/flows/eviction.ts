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
  let victim: Flow | undefined;
  for (const id of pickIds) {
    const f = view.get(id);
    if (f && (!victim || f.tLast < victim.tLast)) victim = f;
  }
  return victim?.id;
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
