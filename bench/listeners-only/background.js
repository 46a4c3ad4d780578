// Same registrations as src/background/index.ts (filter, extraInfoSpec), empty handlers.
const filter = { urls: ['<all_urls>'], types: ['main_frame', 'sub_frame', 'xmlhttprequest', 'script', 'image', 'ping', 'other'] };
let events = 0;
const count = () => {
  events += 1;
};
chrome.webRequest.onBeforeRequest.addListener(count, filter, ['requestBody']);
chrome.webRequest.onBeforeSendHeaders.addListener(count, filter, ['requestHeaders', 'extraHeaders']);
chrome.webRequest.onHeadersReceived.addListener(count, filter, ['responseHeaders', 'extraHeaders']);
chrome.webRequest.onBeforeRedirect.addListener(count, filter, ['responseHeaders', 'extraHeaders']);
chrome.webRequest.onCompleted.addListener(count, filter, ['responseHeaders', 'extraHeaders']);
chrome.webRequest.onErrorOccurred.addListener(count, filter);
chrome.webNavigation.onCommitted.addListener(count);
chrome.webNavigation.onReferenceFragmentUpdated.addListener(count);
globalThis.__coatcheckReady = true;
