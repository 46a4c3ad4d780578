import { describe, expect, it } from 'vitest';
import { dropFirst, removeAt } from './lists';

/** a small deterministic generator (no Math.random: a failure must repeat) */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (Math.imul(a, 1103515245) + 12345) >>> 0;
    return a / 4294967296;
  };
}

describe('in-place removal leaves each list as splice does', () => {
  it('dropFirst(list, n) is list.splice(0, n), removeAt(list, at) is list.splice(at, 1)', () => {
    const r = rng(11);
    for (let i = 0; i < 3000; i++) {
      const len = Math.floor(r() * 40);
      const list = Array.from({ length: len }, (_, k) => ({ k }));
      const a = [...list];
      const b = [...list];
      if (r() < 0.5) {
        const n = Math.floor(r() * (len + 3)) - 1;
        a.splice(0, Math.max(0, n));
        dropFirst(b, n);
      } else if (len > 0) {
        const at = r() < 0.3 ? 0 : r() < 0.3 ? len - 1 : Math.floor(r() * len);
        a.splice(at, 1);
        removeAt(b, at);
      }
      expect(b, `case ${i}`).toEqual(a);
      expect(b.every((x, k) => x === a[k])).toBe(true);
    }
  });
});
