/**
 * Issue #19: a worker stop anywhere changes nothing. Every scenario the project has — the rule
 * tables (attacks and benign look-alikes), the mix-up/COAT scenarios, every HAR capture of the
 * repository — runs once without a stop, then again with a simulated worker stop after every k-th
 * observation, for every k (see strides() for the few longest cases): the engine flushes its journal into an in-memory storage area, a new
 * engine is built from that area alone, and the run goes on. Flows and findings must be equal.
 *
 * The one thing a stop may lose is a fragment Location waiting for its follow-up navigation
 * (fragments.ts: the raw fragment is never saved; in the browser the committed URL delivers it).
 * A cut while one waits is counted and skipped, and the count is checked to stay that small.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../src/core/engine';
import { feedHarEntries } from '../src/core/observe/har-feed';
import type { Observation } from '../src/core/observe/observation';
import { resetBuilders } from '../src/core/testing/builders';
import { keycloakBrokeringToGoogle, formPostFlow, googleWithIss, parFlow, restartAtAnotherProvider } from '../src/core/testing/mixup-fixtures';
import { clean, coat, mixup, statelessClean, statelessTransplant } from '../src/core/testing/mixup-scenarios';
import { ruleCases } from '../src/core/testing/rule-tester';

(globalThis as { __collectRuleCasesOnly?: boolean }).__collectRuleCasesOnly = true;
for (const [path, load] of Object.entries(import.meta.glob('../src/core/rules/*/*.test.ts'))) if (!path.endsWith('group-a.test.ts')) await load();
(globalThis as { __collectRuleCasesOnly?: boolean }).__collectRuleCasesOnly = false;

const root = join(import.meta.dirname, '..');
const harFiles = ['examples', 'test/fixtures/providers', 'test/fixtures/har', 'test/fixtures/har/mcp'].flatMap((d) =>
  readdirSync(join(root, d))
    .filter((f) => f.endsWith('.har'))
    .map((f) => join(d, f)),
);

function harObservations(path: string): Observation[] {
  const har = JSON.parse(readFileSync(join(root, path), 'utf8')) as { log: { entries: unknown[] } };
  const out: Observation[] = [];
  feedHarEntries(har.log.entries, (o) => out.push(o));
  return out;
}

interface Outcome {
  flows: unknown;
  findings: unknown;
}

function straight(list: readonly Observation[]): Outcome {
  const e = new Engine();
  for (const o of list) e.push(o);
  e.finish();
  return { flows: e.flows(), findings: e.findings };
}

/** Stop after every k-th observation: flush into `area`, build a new engine from `area` alone. */
function withStops(list: readonly Observation[], k: number): (Outcome & { lost: number; stops: number }) {
  const area: Record<string, string> = {};
  let e = new Engine();
  let lost = 0;
  let stops = 0;
  for (let i = 0; i < list.length; i++) {
    e.push(list[i]);
    if ((i + 1) % k !== 0 || i === list.length - 1) continue;
    if (e.fragmentsInFlight > 0) lost++;
    const batch = e.flush();
    Object.assign(area, batch.set);
    for (const key of batch.remove) delete area[key];
    // the area holds only strings (JSON text), as storage.session does; the new engine parses them
    e = new Engine({ entries: { ...area } });
    stops++;
  }
  e.finish();
  return { flows: e.flows(), findings: e.findings, lost, stops };
}

/** a redirect whose Location carries a fragment (the only wait a stop may lose) */
const fragmentLocation = (list: readonly Observation[]) => list.some((o) => typeof o.location === 'string' && /#./.test(o.location));

/**
 * Every k from 1 to n-1; above 80 observations (the flood cases: 100+ requests) every k up to 10,
 * then every 25th: n² pushes would dominate the suite, and small strides already stop everywhere.
 */
function strides(n: number): number[] {
  const out: number[] = [];
  for (let k = 1; k < n; k++) if (n <= 80 || k <= 10 || k % 25 === 0) out.push(k);
  return out;
}

function checkEveryK(name: string, build: () => Observation[]): { cuts: number; lost: number } {
  resetBuilders();
  const list = build();
  resetBuilders();
  const base = straight(list);
  let cuts = 0;
  let lostCuts = 0;
  for (const k of strides(list.length)) {
    const r = withStops(list, k);
    cuts += r.stops;
    if (r.lost > 0) {
      lostCuts += r.lost;
      continue;
    }
    expect(r.flows, `${name}: flows differ with a stop every ${k}`).toEqual(base.flows);
    expect(r.findings, `${name}: findings differ with a stop every ${k}`).toEqual(base.findings);
  }
  expect(lostCuts === 0 || fragmentLocation(list), `${name}: a stop lost state without a fragment Location in flight`).toBe(true);
  return { cuts, lost: lostCuts };
}

describe('restart equivalence: a stop after every k-th observation, for every k', () => {
  it('has the scenarios', () => {
    expect(ruleCases.length).toBeGreaterThan(40);
    expect(ruleCases.reduce((n, rc) => n + rc.valid.length + rc.invalid.length, 0)).toBeGreaterThan(500);
    expect(harFiles.length).toBeGreaterThan(10);
  });

  const scenarios: [string, () => Observation[]][] = [
    ['COAT', () => coat()],
    ['COAT with iss', () => coat({ iss: true })],
    ['mix-up', () => mixup()],
    ['clean', () => clean()],
    ['Keycloak brokering to Google', keycloakBrokeringToGoogle],
    ['Google with iss', googleWithIss],
    ['restart at another provider', () => restartAtAnotherProvider()],
    ['PAR', parFlow],
    ['form_post', formPostFlow],
    // #12: flows without state, joined by code_challenge / nonce, callbacks by redirect_uri and timing
    ['stateless COAT (code_challenge)', () => statelessTransplant()],
    ['stateless mix-up (nonce)', () => statelessTransplant({ mode: 'mixup', key: 'nonce', iss: false })],
    ['stateless clean', () => statelessClean()],
  ];
  for (const [name, build] of scenarios) {
    it(`mix-up/COAT scenario: ${name}`, () => {
      const { cuts, lost } = checkEveryK(name, build);
      expect(cuts).toBeGreaterThan(0);
      expect(lost).toBe(0);
    });
  }

  // one test per rule: its attacks and benign look-alikes
  for (const rc of ruleCases) {
    it(`rule table ${rc.ruleId} (${rc.valid.length + rc.invalid.length} cases)`, () => {
      let cuts = 0;
      let longest = 0;
      for (const c of [...rc.valid, ...rc.invalid]) {
        longest = Math.max(longest, c.observations().length);
        cuts += checkEveryK(`${rc.ruleId}: ${c.name}`, c.observations).cuts;
      }
      // a table of one-observation cases has nowhere to stop; every other table was cut
      expect(cuts > 0 || longest <= 1).toBe(true);
    });
  }

  for (const file of harFiles) {
    it(`HAR capture ${file}`, () => {
      const { cuts } = checkEveryK(file, () => harObservations(file));
      expect(cuts).toBeGreaterThan(0);
    });
  }
});
