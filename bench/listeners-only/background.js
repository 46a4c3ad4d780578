// CoatCheck's registrations (src/background/registrations.ts: the same tables, checked by
// test/listeners-only.test.ts) with empty handlers: what Chromium charges any extension that
// observes this way, the page-load benchmark's second baseline. The rows of TAB_REGISTRATIONS are
// added per tab while its document's URL carries a code, state or token, as src/background/tab-watch.ts
// does (without its storage: this worker is not stopped during a benchmark).
const FRAMES = ['main_frame', 'sub_frame'];
const REGISTRATIONS = [
  { event: 'onBeforeRequest', types: ['main_frame', 'sub_frame', 'xmlhttprequest', 'ping', 'other'], spec: ['requestBody'] },
  { event: 'onBeforeSendHeaders', types: ['main_frame', 'sub_frame', 'xmlhttprequest', 'ping', 'other'], spec: ['requestHeaders', 'extraHeaders'] },
  { event: 'onHeadersReceived', types: ['main_frame', 'sub_frame'], spec: ['responseHeaders', 'extraHeaders'] },
  { event: 'onHeadersReceived', types: ['xmlhttprequest', 'ping', 'other'], spec: ['responseHeaders'] },
  { event: 'onBeforeRedirect', types: ['main_frame', 'sub_frame'], spec: ['responseHeaders', 'extraHeaders'] },
  { event: 'onBeforeRedirect', types: ['xmlhttprequest', 'ping', 'other'], spec: ['responseHeaders'] },
  { event: 'onCompleted', types: ['main_frame', 'sub_frame'], spec: ['responseHeaders', 'extraHeaders'] },
  { event: 'onCompleted', types: ['xmlhttprequest', 'ping', 'other'], spec: ['responseHeaders'] },
  { event: 'onErrorOccurred', types: ['main_frame', 'sub_frame', 'xmlhttprequest', 'ping', 'other'], spec: [] },
  { event: 'onBeforeSendHeaders', types: ['script', 'image', 'stylesheet', 'font', 'media', 'object', 'websocket'], spec: ['requestHeaders'], urls: ['*://*/*access_token=*', 'ws://*/*access_token=*', 'wss://*/*access_token=*', '*://*/*assertion=*', 'ws://*/*assertion=*', 'wss://*/*assertion=*', '*://*/*client_secret=*', 'ws://*/*client_secret=*', 'wss://*/*client_secret=*', '*://*/*code_verifier=*', 'ws://*/*code_verifier=*', 'wss://*/*code_verifier=*', '*://*/*grant_type=*', 'ws://*/*grant_type=*', 'wss://*/*grant_type=*', '*://*/*id_token=*', 'ws://*/*id_token=*', 'wss://*/*id_token=*', '*://*/*id_token_hint=*', 'ws://*/*id_token_hint=*', 'wss://*/*id_token_hint=*', '*://*/*refresh_token=*', 'ws://*/*refresh_token=*', 'wss://*/*refresh_token=*'] },
  { event: 'onBeforeRedirect', types: ['script', 'image', 'stylesheet', 'font', 'media', 'object', 'websocket'], spec: ['responseHeaders'], urls: ['*://*/*access_token=*', 'ws://*/*access_token=*', 'wss://*/*access_token=*', '*://*/*assertion=*', 'ws://*/*assertion=*', 'wss://*/*assertion=*', '*://*/*client_secret=*', 'ws://*/*client_secret=*', 'wss://*/*client_secret=*', '*://*/*code_verifier=*', 'ws://*/*code_verifier=*', 'wss://*/*code_verifier=*', '*://*/*grant_type=*', 'ws://*/*grant_type=*', 'wss://*/*grant_type=*', '*://*/*id_token=*', 'ws://*/*id_token=*', 'wss://*/*id_token=*', '*://*/*id_token_hint=*', 'ws://*/*id_token_hint=*', 'wss://*/*id_token_hint=*', '*://*/*refresh_token=*', 'ws://*/*refresh_token=*', 'wss://*/*refresh_token=*'] },
  { event: 'onCompleted', types: ['script', 'image', 'stylesheet', 'font', 'media', 'object', 'websocket'], spec: ['responseHeaders'], urls: ['*://*/*access_token=*', 'ws://*/*access_token=*', 'wss://*/*access_token=*', '*://*/*assertion=*', 'ws://*/*assertion=*', 'wss://*/*assertion=*', '*://*/*client_secret=*', 'ws://*/*client_secret=*', 'wss://*/*client_secret=*', '*://*/*code_verifier=*', 'ws://*/*code_verifier=*', 'wss://*/*code_verifier=*', '*://*/*grant_type=*', 'ws://*/*grant_type=*', 'wss://*/*grant_type=*', '*://*/*id_token=*', 'ws://*/*id_token=*', 'wss://*/*id_token=*', '*://*/*id_token_hint=*', 'ws://*/*id_token_hint=*', 'wss://*/*id_token_hint=*', '*://*/*refresh_token=*', 'ws://*/*refresh_token=*', 'wss://*/*refresh_token=*'] },
  { event: 'onErrorOccurred', types: ['script', 'image', 'stylesheet', 'font', 'media', 'object', 'websocket'], spec: [], urls: ['*://*/*access_token=*', 'ws://*/*access_token=*', 'wss://*/*access_token=*', '*://*/*assertion=*', 'ws://*/*assertion=*', 'wss://*/*assertion=*', '*://*/*client_secret=*', 'ws://*/*client_secret=*', 'wss://*/*client_secret=*', '*://*/*code_verifier=*', 'ws://*/*code_verifier=*', 'wss://*/*code_verifier=*', '*://*/*grant_type=*', 'ws://*/*grant_type=*', 'wss://*/*grant_type=*', '*://*/*id_token=*', 'ws://*/*id_token=*', 'wss://*/*id_token=*', '*://*/*id_token_hint=*', 'ws://*/*id_token_hint=*', 'wss://*/*id_token_hint=*', '*://*/*refresh_token=*', 'ws://*/*refresh_token=*', 'wss://*/*refresh_token=*'] },
];
const TAB_REGISTRATIONS = [
  { event: 'onBeforeSendHeaders', types: ['script', 'image', 'stylesheet', 'font', 'media', 'object'], spec: ['requestHeaders', 'extraHeaders'] },
  { event: 'onBeforeRedirect', types: ['script', 'image', 'stylesheet', 'font', 'media', 'object'], spec: ['responseHeaders'] },
  { event: 'onCompleted', types: ['script', 'image', 'stylesheet', 'font', 'media', 'object'], spec: ['responseHeaders'] },
  { event: 'onErrorOccurred', types: ['script', 'image', 'stylesheet', 'font', 'media', 'object'], spec: [] },
];
let events = 0;
const count = () => {
  events += 1;
};
/** @param {{ event: string, types: string[], spec: string[], urls?: string[] }} r @param {number} [tabId] */
function add(r, tabId) {
  // the onBeforeRequest row learns the documents, as the worker's does
  const cb = (d) => {
    count();
    if (r.event === 'onBeforeRequest' && FRAMES.includes(d.type)) documentSeen(d.tabId, d.url, false);
  };
  const filter = { urls: r.urls ?? ['<all_urls>'], types: r.types, ...(tabId === undefined ? {} : { tabId }) };
  if (r.spec.length > 0) chrome.webRequest[r.event].addListener(cb, filter, r.spec);
  else chrome.webRequest[r.event].addListener(cb, filter);
  return () => chrome.webRequest[r.event].removeListener(cb);
}
for (const r of REGISTRATIONS) add(r);
// tab-watch.ts's documentCarriesSecret (names decoded there; plain names here)
const SECRET = /[?#&](code|state|access_token|id_token|refresh_token)=[^&#]/;
/** @type {Map<number, (() => void)[]>} */
const watched = new Map();
/** @type {Map<number, ReturnType<typeof setTimeout>>} */
const leaving = new Map();
function documentSeen(tabId, url, mainFrameCommit) {
  if (tabId < 0) return;
  if (SECRET.test(url)) {
    if (!watched.has(tabId)) watched.set(tabId, TAB_REGISTRATIONS.map((r) => add(r, tabId)));
    clearTimeout(leaving.get(tabId));
    leaving.delete(tabId);
  } else if (mainFrameCommit && watched.has(tabId) && !leaving.has(tabId)) {
    // tab-watch.ts's UNWATCH_DELAY_MS
    leaving.set(tabId, setTimeout(() => unwatch(tabId), 3000));
  }
}
function unwatch(tabId) {
  leaving.delete(tabId);
  for (const remove of watched.get(tabId) ?? []) remove();
  watched.delete(tabId);
}
chrome.webNavigation.onCommitted.addListener((d) => documentSeen(d.tabId, d.url, d.frameId === 0));
chrome.webNavigation.onReferenceFragmentUpdated.addListener((d) => documentSeen(d.tabId, d.url, false));
chrome.tabs.onRemoved.addListener((tabId) => {
  clearTimeout(leaving.get(tabId));
  unwatch(tabId);
});
globalThis.__coatcheckReady = true;
