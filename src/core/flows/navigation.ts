/**
 * The navigation log: per context (tab/page), the hops that answer "how was this request reached?",
 * the recent requests that make a G3 replay, and the counters of authorization requests (first and
 * last time, flood window). URLs are kept only as hashes (they carry codes and states). One journal
 * key per context (`ctx:<context>`), plus `nav` for what spans the capture.
 */
import { header, type Observation } from '../observe/observation';
import { H_COOKIE } from '../observe/raw';
import { originOf } from '../util/url';
import type { FlowRequest } from './flow';
import { Dirty, entriesUnder, entryAt, isRecord, type JournalBatch, type JournalEntries } from './journal';
import { absoluteHrefOfParsedBase } from './href';
import { replayKey, urlKey } from './keys';
import { dropFirst } from './lists';
import { firstRecent, pushRecent, type RecentRequest } from './recent';
import { HopRecord, RecentRecord } from './records';

/** an authorization request flood: this many in one context within FLOOD_WINDOW_MS */
export const FLOOD_COUNT = 100;
export const FLOOD_WINDOW_MS = 60_000;
export const MAX_HOPS_PER_CONTEXT = 30;
export const MAX_CONTEXTS = 1000;
/** how far back "reached from" looks for the redirect that led to a request (§1.A: 60 s) */
const HOP_WINDOW_MS = 60_000;

/** A navigation hop seen in a context: used to answer "how was this request reached?". */
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

export interface PreviousHop {
  origin?: string;
  via: FlowRequest['via'];
  hop?: Hop;
}

export type { RecentRequest } from './recent';

/** What the log keeps of one context. */
interface ContextLog {
  /** first and last observation time (G6, pruning) */
  start: number;
  last: number;
  /** authorization requests seen, and the times of the last FLOOD_COUNT of them */
  areqCount: number;
  areqTimes: number[];
  hops: Hop[];
  recent: RecentRequest[];
  /** what rules remember of this context (rule id → a small JSON value; RuleContext.contextMemo) */
  memo?: Record<string, unknown>;
}

/**
 * In memory only (a symbol key: JSON leaves it out of the saved context): how many hops of a
 * context's list redirected somewhere and were not followed yet, for the list it was counted on.
 * Every navigation asks whether a recorded redirect led to it; with none pending the answer needs
 * neither a walk over the hops nor a hash of the URL.
 */
const PENDING = Symbol('pending redirects');
interface Pending {
  of: Hop[];
  n: number;
}
type Counted = ContextLog & { [PENDING]?: Pending };

const pendingHop = (h: Hop) => h.to !== undefined && !h.followed;

/** the count for `c.hops`, counted again when the list was replaced (a restore, the old layout) */
function pendingOf(c: Counted): Pending {
  let p = c[PENDING];
  if (p === undefined || p.of !== c.hops) {
    let n = 0;
    for (const h of c.hops) if (pendingHop(h)) n += 1;
    c[PENDING] = p = { of: c.hops, n };
  }
  return p;
}

const isReload = (o: Observation) => o.transition !== undefined && /reload|forward_back/.test(`${o.transition.type} ${(o.transition.qualifiers ?? []).join(' ')}`);

export class NavigationLog {
  private contexts = new Map<string, ContextLog>();
  private dirty = new Dirty();
  private metaChanged = false;
  /** time of the first observation of the whole capture (G6) */
  captureStart: number | undefined;
  /**
   * when a request with a Cookie header was first seen: before that, a missing Cookie proves
   * nothing (Chrome's sanitized HAR export drops Cookie and Set-Cookie; detectors.md §0.1 [U])
   */
  firstCookieAt: number | undefined;
  /** the latest observation time */
  now = 0;
  /** the context of the last log() and its record; the context observe() marked dirty last */
  private lastContext: string | undefined;
  private lastLog: ContextLog | undefined;
  private marked: string | undefined;

  constructor(private readonly ttlMs: number) {}

  get size(): number {
    return this.contexts.size;
  }

  private log(context: string): ContextLog {
    // most observations belong to the context of the one before
    if (context === this.lastContext && this.lastLog) return this.lastLog;
    let c = this.contexts.get(context);
    if (!c) {
      c = { start: Infinity, last: 0, areqCount: 0, areqTimes: [], hops: [], recent: [] };
      this.contexts.set(context, c);
    }
    this.lastContext = context;
    this.lastLog = c;
    return c;
  }

