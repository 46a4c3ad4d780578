/**
 * Fragments never cross the wire (detectors.md §0.1): a fragment-mode authorization response
 * (implicit `token`, hybrid `code id_token`, `response_mode=fragment`) is visible only in the
 * `Location` of the redirect that leads to it and, in the browser, in the committed URL
 * (webNavigation). A HAR's `request.url`, a webRequest URL and a DevTools request never show it.
 *
 * `FragmentCarrier` is the one step that makes every source give the rules the same message:
 *
 * - a navigation's redirect whose `Location` has a fragment waits for the navigation of the same
 *   context (and frame kind) that follows it. When that is the request to the same URL without
 *   the fragment (HAR, DevTools, webRequest), the request is processed WITH the fragment (its
 *   own headers, status and Location kept); when it is the committed URL (the extension's
 *   webNavigation, which carries the fragment itself), that is processed and the request that
 *   follows it is left as it is;
 * - a committed URL that repeats a fragment already delivered on its request is dropped (once):
 *   the extension must not report one response twice;
 * - a Location that is not followed (another navigation of the frame comes first, the wait is too
 *   long, the capture ends, a custom scheme, a redirect of a non-navigation such as a command-line
 *   client's `redirect: manual` fetch) is processed as a navigation of its own, as the browser
 *   (or the client reading the Location) would have received it.
 *
 * Pure and in memory: the raw fragment (it holds tokens) is never part of a serialised state. A
 * worker stopped between the redirect and its follow-up loses the wait, and the committed URL then
 * carries the fragment alone.
 */
import { originOf, parseUrl, stripFragment } from '../util/url';
import { isNavigation, navigationTo, type Observation } from './observation';

/** observations of its context (capture ms) a browser's redirect may wait for its follow-up navigation */
export const FOLLOW_MAX_OBSERVATIONS = 50;
export const FOLLOW_MAX_MS = 10_000;
/** how long a fragment delivered on a request waits for its committed URL */
const COMMIT_MAX_MS = 30_000;
const MAX_PENDING = 200;

interface Waiting {
  /** the Location as the navigation it leads to (fragment included) */
  nav: Observation;
  /** the Location without fragment */
  key: string;
  at: number;
  waited: number;
}

interface Delivered {
  context: string;
  url: string;
  at: number;
}

function withFragment(url: string): boolean {
  const h = url.indexOf('#');
  return h >= 0 && h < url.length - 1;
}

/** The navigation a redirect's Location with a non-empty fragment leads to, or undefined. */
export function fragmentNavigation(o: Observation): Observation | undefined {
  if (typeof o.location !== 'string' || !withFragment(o.location)) return undefined;
  const target = parseUrl(o.location, o.url)?.href;
  if (!target || !withFragment(target)) return undefined;
  return navigationTo(o, target, originOf(o.url));
}

const isReload = (o: Observation) => o.transition !== undefined && /reload|forward_back/.test(`${o.transition.type} ${(o.transition.qualifiers ?? []).join(' ')}`);

export class FragmentCarrier {
  private waitingList: Waiting[] = [];
  private delivered: Delivered[] = [];

  /**
   * What the engine processes for `o`, in order: Locations that `o` shows were not followed, then
   * `o` itself (with the fragment of the redirect it follows), or nothing when `o` is a committed
   * URL that only repeats a delivered fragment.
   */
  route(o: Observation): Observation[] {
    const out: Observation[] = [];
    let self: Observation | undefined = o;
    const nav = isNavigation(o) || o.navigationOnly === true;
    if (this.waitingList.length > 0) {
      const key = stripFragment(o.url);
      const keep: Waiting[] = [];
      let matched = false;
      for (const w of this.waitingList) {
        if (w.nav.context !== o.context) {
          keep.push(w);
          continue;
        }
        if (nav && !matched && w.nav.type === (o.type === 'sub_frame' ? 'sub_frame' : 'main_frame')) {
          // the committed URL carries the fragment itself; a request to the URL without it gets it
          if (o.url === w.nav.url || (!o.navigationOnly && !withFragment(o.url) && key === w.key)) {
            matched = true;
            if (!o.navigationOnly) {
              self = { ...o, url: w.nav.url };
              this.remember({ context: o.context, url: w.nav.url, at: o.time });
            }
            continue;
          }
        }
        // another navigation of the frame, or too long a wait: the Location was not followed
        const sameFrame = nav && w.nav.type === (o.type === 'sub_frame' ? 'sub_frame' : 'main_frame');
        if (sameFrame || ++w.waited > FOLLOW_MAX_OBSERVATIONS || o.time - w.at > FOLLOW_MAX_MS) out.push(w.nav);
        else keep.push(w);
      }
      this.waitingList = keep;
    }
    if (o.navigationOnly && this.delivered.length > 0 && !isReload(o)) {
      const i = this.delivered.findIndex((d) => d.context === o.context && d.url === o.url && o.time - d.at <= COMMIT_MAX_MS);
      if (i >= 0) {
        this.delivered.splice(i, 1);
        self = undefined;
      }
    }
    if (self) out.push(self);
    return out;
  }

  /** `route(o)` would return `[o]` alone: nothing waits, and `o` cannot repeat a delivered fragment */
  passes(o: Observation): boolean {
    return this.waitingList.length === 0 && (o.navigationOnly !== true || this.delivered.length === 0);
  }

  /**
   * After `o` was processed: a redirect whose Location has a fragment. A navigation's waits for
   * its follow-up; any other (a client reading the Location itself, an app's custom scheme) is
   * returned, to be processed at once.
   */
  redirected(o: Observation): Observation | undefined {
    const target = fragmentNavigation(o);
    if (!target) return undefined;
    if (!isNavigation(o) || o.navigationOnly || !/^https?:/i.test(target.url)) return target;
    this.waitingList.push({ nav: target, key: stripFragment(target.url), at: o.responseTime ?? o.time, waited: 0 });
    if (this.waitingList.length > MAX_PENDING) return this.waitingList.shift()!.nav;
    return undefined;
  }

  /** Locations waiting for their follow-up navigation (never saved: they hold the raw fragment) */
  get waiting(): number {
    return this.waitingList.length;
  }

  /** End of a capture: every Location still waiting was not followed. */
  end(): Observation[] {
    const left = this.waitingList.map((w) => w.nav);
    this.waitingList = [];
    this.delivered = [];
    return left;
  }

  private remember(d: Delivered): void {
    this.delivered = this.delivered.filter((x) => d.at - x.at <= COMMIT_MAX_MS);
    this.delivered.push(d);
    if (this.delivered.length > MAX_PENDING) this.delivered.shift();
  }
}
