// CoatCheck's registrations (src/background/registrations.ts: the same table, checked by
// test/listeners-only.test.ts) with empty handlers: what Chromium charges any extension that
// observes this way, the page-load benchmark's second baseline.
const REGISTRATIONS = [
  { event: 'onBeforeRequest', types: ['main_frame', 'sub_frame', 'xmlhttprequest', 'ping', 'other'], spec: ['requestBody'] },
  { event: 'onBeforeSendHeaders', types: ['main_frame', 'sub_frame', 'xmlhttprequest', 'ping', 'other', 'script', 'image'], spec: ['requestHeaders', 'extraHeaders'] },
  { event: 'onHeadersReceived', types: ['main_frame', 'sub_frame'], spec: ['responseHeaders', 'extraHeaders'] },
  { event: 'onHeadersReceived', types: ['xmlhttprequest', 'ping', 'other'], spec: ['responseHeaders'] },
  { event: 'onBeforeRedirect', types: ['main_frame', 'sub_frame'], spec: ['responseHeaders', 'extraHeaders'] },
  { event: 'onBeforeRedirect', types: ['xmlhttprequest', 'ping', 'other', 'script', 'image'], spec: ['responseHeaders'] },
  { event: 'onCompleted', types: ['main_frame', 'sub_frame'], spec: ['responseHeaders', 'extraHeaders'] },
  { event: 'onCompleted', types: ['xmlhttprequest', 'ping', 'other', 'script', 'image'], spec: ['responseHeaders'] },
  { event: 'onErrorOccurred', types: ['main_frame', 'sub_frame', 'xmlhttprequest', 'ping', 'other', 'script', 'image'], spec: [] },
];
let events = 0;
const count = () => {
  events += 1;
};
for (const r of REGISTRATIONS) {
  if (r.spec.length > 0) chrome.webRequest[r.event].addListener(count, { urls: ['<all_urls>'], types: r.types }, r.spec);
  else chrome.webRequest[r.event].addListener(count, { urls: ['<all_urls>'], types: r.types });
}
chrome.webNavigation.onCommitted.addListener(count);
chrome.webNavigation.onReferenceFragmentUpdated.addListener(count);
globalThis.__coatcheckReady = true;
