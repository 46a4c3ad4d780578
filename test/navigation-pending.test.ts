/**
 * The navigation log answers "which recorded redirect led to this navigation?" without walking the
 * hops or hashing the URL when no hop of the context redirected anywhere still unfollowed (an
 * in-memory count, src/core/flows/navigation.ts). The answers must be exactly those of the walk it
 * short-cuts: random navigations of a few contexts (redirects to a small pool of URLs, some
 * followed, times that jump past the 60 s window and go backwards), with the log saved and
 * restored, swept, and rebuilt from the old layout along the way.
 */
import { describe, expect, it } from 'vitest';
import { emptyBatch } from '../src/core/flows/journal';
import { urlKey } from '../src/core/flows/keys';
import { NavigationLog, type Hop, type PreviousHop } from '../src/core/flows/navigation';
import type { Observation } from '../src/core/observe/observation';
import { seededRandom } from './support/equivalence';


/** the walk over the hops, as navigation.ts did it before the count */
function reference(hops: readonly Hop[] | undefined, url: string, time: number, exceptObs: string): Hop | undefined {
  const list = hops ?? [];
  let any = false;
  for (let i = list.length - 1; i >= 0 && time - list[i].time <= 60_000; i--) if (list[i].to !== undefined && !list[i].followed) any = true;
  if (!any) return undefined;
  const target = urlKey('GET', url);
  for (let i = list.length - 1; i >= 0; i--) {
    const h = list[i];
    if (time - h.time > 60_000) break;
    if (h.to === target && h.obsId !== exceptObs && !h.followed) return h;
  }
  return undefined;
}

const URLS = ['https://a.example/', 'https://a.example/cb?code=1', 'https://b.example/login', 'https://b.example/authorize?client_id=c', 'https://c.example/x#frag', 'https://c.example/x'];

describe('the navigation log without a walk when no redirect is pending', () => {
  it('finds the redirect that led to a navigation exactly as the walk over the hops does', () => {
    let found = 0;
    let none = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const r = seededRandom(seed);
      const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)];
      let log = new NavigationLog(600_000);
      let time = 1_700_000_000_000;
      for (let i = 0; i < 400; i++) {
        const k = r();
        time += k < 0.05 ? 70_000 : k < 0.1 ? -5_000 : Math.floor(r() * 3_000);
        const o: Observation = {
          id: `s${seed}-${i}`,
          ref: {},
          context: pick(['tab:1', 'tab:1', 'tab:2', 'tab:3']),
          time,
          url: pick(URLS),
          method: 'GET',
          type: pick(['main_frame', 'main_frame', 'sub_frame', 'script']),
          requestHeaders: [],
          responseHeaders: [],
          ...(r() < 0.4 ? { location: pick([...URLS, '/login', 'cb?x=1']), status: 302 } : { status: 200 }),
          ...(r() < 0.1 ? { navigationOnly: true } : {}),
        };
        log.observe(o, 0);
        const want = o.type === 'main_frame' || o.type === 'sub_frame' || o.navigationOnly ? reference(log.hopsIn(o.context), o.url, o.time, o.id) : undefined;
        const got = log.redirectedFrom(o);
        expect(got?.hop, `seed ${seed} step ${i}`).toBe(want);
        if (want) found += 1;
        else none += 1;
        const from: PreviousHop = got ?? { via: 'none' };
        log.recordHop(o, from);
        // now and then: saved and restored (the count is not saved), swept, or the old layout
        const w = r();
        if (w < 0.02) {
          const batch = emptyBatch();
          log.markAll();
          log.flush(batch);
          log = new NavigationLog(600_000);
          log.restore(batch.set);
        } else if (w < 0.03) log.sweep();
        else if (w < 0.035) log.load('tab:2', { hops: [...(log.hopsIn('tab:2') ?? [])].map((h) => ({ ...h })) });
      }
    }
    // both answers, many times
    expect(found).toBeGreaterThan(500);
    expect(none).toBeGreaterThan(5_000);
  });
});
