/**
 * OrderedMap (src/core/flows/journal.ts) finds its oldest key in a queue instead of reading the
 * Map's first key. Everything it keeps and writes must be what the map did before: random sets
 * (new keys and keys set again), in-place changes, deletes, flushes, full snapshots and restores
 * (also of damaged or out-of-order entries), with a small cap so that the oldest go often.
 */
import { describe, expect, it } from 'vitest';
import { Dirty, emptyBatch, entriesUnder, OrderedMap, type JournalBatch, type JournalEntries } from '../src/core/flows/journal';
import { seededRandom } from './support/equivalence';

/** the class as it was before the queue */
class Reference<V> {
  readonly map = new Map<string, V>();
  private ord = new Map<string, number>();
  private next = 0;
  readonly dirty = new Dirty();
  constructor(private readonly cap: number) {}
  set(k: string, v: V, onEvict?: (k: string, v: V) => void): void {
    this.map.delete(k);
    this.map.set(k, v);
    this.ord.set(k, this.next++);
    this.dirty.mark(k);
    while (this.map.size > this.cap) {
      const old = this.map.keys().next().value as string;
      const value = this.map.get(old)!;
      this.map.delete(old);
      this.ord.delete(old);
      this.dirty.drop(old);
      onEvict?.(old, value);
    }
  }
  changed(k: string): void {
    if (this.map.has(k)) this.dirty.mark(k);
  }
  delete(k: string): void {
    if (!this.map.delete(k)) return;
    this.ord.delete(k);
    this.dirty.drop(k);
  }
  flush(batch: JournalBatch, prefix: string): void {
    this.dirty.flush(batch, prefix, (k) => (this.map.has(k) ? [this.ord.get(k), this.map.get(k)] : undefined));
  }
  markAll(): void {
    for (const k of this.map.keys()) this.dirty.mark(k);
  }
  restore(entries: JournalEntries, prefix: string, valid: (v: unknown) => v is V): void {
    const rows = entriesUnder(entries, prefix).filter((e): e is [string, [number, V]] => Array.isArray(e[1]) && typeof e[1][0] === 'number' && valid(e[1][1]));
    rows.sort((a, b) => a[1][0] - b[1][0]);
    for (const [k, [o, v]] of rows) {
      this.map.set(k, v);
      this.ord.set(k, o);
      this.next = Math.max(this.next, o + 1);
    }
  }
}

const isNumber = (v: unknown): v is number => typeof v === 'number';

describe('OrderedMap with its oldest key from a queue', () => {
  it('keeps, evicts and writes exactly what the map did', () => {
    let evictions = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const r = seededRandom(seed);
      const cap = 1 + Math.floor(r() * 12);
      let a = new Reference<number>(cap);
      let b = new OrderedMap<number>(cap);
      const keys = Array.from({ length: 4 + Math.floor(r() * 30) }, (_, i) => `k${i}`);
      for (let i = 0; i < 1500; i++) {
        const k = keys[Math.floor(r() * keys.length)];
        const w = r();
        const at = `seed ${seed} step ${i}`;
        if (w < 0.6) {
          const ea: [string, number][] = [];
          const eb: [string, number][] = [];
          a.set(k, i, (x, v) => ea.push([x, v]));
          b.set(k, i, (x, v) => eb.push([x, v]));
          expect(eb, at).toEqual(ea);
          evictions += ea.length;
        } else if (w < 0.7) {
          a.changed(k);
          b.changed(k);
        } else if (w < 0.8) {
          a.delete(k);
          b.delete(k);
        } else if (w < 0.9) {
          const [ba, bb] = [emptyBatch(), emptyBatch()];
          a.flush(ba, 'p:');
          b.flush(bb, 'p:');
          expect(bb, at).toEqual(ba);
        } else if (w < 0.93) {
          a.markAll();
          b.markAll();
        } else if (w < 0.97) {
          // a full snapshot restored (now and then damaged: a bad row, two keys at one place)
          const batch = emptyBatch();
          a.markAll();
          a.flush(batch, 'p:');
          b.markAll();
          b.flush(emptyBatch(), 'p:');
          const set: Record<string, unknown> = { ...batch.set };
          if (r() < 0.3) set['p:bad'] = '[1,"x"]';
          if (r() < 0.3 && keys.length > 1) set[`p:${keys[0]}`] = JSON.stringify([0, -1]);
          a = new Reference<number>(cap);
          b = new OrderedMap<number>(cap);
          a.restore(set, 'p:', isNumber);
          b.restore(set, 'p:', isNumber);
        }
        expect([...b.map], at).toEqual([...a.map]);
      }
      const [ba, bb] = [emptyBatch(), emptyBatch()];
      a.flush(ba, 'p:');
      b.flush(bb, 'p:');
      expect(bb).toEqual(ba);
    }
    expect(evictions).toBeGreaterThan(5000);
  });

  it('holds a bounded queue over a long run (every set evicts; sets again and deletes between)', () => {
    const cap = 100;
    const m = new OrderedMap<number>(cap);
    const random = seededRandom(11);
    let most = 0;
    for (let i = 0; i < 50_000; i++) {
      const r = random();
      if (r < 0.8) m.set(`new:${i}`, i);
      else if (r < 0.9) m.set(`new:${i - 1 - Math.floor(random() * 50)}`, i);
      else m.delete(`new:${i - 1 - Math.floor(random() * 50)}`);
      most = Math.max(most, m.queued);
    }
    expect(m.map.size).toBe(cap);
    // at most the map, the taken head and the stale entries allowed before a rebuild (not 40 000)
    expect(most).toBeLessThanOrEqual(3 * cap + 2 * 64 + 1);
  });
});
