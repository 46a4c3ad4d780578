import { z } from 'zod';

// No code generation: the core runs under extension CSPs (script-src 'self') and in the CLI alike.
z.config({ jitless: true });
import { CoreError } from '../errors';
import { originOf, resolvesToItself } from '../util/url';
import type { Header, Observation, RequestBody, ResourceType } from './observation';

/**
 * HAR 1.2 entry → Observation. One entry at a time, so a streaming reader can feed it.
 * Fields HAR exporters leave out (Chrome's sanitized export drops Cookie and Authorization) stay absent.
 */

const headerSchema = z.object({ name: z.string(), value: z.string() });
/** @internal exported for the tests */
export const entrySchema = z.object({
  pageref: z.string().optional(),
  startedDateTime: z.string(),
  request: z.object({
    method: z.string(),
    url: z.string(),
    headers: z.array(headerSchema).default([]),
    postData: z
      .object({
        mimeType: z.string().optional(),
        text: z.string().optional(),
        params: z.array(z.object({ name: z.string(), value: z.string().optional() })).optional(),
      })
      .optional(),
  }),
  response: z
    .object({
      status: z.number().optional(),
      headers: z.array(headerSchema).default([]),
      redirectURL: z.string().optional(),
      content: z.object({ mimeType: z.string().optional(), text: z.string().optional(), encoding: z.string().optional() }).optional(),
    })
    .optional(),
  _resourceType: z.string().optional(),
  _initiator: z.unknown().optional(),
});

export type HarEntry = z.input<typeof entrySchema>;
type ParsedEntry = z.output<typeof entrySchema>;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optStr = (v: unknown) => v === undefined || typeof v === 'string';
function headersOk(v: unknown): boolean {
  if (v === undefined) return true;
  if (!Array.isArray(v)) return false;
  for (const h of v) if (!isObj(h) || typeof h.name !== 'string' || typeof h.value !== 'string') return false;
  return true;
}

/**
 * The schema above, checked by hand: true only when the entry already has the exact shape the
 * schema accepts (zod then only rewords what is wrong). Hot path: zod costs ~25 µs per entry, half
 * of a scan's time; this costs well under 1 µs. Anything unusual goes through zod.
 */
/** @internal exported for the tests */
export function quickEntry(raw: unknown): ParsedEntry | undefined {
  if (!isObj(raw) || !optStr(raw.pageref) || typeof raw.startedDateTime !== 'string') return undefined;
  if (!optStr(raw._resourceType)) return undefined;
  const rq = raw.request;
  if (!isObj(rq) || typeof rq.method !== 'string' || typeof rq.url !== 'string' || !headersOk(rq.headers)) return undefined;
  const pd = rq.postData;
  if (pd !== undefined) {
    if (!isObj(pd) || !optStr(pd.mimeType) || !optStr(pd.text)) return undefined;
    if (pd.params !== undefined) {
      if (!Array.isArray(pd.params)) return undefined;
      for (const p of pd.params) if (!isObj(p) || typeof p.name !== 'string' || !optStr(p.value)) return undefined;
    }
  }
  const rs = raw.response;
  if (rs !== undefined) {
    if (!isObj(rs) || !(rs.status === undefined || (typeof rs.status === 'number' && Number.isFinite(rs.status))) || !headersOk(rs.headers) || !optStr(rs.redirectURL)) return undefined;
    const c = rs.content;
    if (c !== undefined && (!isObj(c) || !optStr(c.mimeType) || !optStr(c.text) || !optStr(c.encoding))) return undefined;
  }
  const e = raw as unknown as ParsedEntry;
  // (the entry itself where it has both header lists, as exporters write them: nothing is copied;
  // observationFromHarEntry only reads it)
  if (rq.headers !== undefined && (rs === undefined || (rs as { headers?: unknown }).headers !== undefined)) return e;
  return {
    ...e,
    request: { ...e.request, headers: e.request.headers ?? [] },
    response: e.response ? { ...e.response, headers: e.response.headers ?? [] } : undefined,
  };
}

const TYPE_MAP: Record<string, ResourceType> = {
  document: 'main_frame',
  main_frame: 'main_frame',
  sub_frame: 'sub_frame',
  subdocument: 'sub_frame',
  iframe: 'sub_frame',
  xhr: 'xhr',
  xmlhttprequest: 'xhr',
  fetch: 'fetch',
  script: 'script',
  image: 'image',
  stylesheet: 'stylesheet',
};

