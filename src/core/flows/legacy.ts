/**
 * The old layout of a saved store (v1: one object, a map per field), read once when an older
 * worker's state is found and then saved in the journal layout.
 */
import type { MetadataRecord } from './as-directory';
import type { CodeDelivery, PushedRequest, RefreshUse } from './credentials';
import type { Flow } from './flow';
import { isRecord } from './journal';
import type { Hop, RecentRequest } from './navigation';
import type { FlowStore } from './store';

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
  recentUrls: [string, RecentRequest[]][];
  pushed?: [string, PushedRequest][];
}

const arr = <T>(x: T[] | undefined): T[] => (Array.isArray(x) ? x : []);

export function loadLegacyState(s: FlowStore, state: StoreState): void {
  if (!isRecord(state) || state.v !== 1) return;
  for (const f of arr(state.flows)) {
    if (isRecord(f) && typeof f.id === 'string' && typeof f.context === 'string' && Array.isArray(f.requests) && Array.isArray(f.steps)) s.table.load(f);
  }
  s.directory.load({ metadata: arr(state.metadata), idTokenIssuer: arr(state.idTokenIssuer), issSent: arr(state.issSent) });
  s.ledger.load({ codes: arr(state.codes), refreshTokens: arr(state.refreshTokens), pushed: arr(state.pushed) });
  if (typeof state.captureStart === 'number') s.nav.captureStart = state.captureStart;
  if (typeof state.firstCookieAt === 'number') s.nav.firstCookieAt = state.firstCookieAt;
  if (typeof state.now === 'number') s.nav.now = state.now;
  const last = new Map(arr(state.contextLast));
  for (const [c, start] of arr(state.contextStart)) s.nav.load(c, { start, last: last.get(c) ?? start });
  for (const [c, areqCount] of arr(state.areqCount)) s.nav.load(c, { areqCount });
  for (const [c, hops] of arr(state.hops)) if (Array.isArray(hops)) s.nav.load(c, { hops });
  for (const [c, recent] of arr(state.recentUrls)) if (Array.isArray(recent)) s.nav.load(c, { recent });
}
