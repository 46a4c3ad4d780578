/**
 * Observation: the one normalized record of "the browser saw this". A HAR entry, a webRequest
 * event chain or a devtools.network request all become one of these; nothing downstream knows which.
 */

export interface Header {
  name: string;
  value: string;
}

/** Where an observation came from, for evidence: a HAR input + entry index, or a browser request. */
export interface SourceRef {
  /** index of the input file (CLI) */
  input?: number;
  /** index of the entry in the HAR's `log.entries` */
  entry?: number;
  /** browser requestId / navigation id */
  requestId?: string;
}

export type ResourceType =
  | 'main_frame'
  | 'sub_frame'
  | 'xhr'
  | 'fetch'
  | 'script'
  | 'image'
  | 'stylesheet'
  | 'other';

export interface RequestBody {
  /** form fields (application/x-www-form-urlencoded or multipart), in order */
  form?: [string, string][];
  /** raw text of a non-form body (JSON, …) */
  text?: string;
  mimeType?: string;
}

export interface Observation {
  /** unique within one engine run */
  id: string;
  ref: SourceRef;
  /** the browsing context: `tab:<id>` in the browser, `har:<input>:<pageref>` for HAR files */
  context: string;
  /** milliseconds since the epoch */
  time: number;
  /** HAR: the entry's startedDateTime could not be parsed (`time` is then a stand-in) */
  timeUnknown?: boolean;
  /** full URL, with fragment where it is known (Location header, committed URL) */
  url: string;
  method: string;
  type: ResourceType;
  /** origin that started the request (webRequest initiator, HAR _initiator), if known */
  initiator?: string;
  /** HAR: Chrome's `_initiator.type` (`parser`, `script`, `preload`, `other`, …), if given */
  initiatorType?: string;
  requestHeaders: Header[];
  requestBody?: RequestBody;
  status?: number;
  /** when the response arrived (its headers), ms since the epoch, if known */
  responseTime?: number;
  responseHeaders: Header[];
  /** absolute redirect target (Location / redirectURL), fragment included */
  location?: string;
  responseBody?: string;
  responseMimeType?: string;
  /** webNavigation transition, when the observation is a committed navigation */
  transition?: { type: string; qualifiers: string[] };
  /** true when the observation is a committed navigation or fragment update, not a network request */
  navigationOnly?: boolean;
}

export function header(headers: Header[], name: string): string | undefined {
  const n = name.toLowerCase();
  for (const h of headers) if (h.name.length === n.length && sameLower(h.name, n)) return h.value;
  return undefined;
}

export function headersAll(headers: Header[], name: string): string[] {
  const n = name.toLowerCase();
  const out: string[] = [];
  for (const h of headers) if (h.name.length === n.length && sameLower(h.name, n)) out.push(h.value);
  return out;
}

/**
 * `a.toLowerCase() === lower` for a and lower of the same length, without allocating (hot path:
 * every observation looks up a few headers). Non-ASCII falls back to toLowerCase.
 */
export function sameLower(a: string, lower: string): boolean {
  if (a === lower) return true;
  for (let i = 0; i < a.length; i++) {
    let c = a.charCodeAt(i);
    if (c > 127) return a.toLowerCase() === lower;
    if (c >= 65 && c <= 90) c += 32;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

export function isNavigation(o: Observation): boolean {
  return o.type === 'main_frame' || o.type === 'sub_frame';
}

/**
 * Sent by a web page (detectors.md, client-secret-in-browser "page-originated")? In the extension
 * every observation belongs to a tab's page (`tab:<id>`; requests of no tab are never observed). In
 * a HAR only browser evidence counts: an `Origin` header (a page's POST always carries one), the
 * `Sec-Fetch-Site` / `Sec-Fetch-Dest` headers browsers add to every request, or Chrome's
 * `_initiator` of type `script` or `parser`. A proxy in front of a server-side client, or a
 * recorder of a command-line client, shows none of these. (Node's fetch sends `Sec-Fetch-Mode:
 * cors` alone, which is therefore not taken as browser evidence.)
 */
export function pageOriginated(o: Observation): boolean {
  if (o.context.startsWith('tab:')) return true;
  if (o.initiatorType === 'script' || o.initiatorType === 'parser') return true;
  for (const h of o.requestHeaders) {
    const n = h.name.toLowerCase();
    if (n === 'origin' || n === 'sec-fetch-site' || n === 'sec-fetch-dest') return true;
  }
  return false;
}

/**
 * The navigation a redirect's Location leads to, as the browser (or a client reading the Location)
 * receives it: a GET of the same frame, started by the redirecting origin, no request of its own.
 */
export function navigationTo(o: Observation, url: string, initiator: string | undefined): Observation {
  return {
    id: `${o.id}>`,
    ref: o.ref,
    context: o.context,
    time: o.time,
    url,
    method: 'GET',
    type: o.type === 'sub_frame' ? 'sub_frame' : 'main_frame',
    initiator,
    requestHeaders: [],
    responseHeaders: [],
    navigationOnly: true,
  };
}