function guessType(method: string, headers: Header[], resourceType?: string): ResourceType {
  if (resourceType && TYPE_MAP[resourceType.toLowerCase()]) return TYPE_MAP[resourceType.toLowerCase()];
  const dest = headers.find((h) => h.name.toLowerCase() === 'sec-fetch-dest')?.value;
  if (dest === 'document') return 'main_frame';
  if (dest === 'iframe') return 'sub_frame';
  if (dest === 'empty') return 'fetch';
  const accept = headers.find((h) => h.name.toLowerCase() === 'accept')?.value ?? '';
  if (method === 'GET' && accept.includes('text/html')) return 'main_frame';
  if (method === 'GET' && !accept) return 'main_frame';
  return 'other';
}

function initiatorOf(raw: unknown, headers: Header[]): string | undefined {
  if (raw && typeof raw === 'object') {
    const r = raw as { url?: unknown; stack?: { callFrames?: { url?: unknown }[] } };
    if (typeof r.url === 'string') return originOf(r.url);
    const frame = r.stack?.callFrames?.find((f) => typeof f.url === 'string' && f.url);
    if (frame && typeof frame.url === 'string') return originOf(frame.url);
  }
  const origin = headers.find((h) => h.name.toLowerCase() === 'origin')?.value;
  if (origin && origin !== 'null') return origin;
  return undefined;
}

/**
 * The request body (detectors.md §0.1 "Form bodies"). A form body is read from `postData.text`
 * with form decoding (`+` is a space); `params` only when there is no text. Exporters disagree on
 * `params`: Chrome's DevTools export writes each name and value exactly as sent, still
 * percent-encoded (`redirect_uri` = `https%3A%2F%2Fapp…`), Firefox and others decode them. Without
 * text, `params` are taken as encoded when every name and value is made only of the characters a
 * form encoder leaves as they are (letters, digits, `*-._~!'()`, `%XX` and `+`): a decoded value
 * holds `:`, `/`, a space or another character an encoder would have escaped as soon as it is
 * anything but a plain word, and a plain word decodes to itself.
 */
function initiatorTypeOf(raw: unknown): string | undefined {
  const t = raw && typeof raw === 'object' ? (raw as { type?: unknown }).type : undefined;
  return typeof t === 'string' ? t : undefined;
}

function bodyOf(post: ParsedEntry['request']['postData']): RequestBody | undefined {
  if (!post) return undefined;
  const mimeType = post.mimeType;
  const isForm = mimeType === undefined || /application\/x-www-form-urlencoded/i.test(mimeType);
  if (post.text !== undefined && post.text !== '') {
    if (mimeType !== undefined && /application\/x-www-form-urlencoded/i.test(mimeType)) return { form: formPairs(post.text), text: post.text, mimeType };
    // multipart and others: the exporter's params (never percent-encoded there) beside the raw text
    if (post.params && post.params.length > 0) return { form: post.params.map((p) => [p.name, p.value ?? '']), text: post.text, mimeType };
    return { text: post.text, mimeType };
  }
  if (post.params && post.params.length > 0) {
    const pairs: [string, string][] = post.params.map((p) => [p.name, p.value ?? '']);
    const encoded = isForm && pairs.every(([k, v]) => FORM_SAFE.test(k) && FORM_SAFE.test(v));
    return { form: encoded ? pairs.map(([k, v]) => [formDecode(k), formDecode(v)]) : pairs, mimeType };
  }
  if (post.text !== undefined) return { text: post.text, mimeType };
  return undefined;
}

