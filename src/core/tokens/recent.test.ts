import { describe, expect, it } from 'vitest';
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
