/**
 * Reading a HAR as time, not file order, says what happened (detectors.md §0.1, §0.2):
 *
 * - **Time order.** HAR 1.2 does not promise that `log.entries` is sorted; viewers, merge tools and
 *   some exporters write it out of order. Entries are processed in `startedDateTime` order, stable
 *   (file order breaks ties). An entry without a parseable time keeps its file position (and the
 *   time of the entry before it); the report names it.
 * - **Authorization responses nobody requested.** A proxy in front of a server-side client, or a
 *   recorder of a command-line client (`redirect: manual`, the code read from `Location`), never
 *   requests the callback: the AS's redirect `Location` is then the authorization response.
 *   `HarFeed` hands the engine that `Location` as a navigation, once, when the capture shows it
 *   was not followed (the next request of its context is not to it, or the capture ends).
 *
 * Pure: the in-memory reader (`feedHarEntries`), the streaming scanner (companion/scan.ts) and the
 * DevTools panel's HAR import share it.
 */
import { mayReadResponseBody } from '../classify/classify';
import { CoreError } from '../errors';
import { originOf, resolvesToItself, stripFragment } from '../util/url';
import { observationFromHarEntry } from './from-har';
import { FOLLOW_MAX_MS, FOLLOW_MAX_OBSERVATIONS } from './fragments';
import { isNavigation, navigationTo, pageOriginated, type Header, type Observation } from './observation';

/** The processing order of entries with these times (undefined = no parseable time), or undefined when file order already is time order. */
export function timeOrder(times: readonly (number | undefined)[]): number[] | undefined {
  let last = Number.NEGATIVE_INFINITY;
  let sorted = true;
  for (const t of times) {
    if (t === undefined) continue;
    if (t < last) {
      sorted = false;
      break;
    }
    last = t;
  }
  if (sorted) return undefined;
  // untimed entries keep their slots; the timed ones are sorted (stable) into the other slots
  const timed: number[] = [];
  for (let i = 0; i < times.length; i++) if (times[i] !== undefined) timed.push(i);
  const byTime = [...timed].sort((a, b) => times[a]! - times[b]! || a - b);
  const order = new Array<number>(times.length);
  let k = 0;
  for (let i = 0; i < times.length; i++) order[i] = times[i] === undefined ? i : byTime[k++];
  return order;
}

/** Streaming check: is each timed entry at or after the one before? Costs one comparison an entry. */
export class OrderCheck {
  private last = Number.NEGATIVE_INFINITY;
  /** false as soon as an entry is earlier than a timed entry before it */
  inOrder(o: Observation): boolean {
    if (o.timeUnknown) return true;
    if (o.time < this.last) return false;
    this.last = o.time;
    return true;
  }
}

/**
 * Shares equal headers between the observations a sorted read keeps: most of a capture's headers
 * repeat from request to request (user-agent, accept, sec-fetch-*, cache-control…), and a header is
 * never changed once observed. Bounded: past `max` distinct headers, new ones are kept as they are.
 */
export class HeaderPool {
  private pool = new Map<string, Header>();
  constructor(private readonly max = 100_000) {}
  share(list: Header[]): Header[] {
    const out = new Array<Header>(list.length);
    for (let i = 0; i < list.length; i++) {
      const h = list[i];
      if (h.value.length > 256) {
        out[i] = h;
        continue;
      }
      const key = `${h.name}\0${h.value}`;
      const seen = this.pool.get(key);
      if (seen) out[i] = seen;
      else {
        if (this.pool.size < this.max) this.pool.set(key, h);
        out[i] = h;
      }
    }
    return out;
  }
}

/**
 * The observation without what the core never reads: a response body that no classification
 * parses (classify.ts `mayReadResponseBody`: HTML pages, scripts, images, JSON of plain API GETs)
 * becomes '' (as the streaming scanner's lean reading leaves it, companion/har-lean.ts),
 * with its headers shared through `pool`. What the streaming scanner keeps per entry when it must
 * sort a capture (about 1.3 KB an entry of ordinary browsing traffic, against 2.4 KB unshared).
 */
export function slimObservation(o: Observation, pool?: HeaderPool): Observation {
  // '' and not undefined: a body was there (classify.ts tells "no body" from "no JSON body", e.g. a PAR's 201)
  const dropBody = o.responseBody !== undefined && o.responseBody !== '' && !mayReadResponseBody(o);
  if (!dropBody && !pool) return o;
  return {
    ...o,
    ...(dropBody ? { responseBody: '' } : {}),
    ...(pool ? { requestHeaders: pool.share(o.requestHeaders), responseHeaders: pool.share(o.responseHeaders) } : {}),
  };
}

const RESPONSE_PARAM = /[?&](code|access_token|id_token|error|response)=/;

interface Pending {
  /** the Location, as the navigation it would have been */
  obs: Observation;
  /** the Location without fragment, normalised, for matching the follow-up request */
  key: string;
  /** the redirect came from a browser navigation, which follows redirects itself */
  browser: boolean;
  /** when the redirect's response arrived */
  at: number;
  waited: number;
}

function urlKey(u: string): string {
  // a URL in the form the URL parser prints is its own href: without its fragment, its key (every
  // redirect's URL and Location, and every request while one waits, were parsed here)
  if (resolvesToItself(u)) return stripFragment(u);
  try {
    const x = new URL(u);
    x.hash = '';
    return x.href;
  } catch {
    return u.split('#')[0];
  }
}

/**
 * The authorization response a redirect's `Location` would deliver, as a navigation observation,
 * when the Location can be one (a query with `code`, a token, `error` or `response`). A Location
 * with a fragment is the engine's (core/observe/fragments.ts, §0.1).
 */
