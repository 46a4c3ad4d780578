/**
 * A bounded, redacted log of the observations of each tab, for the HAR export (a HAR that
 * `coatcheck scan` accepts). Secrets in URLs, form bodies and credential headers are redacted
 * (prefix + hash, so equal values stay equal) unless redaction is off.
 */
import { type Header, type JournalBatch, type Observation, parsedValue, redactUrl, redactValue, SECRET_PARAMS, VERSION } from '../core';

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

/**
 * The log is saved in write-once batches (`har:<tab>:<batch>`): the entries a tab logged since the
 * last save go under a new key named after the first one's sequence number, and are not written
 * again unless one of them is dropped (the tab's cap, the budget) or the tab closes. A chain of
 * redirects saved after each hop writes each entry once; fixed chunks of 32 rewrote the tab's last
 * chunk, every entry in it, at every save (26.8 of the 36 KB a lab chain load wrote). Rows carry
 * their sequence numbers, so the fixed chunks of earlier versions (`har:<tab>:<chunk>`) read back
 * as batches of their own.
 */
/** the HAR log's share of storage.session (10 MB quota), across all tabs */
export const HAR_BUDGET = 3_000_000;

interface TabJournal {
  /** per entry of the tab's list: its sequence number, its JSON text (made once, when logged) and the batch it is saved in */
  seqs: number[];
  texts: string[];
  batches: number[];
  next: number;
  bytes: number;
  /** the batch the entries logged since the last flush go to (the first one's sequence number) */
  open: number | undefined;
}

export class HarLog {
  readonly tabs = new Map<number, LoggedObservation[]>();
  private journal = new Map<number, TabJournal>();
  /** batches to write or remove at the next flush: `<tab>:<batch>` */
  private dirty = new Set<string>();
  private legacyKeys: string[] = [];
  private bytes = 0;

  add(o: Observation, redact: boolean): void {
    const tab = Number(o.context.slice(4));
    if (!Number.isFinite(tab)) return;
    const list = this.tabs.get(tab) ?? [];
    const j = this.journal.get(tab) ?? { seqs: [], texts: [], batches: [], next: 0, bytes: 0, open: undefined };
    const entry = redactObservation(o, redact);
    const seq = j.next;
    j.open ??= seq;
    this.push(tab, list, j, entry, JSON.stringify(entry), seq, j.open);
    while (list.length > PER_TAB) this.dropOldest(tab);
    // bounded across tabs: the tab holding the most bytes gives up its oldest entries
    while (this.bytes > HAR_BUDGET) {
      let most: number | undefined;
      for (const [t, x] of this.journal) if (x.texts.length > 0 && (most === undefined || x.bytes > this.journal.get(most)!.bytes)) most = t;
      if (most === undefined) break;
      this.dropOldest(most);
    }
  }

  private push(tab: number, list: LoggedObservation[], j: TabJournal, entry: LoggedObservation, text: string, seq: number, batch: number): void {
    list.push(entry);
    j.seqs.push(seq);
    j.texts.push(text);
    j.batches.push(batch);
    j.next = Math.max(j.next, seq + 1);
    j.bytes += text.length;
    this.bytes += text.length;
    this.tabs.set(tab, list);
    this.journal.set(tab, j);
    this.dirty.add(`${tab}:${batch}`);
  }

  private dropOldest(tab: number): void {
    const list = this.tabs.get(tab);
    const j = this.journal.get(tab);
    if (!list || !j || list.length === 0) return;
    list.shift();
    j.seqs.shift();
    const text = j.texts.shift()!;
    const batch = j.batches.shift()!;
    j.bytes -= text.length;
    this.bytes -= text.length;
    this.dirty.add(`${tab}:${batch}`);
  }

  deleteTab(tab: number): void {
    const j = this.journal.get(tab);
    for (const batch of new Set(j?.batches)) this.dirty.add(`${tab}:${batch}`);
    this.bytes -= j?.bytes ?? 0;
    this.tabs.delete(tab);
    this.journal.delete(tab);
  }

  /** bytes of JSON the log holds (what storage.session keeps of it) */
  get size(): number {
    return this.bytes;
  }