  /** forget the last context looked up and the last marked (contexts dropped or replaced, a flush) */
  private forgetLast(): void {
    this.lastContext = undefined;
    this.lastLog = undefined;
    this.marked = undefined;
  }

  // ---------------------------------------------------------------- read

  hopsIn(context: string): readonly Hop[] | undefined {
    return this.contexts.get(context)?.hops;
  }

  startOf(context: string): number | undefined {
    return this.contexts.get(context)?.start;
  }

  authorizationRequestTimes(context: string): readonly number[] | undefined {
    return this.contexts.get(context)?.areqTimes;
  }

  cookieHeadersSeenBefore(time: number): boolean {
    return this.firstCookieAt !== undefined && this.firstCookieAt < time;
  }

  // ---------------------------------------------------------------- write

  /**
   * Every observation, before classification. `headers`: its request header bits (observe/raw.ts):
   * the Cookie header is looked at only when there is one.
   */
  observe(o: Observation, headers = H_COOKIE): void {
    if (o.time > this.now) this.now = o.time;
    if (this.captureStart === undefined || o.time < this.captureStart) {
      this.captureStart = o.time;
      this.metaChanged = true;
    }
    if ((headers & H_COOKIE) !== 0 && (this.firstCookieAt === undefined || o.time < this.firstCookieAt) && o.requestHeaders.length > 0 && header(o.requestHeaders, 'cookie')?.trim()) {
      this.firstCookieAt = o.time;
      this.metaChanged = true;
    }
    const c = this.log(o.context);
    if (c.start === Infinity) c.start = o.time;
    if (o.time > c.last) c.last = o.time;
    // a run of observations of one context marks it once (until the next flush or sweep)
    if (o.context !== this.marked) {
      this.dirty.mark(o.context);
      this.marked = o.context;
    }
  }

  /** a rule's memory of a context (saved with the context) */
  memoOf(context: string, ruleId: string): unknown {
    const c = context === this.lastContext ? this.lastLog : this.contexts.get(context);
    return c?.memo?.[ruleId];
  }

  setMemo(context: string, ruleId: string, value: unknown): void {
    const c = this.log(context);
    if (value === undefined) {
      if (!c.memo || !(ruleId in c.memo)) return;
      delete c.memo[ruleId];
    } else (c.memo ??= {})[ruleId] = value;
    this.dirty.mark(context);
  }

  countAuthorizationRequest(context: string, time: number): void {
    const c = this.log(context);
    c.areqCount += 1;
    c.areqTimes.push(time);
    if (c.areqTimes.length > FLOOD_COUNT) dropFirst(c.areqTimes, c.areqTimes.length - FLOOD_COUNT);
    this.dirty.mark(context);
  }

  /**
   * After the rules ran: remember a navigation hop. `from` is how the navigation was reached: the
   * redirect hop it followed is consumed by it, so a later navigation to the same URL (a link on
   * another site re-delivering a callback, #8.2) is not taken for the redirect's follow-up.
   */
  recordHop(o: Observation, from?: PreviousHop): void {
    if (o.type !== 'main_frame' && o.type !== 'sub_frame') return;
    if (from?.via === 'redirect' && from.hop) this.follow(o.context, from.hop);
    const origin = originOf(o.url);
    if (!origin) return;
    const c: Counted = this.log(o.context);
    const list = c.hops;
    const pending = pendingOf(c);
    // (o.url parses: it has an origin)
    const target = o.location ? absoluteHrefOfParsedBase(o.location, o.url) : undefined;
    // (the redirect's target is hashed last: its follow-up navigation asks for the same key next)
    const hop: Hop = new HopRecord(o.id, o.time, this.keyOf(o.url), origin, target ? this.keyOf(target) : undefined);
    list.push(hop);
    if (pendingHop(hop)) pending.n += 1;
    while (list.length > MAX_HOPS_PER_CONTEXT) if (pendingHop(list.shift()!)) pending.n -= 1;
    this.dirty.mark(o.context);
  }