function locationResponse(o: Observation): Observation | undefined {
  const loc = o.location;
  if (!loc || (o.status !== undefined && o.status !== 0 && (o.status < 300 || o.status > 399))) return undefined;
  const hash = loc.indexOf('#');
  if (hash >= 0 && hash < loc.length - 1) return undefined;
  const q = loc.indexOf('?');
  if (q < 0 || !RESPONSE_PARAM.test(loc.slice(q, hash >= 0 ? hash : undefined))) return undefined;
  if (urlKey(loc) === urlKey(o.url)) return undefined;
  return navigationTo(o, hash >= 0 ? loc.slice(0, hash) : loc, originOf(o.url));
}

/**
 * Hands observations (in time order) to `sink`, adding the authorization responses that exist only
 * in a redirect's Location (§0.2 ARESP). Untimed observations get the time of the one before.
 */
export class HarFeed {
  private pending: Pending[] = [];
  private lastTime: number | undefined;

  constructor(private readonly sink: (o: Observation) => void) {}

  push(o: Observation): void {
    if (o.timeUnknown && this.lastTime !== undefined) o = { ...o, time: this.lastTime };
    else if (!o.timeUnknown) this.lastTime = o.time;
    if (this.pending.length > 0) this.settle(o);
    this.sink(o);
    const r = locationResponse(o);
    // a Location no HTTP request can follow (an app's custom scheme) is the response at once
    if (r && !/^https?:/i.test(r.url)) this.sink(r);
    else if (r) {
      this.pending.push({
        obs: r,
        key: urlKey(r.url),
        browser: isNavigation(o) && !o.navigationOnly && (o.initiatorType !== undefined || pageOriginated(o)),
        at: o.responseTime ?? o.time,
        waited: 0,
      });
    }
  }

  /** End of the capture: every Location still waiting for its request was not followed. */
  end(): void {
    const left = this.pending;
    this.pending = [];
    for (const p of left) this.sink(p.obs);
  }

  /** Decide, on the next observation, which pending Locations were (not) followed. */
  private settle(o: Observation): void {
    const key = urlKey(o.url);
    const keep: Pending[] = [];
    for (const p of this.pending) {
      if (p.key === key) {
        // followed by a navigation: that request is the response. A command-line client's own
        // request to it (no navigation) is no authorization response: the Location is.
        if (!isNavigation(o) && !o.navigationOnly) this.sink(p.obs);
        continue;
      }
      if (p.obs.context !== o.context) {
        keep.push(p);
        continue;
      }
      // a browser may start a subresource of the old page between a redirect and its follow-up
      const mayFollow = p.browser && !isNavigation(o) && !o.navigationOnly && ++p.waited <= FOLLOW_MAX_OBSERVATIONS && o.time - p.at <= FOLLOW_MAX_MS;
      if (mayFollow) keep.push(p);
      else this.sink(p.obs);
    }
    this.pending = keep;
  }
}

export interface HarFeedSummary {
  entries: number;
  /** the entries were not in time order (they were read sorted) */
  reordered: boolean;
  /** indexes of the entries without a parseable startedDateTime (read at their file position) */
  untimed: number[];
  /** entries that could not be read (HAR_ENTRY_INVALID), with the reason */
  errors: { entry: number; message: string }[];
}

/** The report's warnings about how the entries were read: entries skipped as unusable, entries without a time. */
export function harWarnings(s: Pick<HarFeedSummary, 'untimed'> & { errors?: HarFeedSummary['errors'] }): string[] {
  const out: string[] = [];
  const errors = s.errors ?? [];
  // one line per skipped entry (naming it and why), at most 20, then a count
  for (const e of errors.slice(0, 20)) out.push(`entry ${e.entry} skipped: ${e.message}`);
  if (errors.length > 20) out.push(`${errors.length - 20} more entries skipped`);
  if (s.untimed.length > 0) {
    const shown = s.untimed.slice(0, 10).join(', ');
    const more = s.untimed.length > 10 ? ` and ${s.untimed.length - 10} more` : '';
    out.push(
      `${s.untimed.length === 1 ? 'entry' : 'entries'} ${shown}${more} ${s.untimed.length === 1 ? 'has' : 'have'} no parseable startedDateTime: read at ${s.untimed.length === 1 ? 'its' : 'their'} file position`,
    );
  }
  return out;
}

/**
 * The in-memory reader: every entry of a parsed HAR, converted, in time order, through a HarFeed
 * to `sink` (for example `(o) => engine.push(o)`). Entries that cannot be read are skipped and
 * listed (nothing throws).
 */
export function feedHarEntries(entries: readonly unknown[], sink: (o: Observation) => void, opts: { input?: number; firstEntry?: number } = {}): HarFeedSummary {
  const input = opts.input ?? 0;
  const first = opts.firstEntry ?? 0;
  const obs: (Observation | undefined)[] = new Array(entries.length);
  const errors: HarFeedSummary['errors'] = [];
  const untimed: number[] = [];
  for (let i = 0; i < entries.length; i++) {
    try {
      const o = observationFromHarEntry(entries[i], { input, entry: first + i });
      obs[i] = o;
      if (o.timeUnknown) untimed.push(first + i);
    } catch (e) {
      errors.push({ entry: first + i, message: e instanceof CoreError || e instanceof Error ? e.message : String(e) });
    }
  }
  const order = timeOrder(obs.map((o) => (o && !o.timeUnknown ? o.time : undefined)));
  const feed = new HarFeed(sink);
  for (let k = 0; k < obs.length; k++) {
    const o = obs[order ? order[k] : k];
    if (o) feed.push(o);
  }
  feed.end();
  return { entries: entries.length, reordered: order !== undefined, untimed, errors };
}
