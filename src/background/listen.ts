/**
 * Adding and removing the worker's webRequest listeners, one per row of registrations.ts. A
 * subresource whose URL matches CREDENTIAL_URLS in a watched tab (tab-watch.ts) matches two
 * listeners of the same event, and each gets the event: the second delivery is dropped here (the
 * browser hands every listener the same details, same requestId and timeStamp; checked in Chromium
 * and Firefox), so that one request stays one observation.
 */
import { urlsFor, specFor, typesFor, SUBRESOURCES, type Registration, type WebRequestEvent } from './registrations';

export interface WebRequestEventApi {
  addListener(cb: (d: unknown) => void, filter: { urls: string[]; types?: string[]; tabId?: number }, spec?: string[]): void;
  removeListener(cb: (d: unknown) => void): void;
}

export type WebRequestApi = Record<WebRequestEvent, WebRequestEventApi>;

interface EventKey {
  requestId: string;
  timeStamp: number;
}

/** The events of subresources handled lately, to drop a second delivery of the same one. */
export class RecentEvents {
  private readonly keys = new Set<string>();
  constructor(private readonly max = 512) {}

  /** true the first time this event of this request (at this time) is seen */
  first(event: WebRequestEvent, d: EventKey): boolean {
    const key = `${event}|${d.requestId}|${d.timeStamp}`;
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    if (this.keys.size > this.max) this.keys.delete(this.keys.values().next().value as string);
    return true;
  }
}

const OVERLAP = new Set<string>(SUBRESOURCES);

/**
 * Add the listener of one row (for one tab when `tabId` is given); returns what removes it.
 * No extraInfoSpec argument at all where there is none (Firefox's onErrorOccurred takes none).
 */
export function listen(api: WebRequestApi, r: Registration, handle: (d: unknown) => void, opts: { firefox: boolean; recent: RecentEvents; tabId?: number }): () => void {
  const event = api[r.event];
  const cb = r.types.some((t) => OVERLAP.has(t)) ? (d: unknown) => (opts.recent.first(r.event, d as EventKey) ? handle(d) : undefined) : handle;
  const filter = { urls: urlsFor(r, opts.firefox), types: typesFor(r, opts.firefox), ...(opts.tabId === undefined ? {} : { tabId: opts.tabId }) };
  const spec = specFor(r, opts.firefox);
  if (spec.length > 0) event.addListener(cb, filter, spec);
  else event.addListener(cb, filter);
  return () => event.removeListener(cb);
}
