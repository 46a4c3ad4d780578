import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RecentStrings } from './recent';

describe('RecentStrings', () => {
  it('answers for the last `size` keys, by their characters, and forgets the oldest', () => {
    const c = new RecentStrings<number | null>(3);
    expect(c.get('a')).toBeUndefined();
    c.set('abc', 1);
    c.set('abd', null);
    expect(c.get('abc')).toBe(1);
    expect(c.get(['a', 'b', 'c'].join(''))).toBe(1);
    expect(c.get('abd')).toBeNull();
    expect(c.get('abe')).toBeUndefined();
    expect(c.get('xbc')).toBeUndefined();
    expect(c.get('')).toBeUndefined();
    c.set('x', 3);
    c.set('y', 4);
    expect(c.get('abc')).toBeUndefined();
    expect(c.get('abd')).toBeNull();
    expect(c.get('y')).toBe(4);
  });

  it('the most recent value wins for a key set twice', () => {
    const c = new RecentStrings<number>(4);
    c.set('k', 1);
    c.set('k', 2);
    expect(c.get('k')).toBe(2);
  });
});

/** The class before the tags (4d5723d), as the reference: a key is found by length, last character and `===`. */
class OldRecentStrings<V> {
  private readonly keys: string[];
  private readonly values: V[];
  private next = 0;
  constructor(private readonly size: number) {
    this.keys = new Array<string>(size).fill('');
    this.values = new Array<V>(size);
  }
  get(key: string): V | undefined {
    const n = key.length;
    if (n === 0) return undefined;
    const last = key.charCodeAt(n - 1);
    const keys = this.keys;
    for (let k = 0, i = this.next; k < this.size; k++) {
      i = i === 0 ? this.size - 1 : i - 1;
      const c = keys[i];
      if (c === key || (c.length === n && c.charCodeAt(n - 1) === last && c === key)) return this.values[i];
    }
    return undefined;
  }
  set(key: string, value: V): void {
    this.keys[this.next] = key;
    this.values[this.next] = value;
    this.next = this.next + 1 === this.size ? 0 : this.next + 1;
  }
}

describe('RecentStrings against the old class', () => {
  it('answers every get as the old class did, over random sets and gets of near-equal keys', () => {
    // keys from a small alphabet and of a few lengths: equal lengths, last and third-from-last
    // characters, and tag collisions are common; copies are new string objects
    const key = fc.oneof(fc.string({ unit: fc.constantFrom('a', 'b', 'é', '\u{1F600}'), minLength: 0, maxLength: 6 }), fc.string({ maxLength: 3 }));
    const op = fc.tuple(fc.boolean(), key, fc.integer());
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(op, { maxLength: 80 }), (size, ops) => {
        const now = new RecentStrings<number>(size);
        const old = new OldRecentStrings<number>(size);
        for (const [isSet, k, v] of ops) {
          const copy = k.split('').join('');
          if (isSet && k !== '') {
            now.set(k, v);
            old.set(k, v);
          } else expect(now.get(copy)).toBe(old.get(copy));
        }
      }),
      { numRuns: 3000 },
    );
  });
});
