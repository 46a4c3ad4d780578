/**
 * The prefilter's header test as one table load and the engine running only the prefilter's rules
 * by their bits (2026-12-05), against the code before: the loop over (header bit, rules) pairs and
 * the loop over every 'any' rule testing its bit (both copied below). Random rule sets declaring
 * request headers, random observations.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Engine } from '../engine';
import { HEADER_BITS, requestHeaderBits } from '../observe/raw';
import { obs } from '../testing/builders';
import { RulePrefilter } from './prefilter';
import { defineRule, type RawHeaderName, type RawPrecondition, type Rule } from './types';

type HeaderName = keyof typeof HEADER_BITS;
const NAMES = (Object.keys(HEADER_BITS) as HeaderName[]).filter((n): n is RawHeaderName => n !== 'mcp-protocol-version');

const rule = (id: string, prefilter: RawPrecondition | undefined, log: string[]): Rule =>
  defineRule({ meta: { id, title: id, severity: 'low', confidence: 'strong', references: [], description: id, tier: 2, on: 'any', vantage: ['HAR'], prefilter }, check: () => void log.push(id) });

/** the old header part of RulePrefilter.test: (header bit, rule bits) pairs in declaration order, OR-ed */
function oldHeaderBits(rules: readonly Rule[], headers: number): number {
  const pairs: [number, number][] = [];
  const add = (h: number, bit: number) => {
    const known = pairs.find((x) => x[0] === h);
    if (known) known[1] |= bit;
    else pairs.push([h, bit]);
  };
  rules.forEach((r, i) => {
    for (const h of r.meta.prefilter?.requestHeaders ?? []) add(HEADER_BITS[h], 1 << i);
  });
  let bits = 0;
  for (const [h, rs] of pairs) if ((headers & h) !== 0) bits |= rs;
  return bits;
}

/** the old loop of Engine.runRules over an 'other' message: every rule, in order, its bit tested */
function oldRun(rules: readonly Rule[], which: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < rules.length; i++) {
    if (which !== -1 && (which & (1 << i)) === 0) continue;
    out.push(rules[i].meta.id);
  }
  return out;
}

const decl = fc.oneof(fc.constant(undefined), fc.record({ requestHeaders: fc.subarray(NAMES, { minLength: 1 }) }));

describe('prefilter header table and the engine dispatch by bits', () => {
  it('let through and run the same rules, in the same order', () => {
    fc.assert(
      fc.property(fc.array(decl, { minLength: 1, maxLength: 30 }), fc.array(fc.subarray(NAMES), { minLength: 1, maxLength: 6 }), (decls, calls) => {
        const log: string[] = [];
        const rules = decls.map((d, i) => rule(`r${i}`, d, log));
        const pf = new RulePrefilter(rules);
        const e = new Engine({ rules });
        for (const names of calls) {
          const o = obs('https://api.example/items', { type: 'xhr', headers: Object.fromEntries(names.map((n) => [n, 'v'])) });
          const headers = requestHeaderBits(o.requestHeaders);
          const always = rules.reduce((b, r, i) => (r.meta.prefilter ? b : b | (1 << i)), 0);
          const which = pf.test(o, headers, () => undefined);
          expect(which).toBe(always | oldHeaderBits(rules, headers));
          log.length = 0;
          e.push(o);
          expect(log).toEqual(oldRun(rules, which));
        }
      }),
      { numRuns: 400 },
    );
  });
});
