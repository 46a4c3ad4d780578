/**
 * webRequest / webNavigation events → the core's Observation. One request's events (before
 * request, headers sent, headers received, redirect or completion) are assembled into ONE
 * observation, pushed when the request redirects or ends. Committed navigations with a fragment
 * (which no request shows) become `navigationOnly` observations. Pure: takes event details, calls
 * no browser API, so it is unit-tested in Node.
 */
import type { Header, Observation, ResourceType } from '../core';

export interface RequestDetails {
  requestId: string;
  url: string;
  method: string;
  type: string;
  tabId: number;
  frameId?: number;
  timeStamp: number;
  initiator?: string;
  originUrl?: string; // Firefox
  documentUrl?: string; // Firefox
  requestBody?: { formData?: Record<string, string[]>; raw?: { bytes?: ArrayBuffer }[] } | null;
  requestHeaders?: { name: string; value?: string }[];
  responseHeaders?: { name: string; value?: string }[];
  statusCode?: number;
  redirectUrl?: string;
  error?: string;
}

export interface NavigationDetails {
  tabId: number;
  frameId: number;
  url: string;
  timeStamp: number;
  transitionType?: string;
  transitionQualifiers?: string[];
}

const TYPE: Record<string, ResourceType> = {
  main_frame: 'main_frame',
  sub_frame: 'sub_frame',
  xmlhttprequest: 'xhr',
  script: 'script',
  image: 'image',
  imageset: 'image',
  stylesheet: 'stylesheet',
  // fonts and media: observed when their URL may carry a credential or in a watched tab (registrations.ts)
  font: 'other',
  media: 'other',
  object: 'other',
  object_subrequest: 'other',
  // a WebSocket handshake, observed when its URL may carry a credential (registrations.ts)
  websocket: 'other',
  ping: 'other',
  beacon: 'other',
  other: 'other',
};

interface Pending {
  id: string;
  tabId: number;
  time: number;
  url: string;
  method: string;
  type: ResourceType;
  initiator?: string;
  form?: [string, string][];
  text?: string;
  requestHeaders: Header[];
  status?: number;
  responseTime?: number;
  responseHeaders: Header[];
  hop: number;
}

const MAX_PENDING = 2000;
/** open hops kept per request (a redirect chain whose events came grouped: see RequestAssembler.pending) */
const MAX_HOPS_OPEN = 32;

function headers(h: { name: string; value?: string }[] | undefined): Header[] {
  return (h ?? []).map((x) => ({ name: x.name, value: x.value ?? '' }));
}

function originOf(u: string | undefined): string | undefined {
  if (!u) return undefined;
  try {
    const o = new URL(u).origin;
    return o === 'null' ? undefined : o;
  } catch {
    return undefined;
  }
}

/** Whether a request is the extension's own (or the browser's): never observed. */
export function isOwnRequest(d: Pick<RequestDetails, 'tabId' | 'initiator' | 'originUrl' | 'url'>): boolean {
  if (d.tabId < 0) return true;
  const i = d.initiator ?? d.originUrl ?? '';
  return /^(chrome|moz)-extension:/.test(i) || /^(chrome|moz)-extension:/.test(d.url);
}

