/**
 * Issue #21.1: HAR 1.2 does not promise that `log.entries` is in time order; CoatCheck reads
 * entries in startedDateTime order (stable: file order breaks ties). Every attack fixture of the
 * project, shuffled, gives the same findings as in order:
 * - every rule's valid and invalid cases (the rule tables, src/core/rules/*\/*.test.ts), through
 *   the ordering and HarFeed that both readers share;
 * - every HAR capture of the repository (examples/, test/fixtures/providers, test/fixtures/har),
 *   through the library API (feedHarEntries) and `coatcheck scan` (JSON and SARIF, streamed from a
 *   file, and from standard input).
 * A shuffle moves entries between positions and keeps each entry whole (its time, its page);
 * entries with the same startedDateTime keep their relative order (file order is what breaks a tie).
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanCommand } from '../src/companion/scan';
import { Engine } from '../src/core/engine';
import { feedHarEntries, HarFeed, timeOrder } from '../src/core/observe/har-feed';
import type { Observation } from '../src/core/observe/observation';
import type { Finding } from '../src/core/report/finding';
import { resetBuilders } from '../src/core/testing/builders';
import { ruleCases } from '../src/core/testing/rule-tester';

// the rule tables, recorded without registering their tests again
(globalThis as { __collectRuleCasesOnly?: boolean }).__collectRuleCasesOnly = true;
for (const [path, load] of Object.entries(import.meta.glob('../src/core/rules/*/*.test.ts'))) if (!path.endsWith('group-a.test.ts')) await load();
(globalThis as { __collectRuleCasesOnly?: boolean }).__collectRuleCasesOnly = false;

const root = join(import.meta.dirname, '..');
const harFiles = ['examples', 'test/fixtures/providers', 'test/fixtures/har'].flatMap((d) =>
  readdirSync(join(root, d))
    .filter((f) => f.endsWith('.har'))
    .map((f) => join(d, f)),
);
const tmp = mkdtempSync(join(tmpdir(), 'coatcheck-order-'));

/** A permutation (shuffled position → original index) from random keys; equal times keep their order. */
function shuffle(times: readonly (number | undefined)[], keys: readonly number[]): number[] {
  const perm = times.map((_, i) => i).sort((a, b) => keys[a] - keys[b] || a - b);
  const groups = new Map<string, number[]>();
  perm.forEach((orig, pos) => {
    const k = String(times[orig]);
    groups.set(k, [...(groups.get(k) ?? []), pos]);
  });
  for (const positions of groups.values()) {
    const members = positions.map((p) => perm[p]).sort((a, b) => a - b);
    positions.forEach((p, i) => (perm[p] = members[i]));
  }
  return perm;
}
const keysFor = (n: number) => fc.array(fc.integer(), { minLength: n, maxLength: n });

function normal(findings: readonly Finding[], entryOf: (e: number) => number = (e) => e): string[] {
  return findings
    .map((f) =>
      JSON.stringify([f.ruleId, f.severity, f.confidence, f.variant, f.flowId, f.message, f.evidence.map((e) => ({ ...e, entry: e.entry === undefined ? undefined : entryOf(e.entry) }))]),
    )
    .sort();
}

function viaReaders(list: readonly Observation[]): string[] {
  const order = timeOrder(list.map((o) => (o.timeUnknown ? undefined : o.time)));
  const engine = new Engine();
  const feed = new HarFeed((o) => engine.push(o));
  for (let k = 0; k < list.length; k++) feed.push(list[order ? order[k] : k]);
  feed.end();
  engine.finish();
  expect(engine.errors).toEqual([]);
  return normal(engine.findings);
}

describe('every rule case, shuffled, gives the findings it gives in order', () => {
  it('has the rule tables', () => {
    expect(ruleCases.length).toBeGreaterThan(40);
  });
  for (const rc of ruleCases) {
    it(`${rc.ruleId}: ${rc.invalid.length} attacks and ${rc.valid.length} look-alikes`, () => {
      for (const c of [...rc.invalid, ...rc.valid]) {
        resetBuilders();
        const list = c.observations();
        const expected = viaReaders(list);
        const times = list.map((o) => o.time);
        fc.assert(
          fc.property(keysFor(list.length), (keys) => {
            const perm = shuffle(times, keys);
            expect(viaReaders(perm.map((i) => list[i])), c.name).toEqual(expected);
          }),
          { numRuns: rc.invalid.includes(c as never) ? 6 : 2 },
        );
      }
    });
  }
});

