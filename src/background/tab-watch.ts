/**
 * The per-tab registration table (#10.3): the tabs whose document's URL carries a code, state or
 * token get the TAB_REGISTRATIONS rows (every subresource, with its Referer) through listeners
 * filtered by `tabId`; every other tab's scripts, images, stylesheets, fonts and media are not
 * observed unless their own URL may carry a credential (registrations.ts). referer-leak is what
 * reads them: a code or state in the full-URL Referer a subresource of such a page sends to a third
 * party, and the third-party scripts of a callback page (which can read its location).
 *
 * Listeners added after the worker's start are gone when the worker stops: the set of watched tabs
 * is kept in storage.session (key `bg:watchedTabs`) and registered again on start. Pure apart from
 * the two callbacks it is given (the worker passes the browser's addListener/removeListener and
 * storage.session), so it is unit-tested in Node.
 */
import { allRules, parseParams } from '../core';

/** The parameter names referer-leak reads in a Referer (its prefilter): code, state and the tokens. */
const NAMES = [...new Set(allRules.flatMap((r) => r.meta.prefilter?.refererParams ?? []))];

/**
 * Whether a document at this URL sends a Referer (or holds a location) a rule reads: its query or
 * fragment has a non-empty code, state, access_token, id_token or refresh_token (names decoded as
 * referer-leak decodes them). A superset of referer-leak's callback pages and of the pages whose
 * Referer can carry a flow's values.
 */
export function documentCarriesSecret(url: string): boolean {
  const q = url.search(/[?#]/);
  if (q < 0 || url.indexOf('=', q) < 0) return false;
  const params = parseParams(url.slice(q + 1).replace('#', '&'));
  return NAMES.some((n) => !!params.get(n));
}

export interface WatchStore {
  get(key: string): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
}

export const WATCH_KEY = 'bg:watchedTabs';

/** `register(tabId)` adds a tab's listeners and returns what removes them. */
export type Register = (tabId: number) => () => void;

/**
 * How long a tab stays watched after its main frame committed a document without a secret in its
 * URL: an OAuth chain alternates such documents (the authorization request with its state, the
 * AS's login pages, the callback) within a second or two, and each add or removal of a listener
 * is a round trip to the browser process and a storage.session write, which the chain's page load
 * paid for (bench/README.md). A re-watch within the delay keeps the listeners.
 */
export const UNWATCH_DELAY_MS = 3000;

export class TabWatch {
  private readonly tabs = new Map<number, () => void>();
  private readonly leaving = new Map<number, ReturnType<typeof setTimeout>>();
  private readonly delayMs: number;
  private saving: Promise<void> = Promise.resolve();
  /** tabs whose document was seen by this instance before restore() read the saved set: that decides */
  private seen: Set<number> | undefined = new Set();

  constructor(
    private readonly register: Register,
    private readonly store?: WatchStore,
    opts: { unwatchDelayMs?: number } = {},
  ) {
    this.delayMs = opts.unwatchDelayMs ?? UNWATCH_DELAY_MS;
  }

  /** The tabs watched now. */
  get watched(): number[] {
    return [...this.tabs.keys()];
  }

  /** Listen to every subresource of this tab (idempotent). */
  watch(tabId: number): void {
    this.stay(tabId);
    if (tabId < 0 || this.tabs.has(tabId)) return;
    this.tabs.set(tabId, this.register(tabId));
    this.save();
  }

  /** Stop listening to this tab's subresources (its document changed, or it closed). */
  unwatch(tabId: number): void {
    this.stay(tabId);
    const remove = this.tabs.get(tabId);
    if (!remove) return;
    this.tabs.delete(tabId);
    remove();
    this.save();
  }

  /**
   * A document was requested or committed in a tab: watched while a document whose URL carries a
   * secret is there. A main-frame commit of another document ends it, UNWATCH_DELAY_MS later
   * (sub-frame documents, and a navigation request that may never commit, only add).
   */
  document(tabId: number, url: string, mainFrameCommit: boolean): void {
    this.seen?.add(tabId);
    if (documentCarriesSecret(url)) this.watch(tabId);
    else if (mainFrameCommit) this.leave(tabId);
  }

  /** Unwatch after the delay, unless the tab is watched again or closes meanwhile. */
  private leave(tabId: number): void {
    if (!this.tabs.has(tabId) || this.leaving.has(tabId)) return;
    if (this.delayMs <= 0) return this.unwatch(tabId);
    this.leaving.set(
      tabId,
      setTimeout(() => {
        this.leaving.delete(tabId);
        this.unwatch(tabId);
      }, this.delayMs),
    );
  }

  /** Cancel a pending unwatch. */
  private stay(tabId: number): void {
    const t = this.leaving.get(tabId);
    if (t === undefined) return;
    clearTimeout(t);
    this.leaving.delete(tabId);
  }

  /** Register again the tabs saved by an earlier worker instance (those still open, when known). */
  async restore(open?: (ids: number[]) => Promise<Set<number>>): Promise<void> {
    let saved: unknown;
    try {
      saved = this.store ? (await this.store.get(WATCH_KEY))[WATCH_KEY] : undefined;
    } catch {
      saved = undefined;
    }
    const ids = Array.isArray(saved) ? saved.filter((x): x is number => Number.isInteger(x) && x >= 0) : [];
    const alive = open && ids.length > 0 ? await open(ids).catch(() => new Set(ids)) : new Set(ids);
    const seen = this.seen;
    this.seen = undefined;
    for (const id of ids) if (alive.has(id) && !seen?.has(id)) this.watch(id);
    // tabs that closed or changed document meanwhile are dropped from the saved set too
    if (ids.length !== this.tabs.size || ids.some((id) => !this.tabs.has(id))) this.save();
  }

  /** Write the set again (after storage.session was cleared). */
  save(): void {
    const store = this.store;
    if (!store) return;
    const ids = this.watched;
    this.saving = this.saving.then(() => store.set({ [WATCH_KEY]: ids })).catch(() => undefined);
  }

  /** Settled when the last save is written (tests). */
  flushed(): Promise<void> {
    return this.saving;
  }
}
