/**
 * The background worker: browser events → Observation → the core Engine → findings → badge,
 * notifications and the popup/panel/options (runtime messages). Flow state is kept in
 * storage.session so that a service-worker stop between an authorization request and its
 * callback loses nothing. The worker makes no network request of its own.
 */
import browser from 'webextension-polyfill';
import { Engine, type Finding, type Observation, rowFromSpec, severityRank, type Severity } from '../core';
import { jsonExport, sarifExport } from '../devtools/model/export';
import { startNativeLink, type FindingsBatch } from './native-link';
import { RequestAssembler, type NavigationDetails, type RequestDetails } from './adapter';
import { HarLog } from './har-log';
import { DEFAULT_SETTINGS, normalizeSettings, type Message, type Settings } from './settings';
import { loadState, SessionWriter } from './persist';
import { REGISTRATIONS, TAB_REGISTRATIONS, type WebRequestEvent } from './registrations';
import { listen, RecentEvents, type WebRequestApi } from './listen';
import { TabWatch } from './tab-watch';

const DOCS_BASE = 'https://github.com/coatcheck/coatcheck/blob/main/docs/rules/';
const isFirefox = typeof (browser.runtime as { getBrowserInfo?: unknown }).getBrowserInfo === 'function';

let settings: Settings = DEFAULT_SETTINGS;
let engine = new Engine({ redact: true });
let harLog = new HarLog();
let ready = false;
let navSeq = 0;
const queue: (() => void)[] = [];
// one epoch per worker instance: a chain in flight across a stop keeps its requestId (adapter.ts)
const assembler = new RequestAssembler({ epoch: Date.now().toString(36) });
const listeners = new Set<(b: FindingsBatch) => void>();

function whenReady(fn: () => void): void {
  if (ready) fn();
  else queue.push(fn);
}

// ---------------------------------------------------------------- persistence

// Save right away after OAuth traffic: the worker can be stopped at any moment (users sit on login
// pages for minutes; Chrome stops idle workers after ~30 s, and a user or a test can stop it any
// time, even while a redirect chain is in flight). A save hands its writes to the browser in the
// same task as the event that changed the state (persist.ts), so a stop after the event's listener
// returned loses nothing: no debounce, no waiting for an earlier save (a 40 ms throttle, and later
// coalescing behind a save in flight, lost hops when the worker was stopped right after them).
// Each save writes only the journal keys the events since the last save changed (persist.ts).
// Events that changed no flow and were no OAuth message (ordinary page loads: their hops and the
// HAR log) are saved SOON_MS later, together, unless an immediate save takes them first: a worker
// is not stopped that soon after an event unless someone stops it by hand.
const SOON_MS = 1000;
const writer = new SessionWriter(browser.storage.session);
let saving: Promise<void> = Promise.resolve();
let soon: ReturnType<typeof setTimeout> | undefined;
function scheduleSave(): void {
  if (soon !== undefined) {
    clearTimeout(soon);
    soon = undefined;
  }
  saving = writer.save(engine, harLog).then(() => undefined);
}
function scheduleSaveSoon(): void {
  if (soon === undefined) soon = setTimeout(scheduleSave, SOON_MS);
}

// ---------------------------------------------------------------- observations

function ignored(o: Observation): boolean {
  if (settings.ignoreOrigins.length === 0) return false;
  try {
    const origin = new URL(o.url).origin;
    return settings.ignoreOrigins.includes(origin) || (o.initiator !== undefined && settings.ignoreOrigins.includes(o.initiator));
  } catch {
    return false;
  }
}