const MAX_RAW_BODY = 64 * 1024;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The UTF-8 text of a small raw request body (one part, at most 64 KB), else undefined. */
function rawText(raw: { bytes?: ArrayBuffer }[] | undefined): string | undefined {
  const bytes = raw?.length === 1 ? raw[0].bytes : undefined;
  if (!bytes || bytes.byteLength === 0 || bytes.byteLength > MAX_RAW_BODY) return undefined;
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

export interface AssemblerOptions {
  /**
   * Told apart from other worker instances: the background passes a value per worker start, so that
   * a redirect chain in flight across a worker stop (its requestId continues, the hop counter
   * restarts) never reuses an observation id the engine already holds.
   */
  epoch?: string;
}

export class RequestAssembler {
  /**
   * The open hops of each request, oldest first. In order delivery there is one at a time (a hop
   * ends at its redirect before the next one starts), but Firefox, waking a suspended background
   * page, hands over the events it queued grouped by event: every hop's onBeforeRequest, then every
   * onBeforeSendHeaders, …, then every onBeforeRedirect (Firefox ESR 153, a 7-hop chain). So a
   * later event goes to the oldest open hop of its request with the same URL, and to the newest
   * one when none has its URL (what every event went to before).
   */
  private pending = new Map<string, Pending[]>();
  /** hops per requestId: a redirect chain keeps its requestId, each hop gets its own observation id */
  private hops = new Map<string, number>();
  private readonly suffix: string;

  constructor(opts: AssemblerOptions = {}) {
    this.suffix = opts.epoch ? `@${opts.epoch}` : '';
  }

  /** The next hop number of a request (redirects keep the requestId). */
  private nextHop(requestId: string): number {
    const hop = this.hops.get(requestId) ?? 0;
    this.hops.set(requestId, hop + 1);
    if (this.hops.size > MAX_PENDING) this.hops.delete(this.hops.keys().next().value as string);
    return hop;
  }

  start(d: RequestDetails): void {
    const form = d.requestBody?.formData
      ? Object.entries(d.requestBody.formData).flatMap(([k, vs]) => vs.map((v) => [k, v] as [string, string]))
      : undefined;
    // a small non-form body (a JSON token request): its text, for the classifier; never logged
    const text = form ? undefined : rawText(d.requestBody?.raw);
    this.open(d, { form, text });
  }

  /** A new pending record for this request (a new hop of it), or undefined when it is not observed. */
  private open(d: RequestDetails, body: { form?: [string, string][]; text?: string } = {}): Pending | undefined {
    if (isOwnRequest(d)) return undefined;
    const type = TYPE[d.type];
    if (!type || typeof d.url !== 'string' || typeof d.method !== 'string') return undefined;
    const p: Pending = {
      id: d.requestId,
      tabId: d.tabId,
      time: d.timeStamp,
      url: d.url,
      method: d.method.toUpperCase(),
      type,
      initiator: d.initiator ?? originOf(d.originUrl),
      ...body,
      requestHeaders: [],
      responseHeaders: [],
      hop: this.nextHop(d.requestId),
    };
    const open = this.pending.get(d.requestId);
    if (!open) this.pending.set(d.requestId, [p]);
    else if (open.push(p) > MAX_HOPS_OPEN) open.shift();
    if (this.pending.size > MAX_PENDING) this.pending.delete(this.pending.keys().next().value as string);
    return p;
  }

  /**
   * The request headers. Scripts and images are observed from this event on (no onBeforeRequest for
   * them, registrations.ts): it carries the URL, method, type, tab and initiator as well.
   */
  sendHeaders(d: RequestDetails): void {
    const p = this.pendingFor(d);
    if (p) p.requestHeaders = headers(d.requestHeaders);
  }

  /**
   * The request this event belongs to. A worker stopped after the request started (its
   * onBeforeRequest went to the old instance) gets the later events alone: each carries the URL,
   * method, type, tab, initiator and status, so the observation is built from it (request headers
   * and body are what is lost), instead of dropping the hop and with it the flow.
   */
  private pendingFor(d: RequestDetails): Pending | undefined {
    const open = this.pending.get(d.requestId);
    if (!open) return this.open(d);
    return open.length === 1 ? open[0] : (open.find((p) => p.url === d.url) ?? open[open.length - 1]);
  }

  headersReceived(d: RequestDetails): void {
    const p = this.pendingFor(d);
    if (!p) return;
    p.status = d.statusCode;
    p.responseTime = d.timeStamp;
    p.responseHeaders = headers(d.responseHeaders);
  }

  /** A redirect ends this hop: the observation carries the Location (with its fragment). */
  redirect(d: RequestDetails): Observation | undefined {
    const p = this.pendingFor(d);
    if (!p) return undefined;
    if (d.responseHeaders) p.responseHeaders = headers(d.responseHeaders);
    p.status = d.statusCode ?? p.status;
    const loc = p.responseHeaders.find((h) => h.name.toLowerCase() === 'location')?.value;
    // the Location header keeps the fragment exactly as sent; redirectUrl is its resolved form
    let location = d.redirectUrl;
    if (loc && loc.includes('#') && location && !location.includes('#')) location += loc.slice(loc.indexOf('#'));
    return this.finish(p, location);
  }

  complete(d: RequestDetails): Observation | undefined {
    const p = this.pendingFor(d);
    if (!p) return undefined;
    if (d.responseHeaders && p.responseHeaders.length === 0) p.responseHeaders = headers(d.responseHeaders);
    p.status = d.statusCode ?? p.status;
    return this.finish(p, undefined);
  }

  error(d: RequestDetails): Observation | undefined {
    const p = this.pendingFor(d);
    if (!p) return undefined;
    return this.finish(p, undefined);
  }

  private finish(p: Pending, location: string | undefined): Observation {
    const open = this.pending.get(p.id);
    const i = open ? open.indexOf(p) : -1;
    if (i >= 0) open!.splice(i, 1);
    if (open?.length === 0) this.pending.delete(p.id);
    return {
      id: `${p.id}.${p.hop}${this.suffix}`,
      ref: { requestId: p.id },
      context: `tab:${p.tabId}`,
      time: p.time,
      url: p.url,
      method: p.method,
      type: p.type,
      initiator: p.initiator,
      requestHeaders: p.requestHeaders,
      requestBody: p.form
        ? { form: p.form, mimeType: 'application/x-www-form-urlencoded' }
        : p.text !== undefined
          ? { text: p.text, mimeType: p.requestHeaders.find((h) => h.name.toLowerCase() === 'content-type')?.value }
          : undefined,
      status: p.status,
      responseTime: p.responseTime,
      responseHeaders: p.responseHeaders,
      location,
    };
  }

  /** A committed navigation (or fragment update) whose URL has a fragment the requests did not show. */
  navigation(d: NavigationDetails, seq: number): Observation | undefined {
    if (d.tabId < 0) return undefined;
    const hash = d.url.indexOf('#');
    if (hash < 0 || hash === d.url.length - 1) return undefined;
    if (!/^https?:/.test(d.url)) return undefined;
    return {
      id: `nav:${d.tabId}:${d.frameId}:${seq}`,
      ref: { requestId: `nav:${d.tabId}:${seq}` },
      context: `tab:${d.tabId}`,
      time: d.timeStamp,
      url: d.url,
      method: 'GET',
      type: d.frameId === 0 ? 'main_frame' : 'sub_frame',
      requestHeaders: [],
      responseHeaders: [],
      navigationOnly: true,
      transition: d.transitionType ? { type: d.transitionType, qualifiers: d.transitionQualifiers ?? [] } : undefined,
    };
  }
}
