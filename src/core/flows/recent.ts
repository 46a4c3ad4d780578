/**
 * The recent requests of a context (G3 replays): the list that is saved with the context (oldest
 * first, at most MAX_RECENT_URLS), and in memory only (a symbol key: JSON leaves it out) the same
 * entries grouped by replay key, so that "the first entry with this key within the TTL" reads the
 * few entries of that key instead of walking the whole list on every front-channel message.
 * The groups keep the list's order; they are rebuilt from the list whenever the list was replaced
 * (a restore, a sweep, the old layout), so the answer is always the walk's (recent.test.ts).
 */

import { dropFirst } from './lists';

export const MAX_RECENT_URLS = 200;

export interface RecentRequest {
  key: string;
  time: number;
  initiator?: string;
}

const BY_KEY = Symbol('recent requests by key');
interface Groups {
  /** the list the groups were built from */
  of: RecentRequest[];
  map: Map<string, RecentRequest | RecentRequest[]>;
}
/** what this module reads and writes of a context's log */
export interface RecentHolder {
  recent: RecentRequest[];
  [BY_KEY]?: Groups;
}

function groupsOf(c: RecentHolder): Groups {
  let g = c[BY_KEY];
  if (g === undefined || g.of !== c.recent) {
    const map = new Map<string, RecentRequest | RecentRequest[]>();
    for (const r of c.recent) add(map, r);
    c[BY_KEY] = g = { of: c.recent, map };
  }
  return g;
}

/** (a key seen once, the usual case, holds its entry itself: no array per request) */
function add(map: Map<string, RecentRequest | RecentRequest[]>, r: RecentRequest): void {
  const had = map.get(r.key);
  if (had === undefined) map.set(r.key, r);
  else if (Array.isArray(had)) had.push(r);
  else map.set(r.key, [had, r]);
}

/** the first entry of the list with this key that is within the TTL at `time` (the walk's answer) */
export function firstRecent(c: RecentHolder, key: string, time: number, ttlMs: number): RecentRequest | undefined {
  const had = groupsOf(c).map.get(key);
  if (had === undefined) return undefined;
  if (!Array.isArray(had)) return time - had.time <= ttlMs ? had : undefined;
  for (let i = 0; i < had.length; i++) if (time - had[i].time <= ttlMs) return had[i];
  return undefined;
}

/** append a request; the oldest beyond MAX_RECENT_URLS go */
export function pushRecent(c: RecentHolder, r: RecentRequest): void {
  const { map } = groupsOf(c);
  const list = c.recent;
  list.push(r);
  add(map, r);
  const over = list.length - MAX_RECENT_URLS;
  if (over <= 0) return;
  // the oldest entries of the list are the first of their groups (else, an entry listed twice:
  // the groups are built again on the next read)
  let stale = false;
  for (let i = 0; i < over; i++) {
    const gone = list[i];
    const had = map.get(gone.key);
    if (had === gone) map.delete(gone.key);
    else if (Array.isArray(had) && had[0] === gone) {
      had.shift();
      if (had.length === 1) map.set(gone.key, had[0]);
    } else stale = true;
  }
  dropFirst(list, over);
  if (stale) c[BY_KEY] = undefined;
}
