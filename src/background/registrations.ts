/**
 * Which webRequest events the worker listens to, for which resource types and URLs, with which
 * extraInfoSpec (#10.3; docs/listeners.md says which rules need what). Each registration costs
 * page loads: every event is a message to the extension's process, and in Chromium an
 * `extraHeaders` listener makes the network service hand the headers to the browser process
 * synchronously. So each is asked only for the requests whose rules need what it brings:
 * - navigations (main_frame, sub_frame): everything, with `extraHeaders` (Cookie, Referer and Origin
 *   of callbacks and authorization requests, Set-Cookie of callbacks; form_post bodies);
 * - calls a script makes (xmlhttprequest; ping and other can be POSTs too): bodies (token, PAR,
 *   registration requests), request headers with `extraHeaders` (Referer to third parties, Origin of
 *   SPA token requests; Authorization and DPoP need no extraHeaders) and response headers without
 *   it (Location, WWW-Authenticate, status); onHeadersReceived for the response time;
 * - subresources (scripts, images, stylesheets, fonts, media, objects: GETs without a body, most
 *   of an ordinary page) only where a rule can read something in them:
 *   - anywhere, those whose URL may carry a parameter a rule reads in any request's URL
 *     (`CREDENTIAL_URLS`: token-in-url-query's names and the other `on: 'any'` rules' urlParams;
 *     the match pattern's path is matched against path + query in Chromium and Firefox);
 *   - all of them in a tab whose document's URL carries a code, state or token (`TAB_REGISTRATIONS`,
 *     added per tab by tab-watch.ts: referer-leak reads their Referer and the scripts of a callback
 *     page).
 *   onBeforeSendHeaders carries the URL, type, initiator and (with `extraHeaders`) the Referer, so no
 *   onBeforeRequest; onCompleted the status and response headers for the HAR export;
 * - WebSocket handshakes by URL, like the subresources (their ws:/wss: URLs need their own patterns);
 * - in Firefox, its own types beside Chromium's (imageset, beacon, object_subrequest: typesFor).
 * Plain data (no browser API): bench/listeners-only/background.js carries the same tables (checked
 * by a test) so that the benchmark's "listeners only" extension stays what Chromium charges for it.
 */
import { allRules } from '../core';

export type WebRequestEvent = 'onBeforeRequest' | 'onBeforeSendHeaders' | 'onHeadersReceived' | 'onBeforeRedirect' | 'onCompleted' | 'onErrorOccurred';
export type InfoSpec = 'requestBody' | 'requestHeaders' | 'responseHeaders' | 'extraHeaders';

export interface Registration {
  event: WebRequestEvent;
  types: readonly string[];
  spec: readonly InfoSpec[];
  /** URL match patterns (Chromium's; urlsFor adds Firefox's); absent: every URL */
  urls?: readonly string[];
}

export const FRAMES = ['main_frame', 'sub_frame'] as const;
/** requests a page's script makes (fetch/XHR), beacons and the rest: may have a body and any header */
export const CALLS = ['xmlhttprequest', 'ping', 'other'] as const;
/** subresources that are GETs without a body and without script-set headers (object: <object>/<embed>) */
export const SUBRESOURCES = ['script', 'image', 'stylesheet', 'font', 'media', 'object'] as const;
/**
 * WebSocket handshakes (a GET whose ws:/wss: URL a script chose: realtime APIs put an access token
 * in its query). Listened to by URL only: the handshake sends no Referer, so a watched tab's rows
 * would bring nothing a rule reads.
 */
export const SOCKETS = ['websocket'] as const;
/**
 * Firefox's own names for what Chromium files under another type (MDN, webRequest.ResourceType):
 * `imageset` (<picture>, srcset) for image, `beacon` (navigator.sendBeacon, a POST with a body) for
 * ping, `object_subrequest` for object. Chromium rejects a filter naming them, so they are added
 * for Firefox only (typesFor).
 */
export const FIREFOX_TYPES: Readonly<Record<string, readonly string[]>> = { image: ['imageset'], ping: ['beacon'], object: ['object_subrequest'] };

/**
 * The URL parameters a rule reads in a request that is no OAuth message (the `urlParams` of the
 * `on: 'any'` rules' prefilters: token-in-url-query, client-secret-in-url, ropc-grant, …), and
 * id_token_hint, which token-in-url-query reads in an end-session message (a subresource with
 * id_token_hint in its URL is classified end-session, where no prefilter applies).
 */
export function credentialParams(): string[] {
  const names = new Set<string>(['id_token_hint']);
  for (const r of allRules) if (r.meta.on === 'any') for (const n of r.meta.prefilter?.urlParams ?? []) names.add(n);
  // `*assertion=*` matches client_assertion= too: keep the shortest pattern of each suffix family
  return [...names].filter((n) => ![...names].some((m) => m !== n && n.endsWith(`_${m}`))).sort();
}

