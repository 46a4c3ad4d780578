/**
 * The flow table's indexes hold one id itself for a key that names one flow (flow-index.ts), not a
 * list of one. What each key lists must be exactly what the lists did before: random inserts
 * (new flows, old ids joining again, ids out of order, ids that are not `f<seq>`) and drops, for
 * both kinds of index (single ids allowed, and lists only as the context index keeps them).
 */
import { describe, expect, it } from 'vitest';
import { seqOf } from '../src/core/flows/eviction';
import { KeyIndex, listOf } from '../src/core/flows/flow-index';
import { seededRandom } from './support/equivalence';

/** FlowTable's insert and dropFrom as they were (lists only) */
class Reference {
  readonly map = new Map<string, string[]>();
  insert(key: string, id: string): void {
    const ids = this.map.get(key);
    if (!ids) return void this.map.set(key, [id]);
    if (seqOf(ids[ids.length - 1]) < seqOf(id)) return void ids.push(id);
    if (ids.includes(id)) return;
    let at = ids.length;
    while (at > 0 && seqOf(ids[at - 1]) > seqOf(id)) at--;
    ids.splice(at, 0, id);
  }
  drop(key: string, id: string): boolean {
    const ids = this.map.get(key);
    if (!ids) return false;
    const at = ids.indexOf(id);
    if (at >= 0) ids.splice(at, 1);
    if (ids.length > 0) return false;
    this.map.delete(key);
    return true;
  }
}

describe('flow index keys that hold one id itself', () => {
  it('list, after every insert and drop, exactly what the lists did', () => {
    let singles = 0;
    for (let seed = 1; seed <= 80; seed++) {
      const r = seededRandom(seed);
      const single = seed % 4 !== 0;
      const a = new Reference();
      const b = new KeyIndex(single);
      const keys = Array.from({ length: 1 + Math.floor(r() * 8) }, (_, i) => `k${i}`);
      let seq = 0;
      const ids: string[] = [];
      for (let i = 0; i < 600; i++) {
        const key = keys[Math.floor(r() * keys.length)];
        const w = r();
        let id: string;
        if (w < 0.5 || ids.length === 0) {
          id = r() < 0.05 ? ['x', 'f01', 'f', `f${seq}`][Math.floor(r() * 4)] : `f${++seq}`;
          ids.push(id);
        } else id = ids[Math.floor(r() * ids.length)];
        if (r() < 0.6) {
          a.insert(key, id);
          b.insert(key, id);
        } else expect(b.drop(key, id), `seed ${seed} step ${i}`).toBe(a.drop(key, id));
        expect([...b.map.keys()], `seed ${seed} step ${i}`).toEqual([...a.map.keys()]);
        for (const k of keys) expect(listOf(b.get(k)), `seed ${seed} step ${i} ${k}`).toEqual(a.map.get(k) ?? []);
        if (!single) for (const v of b.map.values()) expect(Array.isArray(v)).toBe(true);
        for (const v of b.map.values()) if (typeof v === 'string') singles += 1;
      }
    }
    expect(singles).toBeGreaterThan(1000);
  });
});
