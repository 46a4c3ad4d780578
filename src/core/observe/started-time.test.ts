/** startedTime: Date.parse's answer, for ISO times of every field in and out of range, and other forms. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { startedTime } from './from-har';

const two = (n: number) => String(n).padStart(2, '0');
describe('startedTime', () => {
  it('answers as Date.parse', () => {
    const iso = fc
      .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 61 }), fc.integer({ min: 0, max: 61 }), fc.integer({ min: 0, max: 999 }))
      .map(([y, mo, d, h, mi, s, ms]) => `${String(y).padStart(4, '0')}-${two(mo)}-${two(d)}T${two(h)}:${two(mi)}:${two(s)}.${String(ms).padStart(3, '0')}Z`);
    // leap days and month ends, around the centuries
    const edge = fc
      .tuple(fc.constantFrom(1970, 1999, 2000, 2023, 2024, 2100, 2400, 9999), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 27, max: 31 }))
      .map(([y, mo, d]) => `${y}-${two(mo)}-${two(d)}T23:59:59.999Z`);
    const other = fc.oneof(
      fc.constantFrom('2026-03-01T08:00:00Z', '2026-03-01T08:00:00.123+01:00', '2026-03-01T08:00:00.123456Z', '2026-03-01 08:00:00.123Z', 'x026-03-01T08:00:00.123Z', '2026-0a-01T08:00:00.123Z', '', 'garbage', '+002026-03-01T08:00:00.123Z', '2026-03-01T08:00:00.-12Z'),
      fc.string({ maxLength: 24 }),
    );
    fc.assert(
      fc.property(fc.oneof(iso, edge, other), (s) => {
        expect(startedTime(s)).toBe(Date.parse(s));
      }),
      { numRuns: 20000 },
    );
    expect(startedTime(new Date(Date.UTC(2026, 2, 1, 8)).toISOString())).toBe(Date.UTC(2026, 2, 1, 8));
  });
});