type Har = { log: { entries: { startedDateTime: string }[] } & Record<string, unknown> };
const load = (f: string) => JSON.parse(readFileSync(join(root, f), 'utf8')) as Har;
const shuffled = (har: Har, perm: number[]): Har => ({ ...har, log: { ...har.log, entries: perm.map((i) => har.log.entries[i]) } });

function library(har: Har, entryOf?: (e: number) => number): string[] {
  const engine = new Engine();
  feedHarEntries(har.log.entries, (o) => engine.push(o));
  engine.finish();
  return normal(engine.findings, entryOf);
}

async function scan(path: string, format: 'json' | 'sarif', stdin?: string): Promise<string> {
  let out = '';
  const code = await scanCommand(['--format', format, '--fail-on', 'none', stdin !== undefined ? '-' : path], {
    stdout: (t) => (out += t),
    stderr: () => {},
    stderrIsTTY: false,
    ...(stdin !== undefined
      ? {
          openInput: () =>
            (async function* () {
              const b = new TextEncoder().encode(stdin);
              for (let i = 0; i < b.length; i += 4096) yield b.subarray(i, i + 4096);
            })(),
        }
      : {}),
  });
  expect(code).toBe(0);
  return out;
}

type JsonReport = { findings: { evidence: { entry?: number }[] }[]; flows: { steps: { entry?: number }[] }[]; inputs: unknown };
function jsonNormal(text: string, entryOf: (e: number) => number = (e) => e) {
  const j = JSON.parse(text) as JsonReport;
  return {
    inputs: j.inputs,
    findings: j.findings.map((f) => JSON.stringify({ ...f, evidence: f.evidence.map((e) => ({ ...e, entry: e.entry === undefined ? undefined : entryOf(e.entry) })) })).sort(),
    flows: j.flows.map((f) => JSON.stringify({ ...f, steps: f.steps.map((s) => ({ ...s, entry: s.entry === undefined ? undefined : entryOf(s.entry) })) })).sort(),
  };
}
type SarifResult = { ruleId: string; level: string; message: { text: string }; locations?: { logicalLocations?: { name: string }[] }[]; relatedLocations?: { logicalLocations?: { name: string }[] }[]; partialFingerprints: Record<string, string> };
function sarifNormal(text: string, entryOf: (e: number) => number = (e) => e) {
  const s = JSON.parse(text) as { runs: { results: SarifResult[] }[] };
  const names = (ls: SarifResult['locations']) => (ls ?? []).map((l) => (l.logicalLocations ?? []).map((x) => x.name.replace(/\d+/, (n) => String(entryOf(Number(n))))));
  return s.runs[0].results.map((r) => JSON.stringify([r.ruleId, r.level, r.message.text, names(r.locations), names(r.relatedLocations)])).sort();
}

describe('every HAR capture of the repository, shuffled: library API and coatcheck scan (JSON, SARIF)', () => {
  it('has the captures, attacks among them', () => {
    expect(harFiles).toEqual(expect.arrayContaining(['examples/coat-attack.har', 'test/fixtures/har/cli-client-iss-mismatch-in-location.har']));
    expect(library(load('examples/coat-attack.har')).length).toBeGreaterThan(0);
  });
  for (const f of harFiles) {
    it(f, async () => {
      const har = load(f);
      const times = har.log.entries.map((e) => Date.parse(e.startedDateTime));
      expect(times.every(Number.isFinite)).toBe(true);
      const lib = library(har);
      const json = jsonNormal(await scan(join(root, f), 'json'));
      const sarif = sarifNormal(await scan(join(root, f), 'sarif'));
      await fc.assert(
        fc.asyncProperty(keysFor(times.length), fc.boolean(), async (keys, viaStdin) => {
          const perm = shuffle(times, keys);
          const back = (e: number) => perm[e];
          const sh = shuffled(har, perm);
          expect(library(sh, back)).toEqual(lib);
          const text = JSON.stringify(sh, null, 1);
          const p = join(tmp, 'shuffled.har');
          writeFileSync(p, text);
          const j = jsonNormal(await scan(p, 'json', viaStdin ? text : undefined), back);
          expect(j.findings).toEqual(json.findings);
          expect(j.flows).toEqual(json.flows);
          expect(sarifNormal(await scan(p, 'sarif'), back)).toEqual(sarif);
        }),
        { numRuns: 8 },
      );
    });
  }
});

