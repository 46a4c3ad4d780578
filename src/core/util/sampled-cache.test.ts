/** SampledCache: answers as a Map would (or forgets), stays bounded, and bounds its chains on colliding keys. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SampledCache, sampleHash } from './sampled-cache';

// keys that often share their sample: long strings that differ only at a few positions, short ones, copies
const key = fc.oneof(
  fc.stringMatching(/^[a-c]{0,20}$/),
  fc.tuple(fc.integer({ min: 0, max: 60 }), fc.constantFrom('x', 'y', 'z')).map(([i, c]) => `${'A'.repeat(i)}${c}${'B'.repeat(60 - i)}`),
  fc.integer({ min: 0, max: 30 }).map((i) => `https://as.example/authorize?client_id=c&state=${i}&scope=openid+profile+email+offline_access`),
);

describe('SampledCache', () => {
  it('never answers a value other than the last one set for the key (and answers it while under the cap without collisions)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.array(fc.tuple(fc.constantFrom('get', 'set', 'getOrAdd'), key), { maxLength: 300 }), (cap, ops) => {
        const c = new SampledCache<number>(cap);
        const truth = new Map<string, number>();
        ops.forEach(([op, k0], i) => {
          const k = (' ' + k0).slice(1); // a new string object, as the engine's values are
          if (op === 'set') {
            c.set(k, i);
            truth.set(k, i);
          } else if (op === 'getOrAdd') {
            const got = c.getOrAdd(k, () => i);
            if (got !== i) expect(got).toBe(truth.get(k));
            truth.set(k, got);
          } else {
            const got = c.get(k);
            if (got !== undefined) expect(got).toBe(truth.get(k));
          }
          expect(c.size).toBeLessThanOrEqual(cap);
        });
      }),
      { numRuns: 500 },
    );
  });

  it('keeps what it was given while under its cap, for keys of distinct samples', () => {
    const c = new SampledCache<number>(1000);
    const keys = Array.from({ length: 900 }, (_, i) => `k-${i}-${(i * 2654435761) >>> 0}`);
    keys.forEach((k, i) => c.set(k, i));
    expect(keys.filter((k, i) => c.get((' ' + k).slice(1)) === i).length).toBeGreaterThan(880);
  });

  it('a chain of keys that share their sample keeps its 8 newest (a lookup compares at most 8)', () => {
    // 40 characters: the sample reads 0, 4, 8, …, 28 and the last 8, so these differ only where it does not look
    const same = Array.from({ length: 50 }, (_, i) => `A${String.fromCharCode(65 + (i % 26))}${String.fromCharCode(65 + Math.floor(i / 26))}${'x'.repeat(37)}`);
    expect(new Set(same.map(sampleHash)).size).toBe(1);
    const c = new SampledCache<number>(1000);
    same.forEach((k, i) => c.set(k, i));
    expect(c.size).toBe(8);
    expect(same.map((k) => c.get(k)).filter((v) => v !== undefined)).toEqual([42, 43, 44, 45, 46, 47, 48, 49]);
  });

  it('the sample reads every character of a key up to 16', () => {
    const base = 'abcdefghijklmnop';
    const hashes = new Set([base, ...[...base].map((_, i) => base.slice(0, i) + 'Z' + base.slice(i + 1))].map(sampleHash));
    expect(hashes.size).toBe(17);
  });
});
