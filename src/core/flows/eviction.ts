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
  // two passes without a list per context: at the cap this runs for every new flow, and a proxy
  // capture's one context holds all of them
  const count = new Map<string, number>();
  for (const f of flows) count.set(f.context, (count.get(f.context) ?? 0) + 1);
  let pick = 0;
  let pickContext: string | undefined;
  for (const [context, n] of count) {
    const better = pickContext === undefined || n > pick || (n === pick && pickContext === newestContext);
    if (better) {
      pick = n;
      pickContext = context;
    }
  }
  if (pickContext === undefined) return undefined;
  let victim: Flow | undefined;
  for (const f of flows) if (f.context === pickContext && (!victim || f.tLast < victim.tLast)) victim = f;
  return victim?.id;
}
