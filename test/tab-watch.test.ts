/**
 * The per-tab registration table (src/background/tab-watch.ts) and the listener plumbing
 * (src/background/listen.ts): which documents make a tab watched, when it stops, what survives a
 * worker stop (storage.session), and that one event delivered to two listeners is handled once.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { documentCarriesSecret, TabWatch, UNWATCH_DELAY_MS, WATCH_KEY } from '../src/background/tab-watch';
import { listen, RecentEvents, type WebRequestApi } from '../src/background/listen';
import { REGISTRATIONS, TAB_REGISTRATIONS } from '../src/background/registrations';

function memoryStore() {
  const data: Record<string, unknown> = {};
  return { data, get: async (k: string) => ({ [k]: data[k] }), set: async (items: Record<string, unknown>) => void Object.assign(data, items) };
}

function fakeRegister() {
  const live = new Map<number, number>();
  return {
    live,
    register: (tabId: number) => {
      live.set(tabId, (live.get(tabId) ?? 0) + 1);
      return () => live.set(tabId, (live.get(tabId) ?? 0) - 1);
    },
  };
}

describe('documentCarriesSecret', () => {
  it.each([
    ['https://app.example/cb?code=abc&state=xyz', true],
    ['https://as.example/authorize?client_id=c&state=s1', true],
    ['https://app.example/cb#access_token=t&token_type=bearer', true],
    ['https://app.example/cb?co%64e=abc', true], // names are decoded, as referer-leak decodes them
    ['https://app.example/cb?code=', false], // an empty value carries nothing
    ['https://news.example/?page=1&q=code', false],
    ['https://news.example/', false],
    ['https://news.example/a?codes=1&statement=2', false],
  ])('%s → %s', (url, want) => {
    expect(documentCarriesSecret(url)).toBe(want);
  });
});

describe('TabWatch', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('watches a tab from its secret-carrying document until a main-frame commit of another document', () => {
    const r = fakeRegister();
    const w = new TabWatch(r.register, undefined, { unwatchDelayMs: 0 });
    w.document(7, 'https://app.example/cb?code=abc&state=xyz', false);
    w.document(7, 'https://app.example/cb?code=abc&state=xyz', true); // the commit: no second registration
    expect(r.live.get(7)).toBe(1);
    w.document(7, 'https://cdn.example/frame.html', false); // a sub-frame or a request that may never commit
    expect(w.watched).toEqual([7]);
    w.document(7, 'https://app.example/home', true);
    expect(w.watched).toEqual([]);
    expect(r.live.get(7)).toBe(0);
  });

  it('the unwatch waits UNWATCH_DELAY_MS: a chain back to a secret-carrying document keeps the listeners', () => {
    vi.useFakeTimers();
    const r = fakeRegister();
    const w = new TabWatch(r.register);
    w.document(4, 'https://as.example/authorize?client_id=c&state=s', false);
    w.document(4, 'https://as.example/login', true);
    vi.advanceTimersByTime(UNWATCH_DELAY_MS - 1);
    w.document(4, 'https://app.example/cb?code=abc&state=s', false);
    vi.advanceTimersByTime(UNWATCH_DELAY_MS * 2);
    expect(w.watched).toEqual([4]);
    expect(r.live.get(4)).toBe(1); // registered once for the whole chain
    w.document(4, 'https://app.example/home', true);
    vi.advanceTimersByTime(UNWATCH_DELAY_MS - 1);
    expect(w.watched).toEqual([4]);
    vi.advanceTimersByTime(1);
    expect(w.watched).toEqual([]);
    expect(r.live.get(4)).toBe(0);
  });

  it('a tab that closes is no longer watched at once; negative tab ids never are', () => {
    vi.useFakeTimers();
    const r = fakeRegister();
    const w = new TabWatch(r.register);
    w.document(3, 'https://app.example/cb?code=abc', true);
    w.document(3, 'https://app.example/home', true);
    w.unwatch(3); // the tab closed: no wait
    vi.advanceTimersByTime(UNWATCH_DELAY_MS);
    w.document(-1, 'https://app.example/cb?code=abc', true);
    expect(w.watched).toEqual([]);
    expect(r.live.get(3)).toBe(0);
  });

  it('a new worker instance registers the saved tabs again, except closed tabs and tabs it saw change', async () => {
    const store = memoryStore();
    const before = new TabWatch(fakeRegister().register, store);
    for (const t of [1, 2, 3]) before.document(t, `https://app.example/cb?code=c${t}`, true);
    await before.flushed();
    expect(store.data[WATCH_KEY]).toEqual([1, 2, 3]);
    const r = fakeRegister();
    const after = new TabWatch(r.register, store, { unwatchDelayMs: 0 });
    after.document(2, 'https://app.example/home', true); // seen by this instance before the restore
    await after.restore(async () => new Set([1, 2])); // tab 3 closed while the worker was stopped
    await after.flushed();
    expect(after.watched).toEqual([1]);
    expect(r.live.get(1)).toBe(1);
    expect(store.data[WATCH_KEY]).toEqual([1]);
  });

  it('restore without a saved set watches nothing', async () => {
    const w = new TabWatch(fakeRegister().register, memoryStore());
    await w.restore();
    expect(w.watched).toEqual([]);
  });
});

describe('listen', () => {
  function fakeApi() {
    const added: { event: string; filter: unknown; spec?: string[]; cb: (d: unknown) => void }[] = [];
    const api = Object.fromEntries(
      ['onBeforeRequest', 'onBeforeSendHeaders', 'onHeadersReceived', 'onBeforeRedirect', 'onCompleted', 'onErrorOccurred'].map((event) => [
        event,
        {
          addListener: (cb: (d: unknown) => void, filter: unknown, spec?: string[]) => void added.push({ event, filter, spec, cb }),
          removeListener: (cb: (d: unknown) => void) => void added.splice(added.findIndex((a) => a.cb === cb), 1),
        },
      ]),
    ) as unknown as WebRequestApi;
    return { api, added };
  }

  it('one event delivered to the URL-filtered and the per-tab listener is handled once', () => {
    const { api, added } = fakeApi();
    const recent = new RecentEvents();
    const handled: unknown[] = [];
    const byUrl = REGISTRATIONS.find((r) => r.event === 'onCompleted' && r.urls)!;
    const byTab = TAB_REGISTRATIONS.find((r) => r.event === 'onCompleted')!;
    listen(api, byUrl, (d) => handled.push(d), { firefox: false, recent });
    const remove = listen(api, byTab, (d) => handled.push(d), { firefox: false, recent, tabId: 5 });
    expect(added.map((a) => a.filter)).toEqual([
      { urls: [...byUrl.urls!], types: [...byUrl.types] },
      { urls: ['<all_urls>'], types: [...byTab.types], tabId: 5 },
    ]);
    const d = { requestId: '9', timeStamp: 1000.5, url: 'https://cdn.example/p.png?access_token=x', tabId: 5 };
    for (const a of [...added]) a.cb(d);
    expect(handled).toHaveLength(1);
    for (const a of [...added]) a.cb({ ...d, timeStamp: 1001 }); // a later event of the same request (another hop)
    expect(handled).toHaveLength(2);
    remove();
    expect(added).toHaveLength(1);
  });

  it('Firefox: no extraHeaders, and no extraInfoSpec argument where there is none', () => {
    const { api, added } = fakeApi();
    const recent = new RecentEvents();
    for (const r of TAB_REGISTRATIONS) listen(api, r, () => undefined, { firefox: true, recent, tabId: 1 });
    expect(added.map((a) => a.spec)).toEqual([['requestHeaders'], ['responseHeaders'], ['responseHeaders'], undefined]);
  });
});
