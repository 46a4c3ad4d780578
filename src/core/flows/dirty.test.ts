/**
 * Dirty (journal.ts) skips a mark of the key it marked last: against the Dirty before that (copied
 * here), the same flushes on random sequences of marks, drops, marks of a snapshot, flushes (kept
 * and discarded) and untracking, over few keys so that the same key comes back often.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dirty, discardBatch, emptyBatch, type JournalBatch } from './journal';

/** the Dirty of 4d5723d */
class OldDirty {
  private put = new Set<string>();
  private gone = new Set<string>();
  private off = false;
  untrack(): void {
    this.off = true;
    this.put.clear();
    this.gone.clear();
  }
  mark(key: string): void {
    if (this.off) return;
    if (this.gone.size > 0) this.gone.delete(key);
    this.put.add(key);
  }
  drop(key: string): void {
    if (this.off) return;
    this.put.delete(key);
    this.gone.add(key);
  }
  markAny(key: string): void {
    this.gone.delete(key);
    this.put.add(key);
  }
  get size(): number {
    return this.put.size + this.gone.size;
  }
  flush(batch: JournalBatch, prefix: string, value: (key: string) => unknown): void {
    if (batch.discard) {
      this.put.clear();
      this.gone.clear();
      return;
    }
    for (const k of this.put) {
      const v = value(k);
      if (v === undefined) batch.remove.push(prefix + k);
      else batch.set[prefix + k] = JSON.stringify(v);
    }
    for (const k of this.gone) batch.remove.push(prefix + k);
    this.put.clear();
    this.gone.clear();
  }
}

type Op = ['mark' | 'drop' | 'markAny', string] | ['flush' | 'discard' | 'untrack'];
const key = fc.constantFrom('a', 'b', 'c', 'd');
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constant('mark' as const), key) },
  { weight: 2, arbitrary: fc.tuple(fc.constant('drop' as const), key) },
  { weight: 1, arbitrary: fc.tuple(fc.constant('markAny' as const), key) },
  { weight: 2, arbitrary: fc.constant(['flush'] as Op) },
  { weight: 1, arbitrary: fc.constant(['discard'] as Op) },
  { weight: 1, arbitrary: fc.constant(['untrack'] as Op) },
);

const sorted = (b: JournalBatch) => ({ set: Object.entries(b.set).sort(), remove: [...b.remove].sort() });

describe('Dirty: the last marked key', () => {
  it('flushes what the Dirty before it flushed', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const a = new OldDirty();
        const b = new Dirty();
        const value = (k: string) => (k === 'd' ? undefined : k.toUpperCase());
        for (const o of ops) {
          if (o[0] === 'mark' || o[0] === 'drop' || o[0] === 'markAny') {
            a[o[0]](o[1]);
            b[o[0]](o[1]);
          } else if (o[0] === 'untrack') {
            a.untrack();
            b.untrack();
          } else {
            const ba = o[0] === 'discard' ? discardBatch() : emptyBatch();
            const bb = o[0] === 'discard' ? discardBatch() : emptyBatch();
            a.flush(ba, 'p:', value);
            b.flush(bb, 'p:', value);
            expect(sorted(bb)).toEqual(sorted(ba));
          }
          expect(b.size).toBe(a.size);
        }
        const ba = emptyBatch();
        const bb = emptyBatch();
        a.flush(ba, 'p:', value);
        b.flush(bb, 'p:', value);
        expect(sorted(bb)).toEqual(sorted(ba));
      }),
      { numRuns: 3000 },
    );
  });
});