  /** mark a hop followed (its redirect's navigation was seen) */
  private follow(context: string, hop: Hop): void {
    if (hop.followed) return;
    const c = this.contexts.get(context) as Counted | undefined;
    // (a hop no longer in its context's list is not counted there)
    if (c && pendingHop(hop) && c.hops.includes(hop)) pendingOf(c).n -= 1;
    hop.followed = true;
  }

  /**
   * urlKey('GET', url), kept for the last URL: a navigation's URL is hashed for the redirect
   * lookup and again for its hop, and a redirect's target again when its navigation follows
   */
  private keyOf(url: string): string {
    if (url !== this.lastKeyUrl) {
      this.lastKeyUrl = url;
      this.lastKey = urlKey('GET', url);
    }
    return this.lastKey;
  }
  private lastKeyUrl: string | undefined;
  private lastKey = '';

  /** The hop whose redirect led to this URL, within the window, and not yet followed by another navigation. */
  redirectHopTo(context: string, url: string, time: number, exceptObs?: string): Hop | undefined {
    const c: Counted | undefined = this.contexts.get(context);
    // no hop of the context redirected anywhere its navigation has not followed yet
    if (c === undefined || pendingOf(c).n === 0) return undefined;
    const list = c.hops;
    // hash the URL only when a recent hop redirected somewhere (hashing is the costly part)
    let any = false;
    for (let i = list.length - 1; i >= 0 && time - list[i].time <= HOP_WINDOW_MS; i--) if (list[i].to !== undefined && !list[i].followed) any = true;
    if (!any) return undefined;
    const target = this.keyOf(url);
    for (let i = list.length - 1; i >= 0; i--) {
      const h = list[i];
      if (time - h.time > HOP_WINDOW_MS) break;
      if (h.to === target && h.obsId !== exceptObs && !h.followed) return h;
    }
    return undefined;
  }

  /**
   * The first answer of previousHop alone: the redirect of a recorded hop that led to this
   * navigation (what recordHop marks followed), or undefined.
   */
  redirectedFrom(o: Observation): PreviousHop | undefined {
    // hops are navigations: only a navigation can be the target of a recorded redirect
    const nav = o.type === 'main_frame' || o.type === 'sub_frame' || o.navigationOnly === true;
    const h = nav ? this.redirectHopTo(o.context, o.url, o.time, o.id) : undefined;
    return h ? { origin: h.origin, via: 'redirect', hop: h } : undefined;
  }

  /**
   * How the browser reached this request (§0.3 opener, "reached from" of mixup-as-switch): a 30x
   * Location from a previous hop, a client_redirect from the last document, the initiator, the
   * Referer or (POST) the Origin header.
   */
  previousHop(o: Observation): PreviousHop {
    const r = this.redirectedFrom(o);
    if (r) return r;
    const list = this.contexts.get(o.context)?.hops ?? [];
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
    const list = this.contexts.get(context)?.hops ?? [];
    let h = from.hop;
    for (let i = 0; h && i < MAX_HOPS_PER_CONTEXT; i++) {
      if (origins.has(h.origin)) return true;
      const at: Hop = h;
      let prev: Hop | undefined;
      for (let j = list.length - 1; j >= 0; j--) {
        const x = list[j];
        if (x.to === at.key && x.time <= at.time && x.obsId !== at.obsId) {
          prev = x;
          break;
        }
      }
      h = prev;
    }
    return false;
  }

  /**
   * G3: the identical request (replayKey) was seen before in this context (reload, back/forward, HAR
   * re-request) and this time it was started by C, an AS of the context (`knownAs`), the same party
   * as before, or nobody known. A re-delivery started by a third origin is never a replay.
   */
  isReplay(o: Observation, from: PreviousHop, knownAs: (origin: string, context: string) => boolean): boolean {
    // a GET without fragment: its replay key is its urlKey too (recordHop hashes the URL next; the
    // redirect lookup of a callback may just have hashed it)
    const plainGet = o.url.indexOf('#') < 0 && o.method.toUpperCase() === 'GET';
    const key = plainGet && o.url === this.lastKeyUrl ? this.lastKey : replayKey(o);
    if (plainGet) {
      this.lastKeyUrl = o.url;
      this.lastKey = key;
    }
    const c = this.log(o.context);
    const prior = firstRecent(c, key, o.time, this.ttlMs);
    pushRecent(c, new RecentRecord(key, o.time, from.origin));
    this.dirty.mark(o.context);
    const reloaded = isReload(o);
    if (prior && reloaded) return true;
    // a duplicated or restored tab reloads a request first seen in another tab (same origin rules)
    const earlier = prior ?? (reloaded ? this.seenInOtherContext(o.context, key, o.time) : undefined);
    if (!earlier) return false;
    if (from.origin === undefined || from.origin === earlier.initiator || from.origin === originOf(o.url)) return true;
    return knownAs(from.origin, o.context);
  }

