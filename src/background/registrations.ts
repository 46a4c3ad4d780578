/**
 * Which webRequest events the worker listens to, for which resource types, with which
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
 * - scripts and images (GETs without a body, most of an ordinary page): the request headers with
 *   `extraHeaders` (the Referer that referer-leak reads; onBeforeSendHeaders carries the URL, type
 *   and initiator too, so no onBeforeRequest) and the completion (status; response headers for the
 *   HAR export), nothing else.
 * Plain data (no browser API): bench/listeners-only/background.js carries the same table (checked by
 * a test) so that the benchmark's "listeners only" extension stays what Chromium charges for it.
 */
export type WebRequestEvent = 'onBeforeRequest' | 'onBeforeSendHeaders' | 'onHeadersReceived' | 'onBeforeRedirect' | 'onCompleted' | 'onErrorOccurred';
export type InfoSpec = 'requestBody' | 'requestHeaders' | 'responseHeaders' | 'extraHeaders';

export interface Registration {
  event: WebRequestEvent;
  types: readonly string[];
  spec: readonly InfoSpec[];
}

export const FRAMES = ['main_frame', 'sub_frame'] as const;
/** requests a page's script makes (fetch/XHR), beacons and the rest: may have a body and any header */
export const CALLS = ['xmlhttprequest', 'ping', 'other'] as const;
/** subresources that are GETs without a body and without script-set headers */
export const STATIC = ['script', 'image'] as const;

export const REGISTRATIONS: readonly Registration[] = [
  { event: 'onBeforeRequest', types: [...FRAMES, ...CALLS], spec: ['requestBody'] },
  { event: 'onBeforeSendHeaders', types: [...FRAMES, ...CALLS, ...STATIC], spec: ['requestHeaders', 'extraHeaders'] },
  { event: 'onHeadersReceived', types: FRAMES, spec: ['responseHeaders', 'extraHeaders'] },
  { event: 'onHeadersReceived', types: CALLS, spec: ['responseHeaders'] },
  { event: 'onBeforeRedirect', types: FRAMES, spec: ['responseHeaders', 'extraHeaders'] },
  { event: 'onBeforeRedirect', types: [...CALLS, ...STATIC], spec: ['responseHeaders'] },
  { event: 'onCompleted', types: FRAMES, spec: ['responseHeaders', 'extraHeaders'] },
  { event: 'onCompleted', types: [...CALLS, ...STATIC], spec: ['responseHeaders'] },
  { event: 'onErrorOccurred', types: [...FRAMES, ...CALLS, ...STATIC], spec: [] },
];

/** The extraInfoSpec for this browser: Firefox has no `extraHeaders` (it gives every header). */
export function specFor(r: Registration, firefox: boolean): string[] {
  return firefox ? r.spec.filter((s) => s !== 'extraHeaders') : [...r.spec];
}

/** The events registered for a resource type (the adapter's tests replay exactly these). */
export function eventsFor(type: string): Set<WebRequestEvent> {
  return new Set(REGISTRATIONS.filter((r) => r.types.includes(type)).map((r) => r.event));
}
