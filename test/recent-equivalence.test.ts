/**
 * The replay check reads a context's recent requests grouped by key (src/core/flows/recent.ts) instead of walking
 * the list. Its answers, and the saved list, must be exactly those of the walk it replaces: random
 * front-channel requests in a few contexts (a small pool of URLs, reloads, POST forms, times that
 * jump past the TTL and go backwards, lists at their cap), with the log saved and restored, swept
 * and given an old-layout list along the way.
 */
import { describe, expect, it } from 'vitest';
import type { Observation } from '../src/core/observe/observation';
import { originOf } from '../src/core/util/url';
import { seededRandom } from './support/equivalence';
import { emptyBatch } from '../src/core/flows/journal';
import { replayKey, urlKey } from '../src/core/flows/keys';
import { NavigationLog, type PreviousHop, type RecentRequest } from '../src/core/flows/navigation';
import { MAX_RECENT_URLS } from '../src/core/flows/recent';

const TTL = 600_000;

/** navigation.ts before the groups: the first match of a walk over the list */
function recentMatch(list: readonly RecentRequest[], key: string, time: number): RecentRequest | undefined {
  for (const r of list) if (r.key === key && time - r.time <= TTL) return r;
  return undefined;
}

/** isReplay as it was, over copies of every context's list; returns the answer and the context's list after */
function reference(lists: Map<string, RecentRequest[]>, o: Observation, from: PreviousHop, knownAs: (origin: string) => boolean): { replay: boolean; after: RecentRequest[] } {
  const key = replayKey(o);
  const list = [...(lists.get(o.context) ?? [])];
  const prior = recentMatch(list, key, o.time);
  list.push({ key, time: o.time, initiator: from.origin });
  if (list.length > MAX_RECENT_URLS) list.splice(0, list.length - MAX_RECENT_URLS);
  const reloaded = o.transition !== undefined && /reload|forward_back/.test(`${o.transition.type} ${(o.transition.qualifiers ?? []).join(' ')}`);
  if (prior && reloaded) return { replay: true, after: list };
  let earlier = prior;
  if (!earlier && reloaded) for (const [c, l] of lists) if (c !== o.context && (earlier = recentMatch(l, key, o.time))) break;
  if (!earlier) return { replay: false, after: list };
  if (from.origin === undefined || from.origin === earlier.initiator || from.origin === originOf(o.url)) return { replay: true, after: list };
  return { replay: knownAs(from.origin), after: list };
}

const contextsOf = (log: NavigationLog) => (log as unknown as { contexts: Map<string, { recent: RecentRequest[] }> }).contexts;
const copyLists = (log: NavigationLog) => new Map([...contextsOf(log)].map(([c, v]) => [c, v.recent.map((r) => ({ ...r }))]));

const URLS = ['https://as.example/authorize?client_id=c&state=1', 'https://as.example/authorize?client_id=c&state=2', 'https://rp.example/cb?code=a&state=1', 'https://rp.example/cb#code=b', 'https://rp.example/cb'];

describe('the replay check with the recent requests grouped by key', () => {
  it('answers and keeps its list exactly as the walk over the list did', () => {
    let replays = 0;
    let fresh = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const r = seededRandom(seed);
      const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)];
      let log = new NavigationLog(TTL);
      let time = 1_700_000_000_000;
      // a small pool at first (many repeats), then many distinct URLs (lists at their cap)
      for (let i = 0; i < 700; i++) {
        const k = r();
        time += k < 0.03 ? TTL + 1 : k < 0.08 ? -20_000 : Math.floor(r() * 30_000);
        const post = r() < 0.2;
        const url = i < 350 || r() < 0.3 ? pick(URLS) : `https://as.example/authorize?state=${Math.floor(r() * 400)}`;
        const o: Observation = {
          id: `s${seed}-${i}`,
          ref: {},
          context: pick(['tab:1', 'tab:1', 'tab:1', 'tab:2', 'tab:3']),
          time,
          url,
          method: post ? 'POST' : pick(['GET', 'get']),
          type: 'main_frame',
          requestHeaders: [],
          responseHeaders: [],
          ...(post ? { requestBody: { form: [['code', pick(['a', 'b'])]] as [string, string][] } } : {}),
          ...(r() < 0.3 ? { transition: { type: pick(['reload', 'link', 'typed']), qualifiers: r() < 0.3 ? ['forward_back'] : [] } } : {}),
        };
        log.observe(o, 0);
        const from: PreviousHop = pick([{ via: 'none' }, { origin: 'https://as.example', via: 'initiator' }, { origin: 'https://evil.example', via: 'referer' }, { origin: 'https://rp.example', via: 'initiator' }]);
        const knownAs = (origin: string) => origin === 'https://rp.example';
        const want = reference(copyLists(log), o, from, knownAs);
        const got = log.isReplay(o, from, knownAs);
        expect(got, `seed ${seed} step ${i}`).toBe(want.replay);
        expect(contextsOf(log).get(o.context)!.recent, `seed ${seed} step ${i}: the list`).toEqual(want.after);
        if (got) replays += 1;
        else fresh += 1;
        // now and then: saved and restored (the groups are not saved), swept, or an old-layout list
        const w = r();
        if (w < 0.01) {
          const batch = emptyBatch();
          log.markAll();
          log.flush(batch);
          log = new NavigationLog(TTL);
          log.restore(batch.set);
        } else if (w < 0.02) log.sweep();
        else if (w < 0.025) log.load('tab:1', { recent: (contextsOf(log).get('tab:1')?.recent ?? []).map((x) => ({ ...x })) });
      }
    }
    expect(replays).toBeGreaterThan(500);
    expect(fresh).toBeGreaterThan(500);
  });

  it('a GET without fragment: the replay key is the urlKey recordHop asks for (one hash of the URL)', () => {
    for (const url of URLS) {
      const o = { url, method: 'get' } as Observation;
      if (!url.includes('#')) expect(replayKey(o)).toBe(urlKey('GET', url));
    }
  });
});
