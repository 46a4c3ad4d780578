/**
 * A bounded, redacted log of the observations of each tab, for the HAR export (a HAR that
 * `coatcheck scan` accepts). Secrets in URLs, form bodies and credential headers are redacted
 * (prefix + hash, so equal values stay equal) unless redaction is off.
 */
import type { Header, Observation } from '../core/observe/observation';
import { VERSION } from '../core/version';
import { redactUrl, redactValue, SECRET_PARAMS } from '../core/util/secret';

const PER_TAB = 400;
const CREDENTIAL_HEADERS = new Set(['cookie', 'set-cookie', 'authorization', 'dpop', 'proxy-authorization']);

export type LoggedObservation = Omit<Observation, 'responseBody'>;

export function redactObservation(o: Observation, redact: boolean): LoggedObservation {
  const { responseBody: _drop, ...rest } = o;
  if (!redact) return rest;
  // credential headers lose their value; any other header that carries a URL (Location, Referer,
  // Link, Refresh, Content-Location…) keeps it with secret parameters redacted
  const h = (list: Observation['requestHeaders']) =>
    list.map((x) =>
      CREDENTIAL_HEADERS.has(x.name.toLowerCase())
        ? { name: x.name, value: redactValue(x.value) }
        : /[?#&][^=]+=/.test(x.value)
          ? { name: x.name, value: redactUrl(x.value, { redact }) }
          : x,
    );
  return {
    ...rest,
    url: redactUrl(o.url, { redact }),
    location: o.location ? redactUrl(o.location, { redact }) : undefined,
    requestHeaders: h(o.requestHeaders),
    responseHeaders: h(o.responseHeaders),
    requestBody: o.requestBody?.form
      ? { ...o.requestBody, form: o.requestBody.form.map(([k, v]) => [k, SECRET_PARAMS.has(k) && v ? redactValue(v) : v] as [string, string]) }
      : undefined,
  };
}

const isHeaders = (v: unknown): boolean =>
  Array.isArray(v) && v.every((h) => typeof h === 'object' && h !== null && typeof (h as Header).name === 'string' && typeof (h as Header).value === 'string');

function isLoggedObservation(v: unknown): v is LoggedObservation {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Partial<LoggedObservation>;
  if (typeof o.url !== 'string' || typeof o.method !== 'string' || typeof o.context !== 'string' || typeof o.id !== 'string') return false;
  if (typeof o.time !== 'number' || !Number.isFinite(o.time) || Math.abs(o.time) > 8.64e15) return false;
  if (!isHeaders(o.requestHeaders) || !isHeaders(o.responseHeaders)) return false;
  if (o.location !== undefined && typeof o.location !== 'string') return false;
  if (o.status !== undefined && typeof o.status !== 'number') return false;
  if (o.initiator !== undefined && typeof o.initiator !== 'string') return false;
  if (o.requestBody !== undefined) {
    const form = (o.requestBody as { form?: unknown }).form;
    if (typeof o.requestBody !== 'object' || o.requestBody === null) return false;
    if (form !== undefined && !(Array.isArray(form) && form.every((p) => Array.isArray(p) && typeof p[0] === 'string' && typeof p[1] === 'string'))) return false;
  }
  return true;
}

export class HarLog {
  readonly tabs = new Map<number, LoggedObservation[]>();
  /** per tab, its list as JSON, until the tab logs again (persistence writes only what changed) */
  private texts = new Map<number, string>();

  add(o: Observation, redact: boolean): void {
    const tab = Number(o.context.slice(4));
    if (!Number.isFinite(tab)) return;
    const list = this.tabs.get(tab) ?? [];
    list.push(redactObservation(o, redact));
    if (list.length > PER_TAB) list.splice(0, list.length - PER_TAB);
    this.tabs.set(tab, list);
    this.texts.delete(tab);
  }

  deleteTab(tab: number): void {
    this.tabs.delete(tab);
    this.texts.delete(tab);
  }

  /** The tab's list as JSON (what storage.session holds for it). */
  textOf(tab: number): string {
    let t = this.texts.get(tab);
    if (t === undefined) {
      t = JSON.stringify(this.tabs.get(tab) ?? []);
      this.texts.set(tab, t);
    }
    return t;
  }

  toHar(tabId?: number, version = VERSION): object {
    const tabs = tabId === undefined ? [...this.tabs.keys()] : [tabId];
    const pages = tabs.map((t) => ({ id: `tab_${t}`, title: `tab ${t}`, startedDateTime: new Date(this.tabs.get(t)?.[0]?.time ?? 0).toISOString(), pageTimings: {} }));
    const entries = tabs
      .flatMap((t) => (this.tabs.get(t) ?? []).map((o) => ({ t, o })))
      .sort((a, b) => a.o.time - b.o.time)
      .map(({ t, o }) => ({
        pageref: `tab_${t}`,
        startedDateTime: new Date(o.time).toISOString(),
        time: 0,
        request: {
          method: o.method,
          url: o.url,
          httpVersion: 'HTTP/1.1',
          headers: o.requestHeaders,
          queryString: [],
          cookies: [],
          headersSize: -1,
          bodySize: -1,
          ...(o.requestBody?.form ? { postData: { mimeType: 'application/x-www-form-urlencoded', params: o.requestBody.form.map(([name, value]) => ({ name, value })) } } : {}),
        },
        response: { status: o.status ?? 0, statusText: '', httpVersion: 'HTTP/1.1', headers: o.responseHeaders, cookies: [], content: { size: 0, mimeType: '' }, redirectURL: o.location ?? '', headersSize: -1, bodySize: -1 },
        cache: {},
        timings: { send: 0, wait: 0, receive: 0 },
        _resourceType: o.navigationOnly ? 'document' : o.type === 'main_frame' ? 'document' : o.type,
        ...(o.initiator ? { _initiator: { type: 'other', url: o.initiator } } : {}),
      }));
    return { log: { version: '1.2', creator: { name: 'CoatCheck', version }, pages, entries } };
  }

  toJSON(): [number, LoggedObservation[]][] {
    return [...this.tabs.entries()];
  }

  /** Restore a saved log; entries that are not well-formed (a damaged or foreign storage) are dropped. */
  static fromJSON(v: unknown): HarLog {
    const log = new HarLog();
    if (!Array.isArray(v)) return log;
    for (const item of v) {
      if (!Array.isArray(item) || !Array.isArray(item[1])) continue;
      const tab = Number(item[0]);
      if (!Number.isFinite(tab)) continue;
      const list = (item[1] as unknown[]).filter(isLoggedObservation).slice(-PER_TAB);
      if (list.length > 0) log.tabs.set(tab, list);
    }
    return log;
  }
}