describe('coatcheck scan reads entries in time order', () => {
  // the reported shape (a Google login of a Spring Boot client, 2020): the callback is entry 2 and
  // the authorization request that issued its state entry 9, sent 13.5 minutes earlier
  const base = load('test/fixtures/har/chrome-devtools-google-chooser.har');
  const cb = base.log.entries.length - 1;
  const late = shuffled(base, [1, 2, cb, 3, 0]);
  const p = join(tmp, 'late.har');
  writeFileSync(p, JSON.stringify(late));

  it('a callback written before its authorization request is no unsolicited callback', async () => {
    const j = JSON.parse(await scan(p, 'json')) as { findings: { ruleId: string }[]; flows: unknown[] };
    expect(j.findings.map((f) => f.ruleId)).not.toContain('unsolicited-callback');
    expect(j.flows).toHaveLength(1);
  });

  it('several inputs: an ordered one, then a shuffled one (the scan starts again), then standard input shuffled', async () => {
    // inputs in the order of their dates (2023, 2026-03, 2026-11): a scan of several captures keeps
    // one clock, and an earlier-dated capture after a later one is a separate matter
    const coat = load('examples/coat-attack.har');
    const coatShuffled = join(tmp, 'coat-shuffled.har');
    writeFileSync(coatShuffled, JSON.stringify(shuffled(coat, [...coat.log.entries.keys()].reverse())));
    const cli = load('test/fixtures/har/cli-client-confidential-clean.har');
    const text = JSON.stringify(shuffled(cli, [2, 0, 1]));
    let out = '';
    const opened: string[] = [];
    const code = await scanCommand(['--format', 'json', '--fail-on', 'none', join(root, 'test/fixtures/har/chrome-devtools-google-chooser.har'), coatShuffled, '-'], {
      stdout: (t) => (out += t),
      stderr: () => {},
      stderrIsTTY: false,
      openInput: (path) => {
        opened.push(path);
        return path === '-'
          ? (async function* () {
              yield new TextEncoder().encode(text);
            })()
          : (async function* () {
              yield readFileSync(path);
            })();
      },
    });
    expect(code).toBe(0);
    // the shuffled input was read twice (in order until its first earlier entry, then sorted), the
    // ordered one again after the restart, standard input once
    expect(opened.filter((x) => x === coatShuffled)).toHaveLength(2);
    expect(opened.filter((x) => x === '-')).toHaveLength(1);
    const j = JSON.parse(out) as { inputs: { entries: number }[]; findings: { ruleId: string; severity: string; evidence: { input?: number }[] }[]; flows: { steps: { input?: number; kind: string }[] }[] };
    expect(j.inputs.map((i) => i.entries)).toEqual([5, 13, 3]);
    const alone = JSON.parse(await scan(join(root, 'examples/coat-attack.har'), 'json')) as { findings: { ruleId: string; severity: string }[] };
    expect(j.findings.filter((f) => f.evidence.every((e) => e.input === 1)).map((f) => `${f.ruleId}/${f.severity}`).sort()).toEqual(alone.findings.map((f) => `${f.ruleId}/${f.severity}`).sort());
    expect(j.findings.map((f) => f.ruleId)).not.toContain('unsolicited-callback');
    // the command-line client's response (only in a Location) is linked to its flow
    expect(j.flows.filter((f) => f.steps.some((s) => s.input === 2 && s.kind === 'authorization-response'))).toHaveLength(1);
  });

  it('entries without a parseable time keep their place and are named in the warnings (JSON, SARIF, text)', async () => {
    const har = load('examples/clean-flow.har');
    har.log.entries[3] = { ...har.log.entries[3], startedDateTime: 'not a date' };
    har.log.entries[6] = { ...har.log.entries[6], startedDateTime: '' };
    const q = join(tmp, 'untimed.har');
    writeFileSync(q, JSON.stringify(har));
    const j = JSON.parse(await scan(q, 'json')) as { inputs: { warnings?: string[] }[] };
    expect(j.inputs[0].warnings).toEqual(['entries 3, 6 have no parseable startedDateTime: read at their file position']);
    const s = JSON.parse(await scan(q, 'sarif')) as { runs: { invocations?: { toolExecutionNotifications: { level: string; message: { text: string } }[] }[] }[] };
    expect(s.runs[0].invocations?.[0].toolExecutionNotifications[0].message.text).toMatch(/entries 3, 6 have no parseable startedDateTime/);
    let text = '';
    await scanCommand([q], { stdout: (t) => (text += t), stderr: () => {}, stderrIsTTY: false });
    expect(text).toMatch(/warning: .*untimed\.har: entries 3, 6 have no parseable startedDateTime/);
    // an ordered capture has no warnings member at all
    expect((JSON.parse(await scan(join(root, 'examples/clean-flow.har'), 'json')) as { inputs: object[] }).inputs[0]).not.toHaveProperty('warnings');
  });
});
