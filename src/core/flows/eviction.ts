/**
 * Which flow goes when the flow table is over its cap (#11: a flood must not evict the victim's
 * flow). Fair, not first-in-first-out:
 * 1. expired flows first (already gone by the TTL pass), then
 * 2. from the context holding the most flows: a tab or page flooding authorization requests pays
 *    for its own flood; on a tie the context with the newest activity is spared (the tab the user
 *    is in), so a quiet tab's flow is evicted only when every other context holds as few;
 * 3. within it, the flow idle the longest (oldest `tLast`).
 * Pure: reads the flows, returns an id.
 */
import type { Flow } from './flow';

export function evictionVictim(flows: Iterable<Flow>, newestContext: string | undefined): string | undefined {
  const perContext = new Map<string, Flow[]>();
  for (const f of flows) {
    const list = perContext.get(f.context);
    if (list) list.push(f);
    else perContext.set(f.context, [f]);
  }
  let pick: Flow[] | undefined;
  let pickContext: string | undefined;
  for (const [context, list] of perContext) {
    const better = !pick || list.length > pick.length || (list.length === pick.length && pickContext === newestContext);
    if (better) {
      pick = list;
      pickContext = context;
    }
  }
  if (!pick) return undefined;
  let victim = pick[0];
  for (const f of pick) if (f.tLast < victim.tLast) victim = f;
  return victim.id;
}
