/** GenCache: bounded, and a value in use survives its turnovers (unlike a map cleared at its cap). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GenCache } from './gen-cache';

describe('GenCache', () => {
  it('answers what was set, or nothing; never more than 2 × cap entries', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 20 })), { maxLength: 200 }), (cap, ops) => {
        const c = new GenCache<number>(cap);
        const truth = new Map<string, number>();
        ops.forEach(([isSet, k], i) => {
          const key = `k${k}`;
          if (isSet) {
            c.set(key, i);
            truth.set(key, i);
          } else {
            const got = c.get(key);
            // a cache may forget, but never answers a value that was not the last one set for the key
            if (got !== undefined) expect(got).toBe(truth.get(key));
          }
          expect(c.size).toBeLessThanOrEqual(2 * cap);
        });
      }),
      { numRuns: 500 },
    );
  });

  it('keeps the most recent cap entries', () => {
    const c = new GenCache<number>(4);
    for (let i = 0; i < 50; i++) c.set(`k${i}`, i);
    for (let i = 46; i < 50; i++) expect(c.get(`k${i}`)).toBe(i);
  });

  it('keeps an entry that is read while others come and go', () => {
    const c = new GenCache<number>(4);
    c.set('hot', 1);
    for (let i = 0; i < 100; i++) {
      c.set(`cold${i}`, i);
      expect(c.get('hot')).toBe(1);
    }
    expect(c.get('cold0')).toBeUndefined();
  });
});
