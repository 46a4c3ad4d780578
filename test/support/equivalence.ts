/**
 * What the equivalence tests share (an optimisation against the code it replaced, findings or
 * answers compared on the same inputs): a seeded random source, every HAR of examples/ and
 * test/fixtures/ (all folders, so that each comparison covers every capture the project holds) and
 * the cases of the rule tables.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { join } from 'node:path';
import { feedHarEntries } from '../../src/core/observe/har-feed';
import type { Observation } from '../../src/core/observe/observation';
import { resetBuilders } from '../../src/core/testing/builders';
import { ruleCases } from '../../src/core/testing/rule-tester';

/** A small seeded PRNG (mulberry32): the same sequence for the same seed, numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const root = join(import.meta.dirname, '../..');

function harsUnder(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true }).map((d) => (d.isDirectory() ? `${d.name}/` : d.name));
  } catch {
    return [];
  }
  return names.sort().flatMap((n) => (n.endsWith('/') ? harsUnder(join(dir, n)) : n.endsWith('.har') ? [join(dir, n)] : []));
}

/** every .har file under examples/ and test/fixtures/, sorted */
export const fixtureHars: readonly string[] = [...harsUnder(join(root, 'examples')), ...harsUnder(join(root, 'test/fixtures'))];

/** A HAR's entries as the engine sees them. */
export function harObservations(file: string): Observation[] {
  const entries = (JSON.parse(readFileSync(file, 'utf8')) as { log: { entries: unknown[] } }).log.entries;
  const observations: Observation[] = [];
  feedHarEntries(entries, (o) => observations.push(o));
  return observations;
}

/**
 * Call `check` with the observations of every case of every rule table (valid and invalid), each
 * built afresh; returns how many. The tables are those the calling test file collected.
 */
export function forEachRuleCase(check: (label: string, observations: Observation[]) => void): number {
  let cases = 0;
  for (const t of ruleCases) {
    for (const c of [...t.valid, ...t.invalid]) {
      resetBuilders();
      check(`${t.ruleId}: ${c.name}`, c.observations());
      cases += 1;
    }
  }
  return cases;
}

/**
 * The two comparisons every dispatch equivalence test makes: every rule table's cases, and every
 * HAR under examples/ and test/fixtures/, give the same findings with the dispatch on and off.
 * `findings(observations, on)` runs an engine with it on or off.
 */
export function itMatchesOnTablesAndHars(findings: (observations: Observation[], on: boolean) => unknown): void {
  it('every rule table gives the same findings with and without it', () => {
    const cases = forEachRuleCase((label, observations) => expect(findings(observations, true), label).toEqual(findings(observations, false)));
    expect(cases).toBeGreaterThan(500);
  });

  it('every HAR of examples/ and test/fixtures gives the same findings with and without it', () => {
    expect(fixtureHars.length).toBeGreaterThan(20);
    for (const f of fixtureHars) {
      const observations = harObservations(f);
      expect(findings(observations, true), f).toEqual(findings(observations, false));
    }
  });
}