/**
 * Match patterns for a URL whose path or query has `<name>=`: a superset of the requests in which
 * those rules can find their parameter. Chromium matches a pattern's path against the URL's path
 * and query with percent-escapes of unreserved characters decoded (`access%5Ftoken=` and
 * `access_t%6Fken=` match `*access_token=*`; measured on Chromium 156), so these are all it needs
 * for http(s). Its `*` scheme means http or https only: a WebSocket handshake's wss: URL matched
 * none of them (Chromium 156), hence the ws: and wss: patterns (Firefox's `*` covers both already).
 */
export const CREDENTIAL_URLS: readonly string[] = credentialParams().flatMap((n) => [`*://*/*${n}=*`, ...['ws', 'wss'].map((s) => `${s}://*/*${n}=*`)]);
/**
 * Firefox matches the path and query literally (`%5F` only matches `%5F`; measured on Firefox ESR
 * 153): the rules also decode names whose "_" is percent-encoded (token-in-url-query's
 * ENCODED_NAME, ropc-grant's grant%5ftype), so every URL with an encoded "_" is listened to there.
 * (In Chromium these two patterns would decode to `*_*` and match every URL with an underscore.)
 */
export const FIREFOX_ENCODED_URLS: readonly string[] = ['*://*/*%5F*', '*://*/*%5f*'];

/** Always registered (at the worker's start, for every tab). */
export const REGISTRATIONS: readonly Registration[] = [
  { event: 'onBeforeRequest', types: [...FRAMES, ...CALLS], spec: ['requestBody'] },
  { event: 'onBeforeSendHeaders', types: [...FRAMES, ...CALLS], spec: ['requestHeaders', 'extraHeaders'] },
  { event: 'onHeadersReceived', types: FRAMES, spec: ['responseHeaders', 'extraHeaders'] },
  { event: 'onHeadersReceived', types: CALLS, spec: ['responseHeaders'] },
  { event: 'onBeforeRedirect', types: FRAMES, spec: ['responseHeaders', 'extraHeaders'] },
  { event: 'onBeforeRedirect', types: CALLS, spec: ['responseHeaders'] },
  { event: 'onCompleted', types: FRAMES, spec: ['responseHeaders', 'extraHeaders'] },
  { event: 'onCompleted', types: CALLS, spec: ['responseHeaders'] },
  { event: 'onErrorOccurred', types: [...FRAMES, ...CALLS], spec: [] },
  // subresources whose URL may carry a credential (no Referer needed: the tab rows bring it)
  { event: 'onBeforeSendHeaders', types: [...SUBRESOURCES, ...SOCKETS], spec: ['requestHeaders'], urls: CREDENTIAL_URLS },
  { event: 'onBeforeRedirect', types: [...SUBRESOURCES, ...SOCKETS], spec: ['responseHeaders'], urls: CREDENTIAL_URLS },
  { event: 'onCompleted', types: [...SUBRESOURCES, ...SOCKETS], spec: ['responseHeaders'], urls: CREDENTIAL_URLS },
  { event: 'onErrorOccurred', types: [...SUBRESOURCES, ...SOCKETS], spec: [], urls: CREDENTIAL_URLS },
];

/**
 * Registered per tab (filter `tabId`) while the tab shows a document whose URL carries a code,
 * state or token (tab-watch.ts): every subresource, with its Referer (`extraHeaders`).
 */
export const TAB_REGISTRATIONS: readonly Registration[] = [
  { event: 'onBeforeSendHeaders', types: SUBRESOURCES, spec: ['requestHeaders', 'extraHeaders'] },
  { event: 'onBeforeRedirect', types: SUBRESOURCES, spec: ['responseHeaders'] },
  { event: 'onCompleted', types: SUBRESOURCES, spec: ['responseHeaders'] },
  { event: 'onErrorOccurred', types: SUBRESOURCES, spec: [] },
];

/** The extraInfoSpec for this browser: Firefox has no `extraHeaders` (it gives every header). */
export function specFor(r: Registration, firefox: boolean): string[] {
  return firefox ? r.spec.filter((s) => s !== 'extraHeaders') : [...r.spec];
}

/** The resource types for this browser: Firefox's own names added beside Chromium's (FIREFOX_TYPES). */
export function typesFor(r: Registration, firefox: boolean): string[] {
  return firefox ? r.types.flatMap((t) => [t, ...(FIREFOX_TYPES[t] ?? [])]) : [...r.types];
}

/** The URL patterns for this browser. */
export function urlsFor(r: Registration, firefox: boolean): string[] {
  if (!r.urls) return ['<all_urls>'];
  return firefox ? [...r.urls, ...FIREFOX_ENCODED_URLS] : [...r.urls];
}

/**
 * The events registered for a resource type in some row (whatever the URL or tab: the adapter's
 * tests replay exactly these for a request that is observed).
 */
export function eventsFor(type: string, firefox = false): Set<WebRequestEvent> {
  return new Set([...REGISTRATIONS, ...TAB_REGISTRATIONS].filter((r) => typesFor(r, firefox).includes(type)).map((r) => r.event));
}
