/**
 * The HAR reader computes the request header bits the engine watches (observe/raw.ts) while it
 * builds an observation, so that the engine does not walk the headers a second time: the bits it
 * stores must be exactly what the engine's own pass gives, on every example and fixture HAR entry
 * and on headers built to trip each bit (any case, repeated, empty values).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../src/core/engine';
import { observationFromHarEntry } from '../src/core/observe/from-har';
import { feedHarEntries } from '../src/core/observe/har-feed';
import { H_ALL, requestHeaderBits } from '../src/core/observe/raw';

const root = join(import.meta.dirname, '..');
const harFiles = ['examples', 'test/fixtures/providers', 'test/fixtures/har', 'test/fixtures/har/libs'].flatMap((d) => {
  try {
    return readdirSync(join(root, d)).filter((f) => f.endsWith('.har')).map((f) => join(root, d, f));
  } catch {
    return [];
  }
});

const entry = (headers: { name: string; value: string }[]) => ({
  startedDateTime: '2026-01-15T10:00:00.000Z',
  request: { method: 'GET', url: 'https://x.example/a?b=1', headers },
  response: { status: 200, headers: [], content: { size: 0, mimeType: 'text/html' } },
});

describe('request header bits stored by the HAR reader', () => {
  it('equal the engine pass on every example and fixture HAR observation', () => {
    let n = 0;
    let nonZero = 0;
    for (const f of harFiles) {
      const har = JSON.parse(readFileSync(f, 'utf8')) as { log?: { entries?: unknown[] } };
      feedHarEntries((har.log?.entries ?? []) as never, (o) => {
        n += 1;
        if (o.requestHeaderBits === undefined) return; // a navigation made from a Location: no headers
        if (o.requestHeaderBits !== 0) nonZero += 1;
        expect(o.requestHeaderBits, `${f} ${o.id}`).toBe(requestHeaderBits(o.requestHeaders));
      });
    }
    expect(n).toBeGreaterThan(300);
    expect(nonZero).toBeGreaterThan(50);
  });

  it('equal the engine pass on headers built to trip each bit', () => {
    const names = ['Cookie', 'cookie', 'AUTHORIZATION', 'Referer', 'referrer', 'DPoP', 'Origin', 'origin ', 'Mcp-Protocol-Version', 'x-cookie', ':authority', 'accept'];
    let all = 0;
    for (let mask = 0; mask < 1 << names.length; mask += 7) {
      const headers = names.filter((_, i) => (mask & (1 << i)) !== 0).map((name) => ({ name, value: mask & 1 ? '' : 'v' }));
      const o = observationFromHarEntry(entry(headers), { input: 0, entry: mask });
      expect(o.requestHeaderBits).toBe(requestHeaderBits(headers));
      all |= o.requestHeaderBits ?? 0;
    }
    expect(all).toBe(H_ALL);
  });

  it('are what the engine uses: an observation whose stored bits are wrong is judged by them', () => {
    // (shows the engine reads the stored bits, so the equality above is what keeps findings identical)
    const o = observationFromHarEntry(entry([{ name: 'Cookie', value: 'a=1' }]), { input: 0, entry: 0 });
    const e1 = new Engine();
    e1.push(o);
    expect(e1.store.nav.firstCookieAt).toBe(o.time);
    const e2 = new Engine();
    e2.push({ ...o, requestHeaderBits: 0 });
    expect(e2.store.nav.firstCookieAt).toBeUndefined();
  });
});