function worthLogging(o: Observation): boolean {
  if (o.type === 'main_frame' || o.type === 'sub_frame' || o.navigationOnly || o.method !== 'GET') return true;
  return o.url.includes('?') || o.requestHeaders.some((h) => h.name.toLowerCase() === 'referer' && /[?#]/.test(h.value));
}

function handle(o: Observation | undefined): void {
  if (!o || ignored(o)) return;
  whenReady(() => {
    const flowsBefore = engine.store.flows.size;
    const oauthBefore = engine.oauthMessages;
    let found: Finding[] = [];
    try {
      found = engine.push(o);
    } catch (e) {
      console.warn('coatcheck: observation dropped', e);
      return;
    }
    const oauth = found.length > 0 || engine.store.flows.size !== flowsBefore || engine.oauthMessages !== oauthBefore;
    const logged = worthLogging(o);
    if (logged) harLog.add(o, settings.redact);
    // a navigation hop in a tab with an open flow is part of a chain (an AS's interaction pages,
    // a broker's hops): the rules need it to tell where a callback came from, so it is saved now too
    const chainHop = (o.type === 'main_frame' || o.type === 'sub_frame') && engine.store.hasOpenFlowIn(o.context);
    if (oauth || chainHop) scheduleSave();
    else if (logged || o.type === 'main_frame' || o.type === 'sub_frame' || o.method !== 'GET') scheduleSaveSoon();
    if (found.length > 0) onFindings(found, o);
  });
}

// ---------------------------------------------------------------- findings → UI

const COLORS: Record<Severity, string> = { critical: '#b00020', high: '#d9480f', medium: '#e6a700', low: '#1971c2', info: '#868e96' };

function tabFindings(tabId: number | undefined): Finding[] {
  const all = engine.findings;
  return tabId === undefined ? [...all] : all.filter((f) => f.context === `tab:${tabId}`);
}

async function updateBadge(tabId: number): Promise<void> {
  const fs = tabFindings(tabId).filter((f) => f.severity !== 'info');
  const worst = fs.reduce<Severity | undefined>((w, f) => (!w || severityRank(f.severity) > severityRank(w) ? f.severity : w), undefined);
  try {
    await browser.action.setBadgeText({ tabId, text: fs.length ? String(fs.length) : '' });
    if (worst) await browser.action.setBadgeBackgroundColor({ tabId, color: COLORS[worst] });
  } catch {
    /* the tab may be gone */
  }
}

function onFindings(found: Finding[], o: Observation): void {
  const tabId = Number(o.context.slice(4));
  if (Number.isFinite(tabId)) void updateBadge(tabId);
  for (const l of listeners) l({ findings: found, tabId });
  if (!settings.notifications) return;
  for (const f of found.filter((x) => x.severity === 'critical').slice(0, 3)) {
    void browser.notifications
      .create(`coatcheck-${f.ruleId}-${f.time}`, {
        type: 'basic',
        iconUrl: browser.runtime.getURL('public/icon-128.png'),
        title: `CoatCheck: ${f.title}`,
        message: `${f.ruleId} (${f.severity}) — ${f.message}`.slice(0, 300),
      })
      .catch(() => undefined);
  }
}

// ---------------------------------------------------------------- listeners (registered synchronously)

// one listener per row of REGISTRATIONS (registrations.ts: which events, types, URLs and
// extraInfoSpec, and why); the rows of TAB_REGISTRATIONS per tab whose document's URL carries a
// code, state or token (tab-watch.ts), learnt from the document requests and commits seen here
const HANDLERS: Record<WebRequestEvent, (d: RequestDetails) => void> = {
  onBeforeRequest: (d) => {
    if (d.type === 'main_frame' || d.type === 'sub_frame') tabWatch.document(d.tabId, d.url, false);
    assembler.start(d);
  },
  onBeforeSendHeaders: (d) => assembler.sendHeaders(d),
  onHeadersReceived: (d) => assembler.headersReceived(d),
  onBeforeRedirect: (d) => {
    // a redirect to a callback with its code or token in the fragment: the Location has the
    // fragment, the next request's URL does not (the commit does, later than the document's scripts)
    if (d.type === 'main_frame' || d.type === 'sub_frame') {
      const loc = d.responseHeaders?.find((h) => h.name.toLowerCase() === 'location')?.value;
      if (loc?.includes('#')) tabWatch.document(d.tabId, loc, false);
    }
    handle(assembler.redirect(d));
  },
  onCompleted: (d) => handle(assembler.complete(d)),
  onErrorOccurred: (d) => handle(assembler.error(d)),
};
const webRequest = browser.webRequest as unknown as WebRequestApi;
const recent = new RecentEvents();
const add = (tabId?: number) => (r: (typeof REGISTRATIONS)[number]) => listen(webRequest, r, (d) => HANDLERS[r.event](d as RequestDetails), { firefox: isFirefox, recent, tabId });
const tabWatch = new TabWatch((tabId) => {
  const removers = TAB_REGISTRATIONS.map(add(tabId));
  return () => removers.forEach((remove) => remove());
}, browser.storage.session);
for (const r of REGISTRATIONS) add()(r);
// for the e2e tests: the tabs listened to by tab now
(globalThis as { __coatcheckWatchedTabs?: () => number[] }).__coatcheckWatchedTabs = () => tabWatch.watched;

type NavDetails = browser.WebNavigation.OnCommittedDetailsType | browser.WebNavigation.OnReferenceFragmentUpdatedDetailsType;
const onNav = (d: NavDetails, committed: boolean) => {
  tabWatch.document(d.tabId, d.url, committed && d.frameId === 0);
  navSeq += 1;
  handle(assembler.navigation(d as NavigationDetails, navSeq));
};
browser.webNavigation.onCommitted.addListener((d) => onNav(d, true));
browser.webNavigation.onReferenceFragmentUpdated.addListener((d) => onNav(d, false));

browser.tabs?.onRemoved?.addListener((tabId) => {
  tabWatch.unwatch(tabId);
  whenReady(() => {
    harLog.deleteTab(tabId);
    scheduleSave();
  });
});

browser.runtime.onMessage.addListener((raw: unknown, sender: browser.Runtime.MessageSender) => {
  // only the extension's own pages talk to the worker
  if (sender.id !== browser.runtime.id) return undefined;
  const msg = raw as Message;
  if (!msg || typeof msg !== 'object' || typeof (msg as { type?: unknown }).type !== 'string') return undefined;
  return new Promise((resolve) => whenReady(() => resolve(answer(msg))));
});

async function answer(msg: Message): Promise<unknown> {
  switch (msg.type) {
    case 'ping':
      return { ready: true };
    case 'getFindings':
      return { findings: tabFindings(msg.tabId) };
    case 'getFlows':
      return { flows: engine.flows().filter((f) => msg.tabId === undefined || f.context === `tab:${msg.tabId}`) };
    case 'getHops':
      // a tab's navigations, for the flow diagrams' interaction pages (origins and URL hashes, no URL)
      return { hops: msg.tabId === undefined ? [] : (engine.store.hops.get(`tab:${msg.tabId}`) ?? []).map((h) => ({ obsId: h.obsId, time: h.time, origin: h.origin, key: h.key })) };
    case 'getSummary': {
      const flows = engine.flows().filter((f) => msg.tabId === undefined || f.context === `tab:${msg.tabId}`);
      return { flows: flows.length, findings: tabFindings(msg.tabId).length };
    }
    case 'clear':
      engine = new Engine({ redact: settings.redact, disable: settings.disabledRules, providers: settings.providers.map(rowFromSpec) });
      harLog = new HarLog();
      await saving;
      await browser.storage.session.clear();
      writer.reset();
      tabWatch.save();
      return { ok: true };
    case 'export': {
      const findings = tabFindings(msg.tabId);
      const flows = engine.flows().filter((f) => msg.tabId === undefined || f.context === `tab:${msg.tabId}`);
      const name = `coatcheck-${msg.tabId === undefined ? 'all' : `tab-${msg.tabId}`}`;
      if (msg.format === 'har') return { filename: `${name}.har`, mime: 'application/json', content: JSON.stringify(harLog.toHar(msg.tabId), null, 1) };
      if (msg.format === 'sarif') return { filename: `${name}.sarif`, mime: 'application/sarif+json', content: sarifExport(findings, flows, `${name}.har`, harLog.tabs.get(msg.tabId ?? -1)?.length ?? 0, DOCS_BASE) };
      return { filename: `${name}.json`, mime: 'application/json', content: jsonExport(findings, flows, `${name}.har`, harLog.tabs.get(msg.tabId ?? -1)?.length ?? 0) };
    }
    case 'getSettings':
      return { settings };
    case 'setSettings': {
      settings = normalizeSettings({ ...settings, ...msg.settings });
      await browser.storage.local.set({ settings });
      engine = new Engine({ state: engine.toJSON(), redact: settings.redact, disable: settings.disabledRules, providers: settings.providers.map(rowFromSpec) });
      engine.markAllChanged();
      scheduleSave();
      return { settings };
    }
    default:
      return { error: 'unknown message' };
  }
}

// ---------------------------------------------------------------- start-up

async function start(): Promise<void> {
  // the three reads are independent: asked at once, so that the events queued meanwhile wait for
  // one round trip to storage instead of three in a row (settings, the saved state, the watched tabs)
  const settingsRead = browser.storage.local
    .get('settings')
    .then((v) => normalizeSettings(v.settings ?? DEFAULT_SETTINGS))
    .catch(() => DEFAULT_SETTINGS);
  const savedRead = loadState(browser.storage.session, writer);
  // the per-tab listeners of the tabs watched before a stop (listeners added after the start are
  // gone with the old instance): the events of those tabs' subresources in between are missed
  const watchRestored = tabWatch.restore(async () => new Set((await browser.tabs.query({})).map((t) => t.id ?? -1)));
  settings = await settingsRead;
  const saved = await savedRead;
  engine = new Engine({ entries: saved.entries, state: saved.legacy, redact: settings.redact, disable: settings.disabledRules, providers: settings.providers.map(rowFromSpec) });
  harLog = saved.har;
  // an old layout was found: write it in the journal layout now (and remove the old keys)
  if (saved.legacy) scheduleSave();
  ready = true;
  for (const fn of queue.splice(0)) fn();
  startNativeLink((l) => {
    listeners.add(l);
    return () => listeners.delete(l);
  });
  await watchRestored.catch(() => undefined);
  (globalThis as { __coatcheckReady?: boolean }).__coatcheckReady = true;
}

void start();
