/** merge: the same parameters, in the same order, and the same source per name as the loop it replaced */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Params } from '../util/url';
import type { ParamSource } from './message';
import { merge } from './plain';

/** merge as it was: later sources first, the first source found per name (from the last) wins */
function reference(sources: [ParamSource, Params][]): { entries: [string, string][]; where: [string, ParamSource][] } {
  const entries: [string, string][] = [];
  const where = new Map<string, ParamSource>();
  for (let i = sources.length - 1; i >= 0; i--) {
    for (const pair of sources[i][1].entries) {
      entries.push(pair);
      if (!where.has(pair[0])) where.set(pair[0], sources[i][0]);
    }
  }
  return { entries, where: [...where].sort() };
}

describe('merge', () => {
  it('answers as before for any sources (empty, one, several, names repeated within and across)', () => {
    const pair = fc.tuple(fc.constantFrom('code', 'state', 'client_id', 'x', ''), fc.constantFrom('1', '2', ''));
    const src = fc.tuple(fc.constantFrom<ParamSource>('query', 'fragment', 'form'), fc.array(pair, { maxLength: 6 }).map((e) => new Params(e)));
    fc.assert(
      fc.property(fc.array(src, { maxLength: 4 }), (sources) => {
        const got = merge(sources);
        const want = reference(sources);
        expect(got.params.entries).toEqual(want.entries);
        expect([...got.where].sort()).toEqual(want.where);
        for (const name of ['code', 'state', 'client_id', 'x', '', 'none']) expect(got.params.get(name)).toBe(new Params(want.entries).get(name));
      }),
      { numRuns: 2000 },
    );
  });
});