  /** The batches that changed since the last flush: `har:<tab>:<batch>` → `[[seq, entry], …]`. */
  flush(batch: JournalBatch): void {
    for (const key of this.dirty) {
      const colon = key.indexOf(':');
      const tab = Number(key.slice(0, colon));
      const id = Number(key.slice(colon + 1));
      const j = this.journal.get(tab);
      const parts: string[] = [];
      if (j) for (let i = 0; i < j.seqs.length; i++) if (j.batches[i] === id) parts.push(`[${j.seqs[i]},${j.texts[i]}]`);
      if (parts.length) batch.set[`har:${key}`] = `[${parts.join(',')}]`;
      else batch.remove.push(`har:${key}`);
    }
    this.dirty.clear();
    for (const j of this.journal.values()) j.open = undefined;
    batch.remove.push(...this.legacyKeys.splice(0));
  }

  /** every batch, as if all changed (a write failed: write everything again) */
  markAll(): void {
    for (const [tab, j] of this.journal) for (const b of new Set(j.batches)) this.dirty.add(`${tab}:${b}`);
  }

  /**
   * The log from saved entries: batches `har:<tab>:<batch>` (or the fixed chunks of earlier
   * versions, read alike), or the old layout `har:<tab>` (a whole list, migrated: written again as
   * one batch, the old key removed). Entries that are not well-formed (a damaged or foreign
   * storage) are dropped.
   */
  static restore(entries: Readonly<Record<string, unknown>>): HarLog {
    const log = new HarLog();
    const rows = new Map<number, [number, LoggedObservation, number][]>();
    const batchKeys = new Map<number, string[]>();
    for (const [key, raw] of Object.entries(entries)) {
      const m = /^har:(-?\d+)(?::(\d+))?$/.exec(key);
      if (!m) continue;
      const tab = Number(m[1]);
      const v = parsedValue(raw);
      if (!Array.isArray(v)) continue;
      const list = rows.get(tab) ?? [];
      if (m[2] === undefined) {
        log.legacyKeys.push(key);
        (v as unknown[]).forEach((o, i) => list.push([i - v.length, o as LoggedObservation, -1]));
      } else {
        const b = Number(m[2]);
        batchKeys.set(tab, [...(batchKeys.get(tab) ?? []), key]);
        for (const r of v as unknown[]) if (Array.isArray(r) && typeof r[0] === 'number' && Number.isSafeInteger(r[0])) list.push([r[0], r[1] as LoggedObservation, b]);
      }
      rows.set(tab, list);
    }
    for (const [tab, list] of rows) {
      const kept = list.filter(([, o]) => isLoggedObservation(o)).sort((a, b) => a[0] - b[0]).slice(-PER_TAB);
      const legacy = kept.some(([seq]) => seq < 0);
      // a tab in the old layout is written again as batch 0: any batch key it also had goes
      if (legacy) log.legacyKeys.push(...(batchKeys.get(tab) ?? []).filter((k) => k !== `har:${tab}:0`));
      const entriesOut: LoggedObservation[] = [];
      const j: TabJournal = { seqs: [], texts: [], batches: [], next: 0, bytes: 0, open: undefined };
      kept.forEach(([seq, o, b], i) => log.push(tab, entriesOut, j, o, JSON.stringify(o), legacy ? i : seq, legacy ? 0 : b));
    }
    // batches read back as they were are not written again; the migrated ones (legacyKeys) are
    if (log.legacyKeys.length === 0) log.dirty.clear();
    while (log.bytes > HAR_BUDGET) {
      let most: number | undefined;
      for (const [t, x] of log.journal) if (x.texts.length > 0 && (most === undefined || x.bytes > log.journal.get(most)!.bytes)) most = t;
      if (most === undefined) break;
      log.dropOldest(most);
    }
    return log;
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

  /** A log from the old export shape (`[tab, entries][]`); malformed entries are dropped. */
  static fromJSON(v: unknown): HarLog {
    const entries: Record<string, unknown> = {};
    if (Array.isArray(v)) for (const item of v) if (Array.isArray(item) && Array.isArray(item[1])) entries[`har:${Number(item[0])}`] = item[1];
    const log = HarLog.restore(entries);
    log.legacyKeys = [];
    return log;
  }
}