  private seenInOtherContext(context: string, key: string, time: number): RecentRequest | undefined {
    for (const [c, log] of this.contexts) {
      if (c === context) continue;
      const r = firstRecent(log, key, time, this.ttlMs);
      if (r) return r;
    }
    return undefined;
  }

  /** Expire contexts idle for twice the TTL and the oldest beyond MAX_CONTEXTS; old replay keys. */
  sweep(): void {
    const limit = this.now - this.ttlMs * 2;
    const drop = new Set<string>();
    for (const [c, log] of this.contexts) if (log.last < limit) drop.add(c);
    const excess = this.contexts.size - drop.size - MAX_CONTEXTS;
    if (excess > 0) {
      const byAge = [...this.contexts.entries()].filter(([c]) => !drop.has(c)).sort((a, b) => a[1].last - b[1].last);
      for (let i = 0; i < excess; i++) drop.add(byAge[i][0]);
    }
    if (drop.size > 0) this.forgetLast();
    for (const c of drop) {
      this.contexts.delete(c);
      this.dirty.drop(c);
    }
    const since = this.now - this.ttlMs;
    for (const [c, log] of this.contexts) {
      // a new list only for a context that has an old request (its groups are built again, recent.ts)
      if (!log.recent.some((r) => !(r.time >= since))) continue;
      log.recent = log.recent.filter((r) => r.time >= since);
      this.dirty.mark(c);
    }
  }

  /** more contexts than the cap allows (by a quarter): time to sweep */
  get overfull(): boolean {
    return this.contexts.size > MAX_CONTEXTS + (MAX_CONTEXTS >> 2);
  }

  // ---------------------------------------------------------------- journal (`ctx:<context>`, `nav`)

  flush(batch: JournalBatch): void {
    this.marked = undefined;
    this.dirty.flush(batch, 'ctx:', (c) => this.contexts.get(c));
    if (this.metaChanged) batch.set.nav = JSON.stringify({ captureStart: this.captureStart, firstCookieAt: this.firstCookieAt });
    this.metaChanged = false;
  }

  /** never saved: changes are not tracked (Dirty.untrack) */
  untrack(): void {
    this.dirty.untrack();
  }

  markAll(): void {
    for (const c of this.contexts.keys()) this.dirty.markAny(c);
    this.metaChanged = true;
  }

  restore(entries: JournalEntries): void {
    const meta = entryAt(entries, 'nav');
    if (isRecord(meta)) {
      if (typeof meta.captureStart === 'number') this.captureStart = meta.captureStart;
      if (typeof meta.firstCookieAt === 'number') this.firstCookieAt = meta.firstCookieAt;
    }
    const logs = entriesUnder(entries, 'ctx:').filter((e): e is [string, ContextLog] => isContextLog(e[1]));
    // contexts in the order they were first seen (their first observation)
    logs.sort((a, b) => a[1].start - b[1].start);
    this.forgetLast();
    for (const [c, log] of logs) {
      this.contexts.set(c, log);
      if (log.last > this.now) this.now = log.last;
    }
  }

  /** the old layout (one map per field): each context's parts become its record */
  load(context: string, part: Partial<ContextLog>): void {
    Object.assign(this.log(context), part);
  }
}

function isContextLog(v: unknown): v is ContextLog {
  if (isRecord(v) && v.start === null) v.start = Infinity; // JSON has no Infinity: a context not observed yet
  return isRecord(v) && typeof v.start === 'number' && typeof v.last === 'number' && Array.isArray(v.hops) && Array.isArray(v.recent) && Array.isArray(v.areqTimes);
}