/** What `application/x-www-form-urlencoded` serialisation can leave in a name or value. */
const FORM_SAFE = /^(?:[A-Za-z0-9*\-._~!'()+]|%[0-9A-Fa-f]{2})*$/;

function formDecode(s: string): string {
  // (most names and values have no + and no %: no regular expression is run on them)
  const t = s.indexOf('+') < 0 ? s : s.replace(/\+/g, ' ');
  if (t.indexOf('%') < 0) return t;
  try {
    return decodeURIComponent(t);
  } catch {
    return t;
  }
}

function formPairs(text: string): [string, string][] {
  const out: [string, string][] = [];
  for (const part of text.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    out.push(eq < 0 ? [formDecode(part), ''] : [formDecode(part.slice(0, eq)), formDecode(part.slice(eq + 1))]);
  }
  return out;
}

/**
 * The browsing context (§0.3 "tab; HAR: pageref") of an entry. Browser DevTools export one tab, and
 * start a new page (`page_1`, `page_2`, …) at every top-level navigation: the authorization request
 * and its callback land on different pages of the same tab, and a reload of the callback on a page
 * of its own. Those pages are therefore one context per input file. Any other pageref names a tab
 * or a browser page of its own (CoatCheck's export `tab_<id>`, Playwright's `page@…`) and stays one.
 */
export function harContext(input: number, pageref: string | undefined): string {
  return pageref === undefined || /^page_\d+$/.test(pageref) ? `har:${input}` : `har:${input}:${pageref}`;
}

/**
 * When the response had arrived: the start plus the entry's `time` (total elapsed ms). Optional and
 * lenient: exporters write -1 or leave it out when unknown; that is no reason to refuse the entry.
 */
function responseTimeOf(raw: unknown, started: number): number | undefined {
  const elapsed = (raw as { time?: unknown }).time;
  return Number.isFinite(started) && typeof elapsed === 'number' && Number.isFinite(elapsed) && elapsed >= 0 ? started + elapsed : undefined;
}

/** the days of each month of a common year */
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** the number written by the `n` digits at `at`, or -1 */
function digitsAt(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** days from 1970-01-01 to the date (proleptic Gregorian; H. Hinnant's days_from_civil) */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * `Date.parse(s)`, read directly for the form every exporter writes (`toISOString()`:
 * `YYYY-MM-DDTHH:MM:SS.sssZ`, every field in range, a year from 1970): a third of a microsecond
 * per entry less; anything else is Date.parse's.
 */
export function startedTime(s: string): number {
  if (s.length === 24 && s.charCodeAt(4) === 45 && s.charCodeAt(7) === 45 && s.charCodeAt(10) === 84 && s.charCodeAt(13) === 58 && s.charCodeAt(16) === 58 && s.charCodeAt(19) === 46 && s.charCodeAt(23) === 90) {
    const y = digitsAt(s, 0, 4), mo = digitsAt(s, 5, 2), d = digitsAt(s, 8, 2), h = digitsAt(s, 11, 2), mi = digitsAt(s, 14, 2), sec = digitsAt(s, 17, 2), ms = digitsAt(s, 20, 3);
    if (y >= 1970 && mo >= 1 && mo <= 12 && d >= 1 && h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && sec >= 0 && sec <= 59 && ms >= 0) {
      const leap = mo === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
      if (d <= MONTH_DAYS[mo - 1] + (leap ? 1 : 0)) return (((daysFromCivil(y, mo, d) * 24 + h) * 60 + mi) * 60 + sec) * 1000 + ms;
    }
  }
  return Date.parse(s);
}

export interface HarEntryContext {
  input: number;
  entry: number;
}

/**
 * Convert one HAR entry. Throws a `CoreError` with code `HAR_ENTRY_INVALID` (naming the entry and
 * the field) when the entry lacks what HAR 1.2 requires.
 */
export function observationFromHarEntry(raw: unknown, ctx: HarEntryContext): Observation {
  let e = quickEntry(raw);
  if (!e) {
    const parsed = entrySchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new CoreError(
        'HAR_ENTRY_INVALID',
        `entry ${ctx.entry}: ${issue ? `${issue.path.join('.') || '(entry)'}: ${issue.message}` : 'invalid'}`,
      );
    }
    e = parsed.data;
  }
  const time = startedTime(e.startedDateTime);
  const reqHeaders = e.request.headers;
  const resp = e.response;
  let location: string | undefined;
  // the Location header as sent, where there is one: some exporters (Playwright's recordHar) write
  // redirectURL without the fragment the header carries, and the fragment is the response (§0.1)
  const locHeader = resp?.headers.find((h) => h.name.toLowerCase() === 'location')?.value;
  const rawLoc = locHeader && (locHeader.includes('#') || !resp?.redirectURL) ? locHeader : resp?.redirectURL || locHeader;
  if (rawLoc) {
    try {
      // (an absolute Location in the form the URL parser prints, the most common, is its own href)
      location = resolvesToItself(rawLoc, e.request.url) ? rawLoc : new URL(rawLoc, e.request.url).href;
      // URL drops nothing, but keep the fragment exactly as sent
      if (rawLoc.includes('#') && !location.includes('#')) location += rawLoc.slice(rawLoc.indexOf('#'));
    } catch {
      location = undefined;
    }
  }
  let body = resp?.content?.text;
  if (body !== undefined && resp?.content?.encoding === 'base64') {
    try {
      body = atob(body);
    } catch {
      body = undefined;
    }
  }
  return {
    id: `${ctx.input}:${ctx.entry}`,
    ref: { input: ctx.input, entry: ctx.entry },
    context: harContext(ctx.input, e.pageref),
    time: Number.isFinite(time) ? time : 0,
    ...(Number.isFinite(time) ? {} : { timeUnknown: true }),
    responseTime: responseTimeOf(raw, time),
    url: e.request.url,
    method: e.request.method.toUpperCase(),
    type: guessType(e.request.method.toUpperCase(), reqHeaders, e._resourceType),
    initiator: initiatorOf(e._initiator, reqHeaders),
    initiatorType: initiatorTypeOf(e._initiator),
    requestHeaders: reqHeaders,
    requestBody: bodyOf(e.request.postData),
    status: resp?.status,
    responseHeaders: resp?.headers ?? [],
    location,
    responseBody: body,
    responseMimeType: resp?.content?.mimeType,
  };
}
