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
  /** full URL, with fragment where it is known (Location header, committed URL) */
  url: string;
  method: string;
  type: ResourceType;
  /** origin that started the request (webRequest initiator, HAR _initiator), if known */
  initiator?: string;
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
  for (const h of headers) if (h.name.length === n.length && h.name.toLowerCase() === n) return h.value;
  return undefined;
}

export function headersAll(headers: Header[], name: string): string[] {
  const n = name.toLowerCase();
  return headers.filter((h) => h.name.toLowerCase() === n).map((h) => h.value);
}

export function isNavigation(o: Observation): boolean {
  return o.type === 'main_frame' || o.type === 'sub_frame';
}
