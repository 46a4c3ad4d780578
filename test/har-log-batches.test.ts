/**
 * The HAR log's storage.session layout (src/background/har-log.ts): write-once batches. Random
 * runs of logging, saving, failed writes, closed tabs and worker restarts against a model (the
 * entries each tab holds, in order), checking after every step that what storage holds restores to
 * the log in memory, that a save writes each new entry once, and that logs saved in the fixed
 * chunks of earlier versions restore alike.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HarLog } from '../src/background/har-log';
import { loadState, SessionWriter, type SessionArea } from '../src/background/persist';
import { Engine } from '../src/core/engine';
import type { Observation } from '../src/core';

const T = 1_800_000_000_000;

function obs(tab: number, n: number): Observation {
  return {
    id: `r${tab}-${n}`,
    ref: { requestId: `r${tab}-${n}` },
    url: `https://app.example/p${n}?tab=${tab}`,
    method: 'GET',
    type: 'script',
    context: `tab:${tab}`,
    time: T + n,
    status: 200,
    requestHeaders: [{ name: 'Accept', value: '*/*' }],
    responseHeaders: [],
  };
}

type Step =
  | { op: 'log'; tab: number; count: number }
  | { op: 'save' }
  | { op: 'failedSave' }
  | { op: 'close'; tab: number }
  | { op: 'restart' };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('log' as const), tab: fc.integer({ min: 1, max: 3 }), count: fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 120, max: 260 })) }) },
  { weight: 4, arbitrary: fc.constant({ op: 'save' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'failedSave' as const }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('close' as const), tab: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 1, arbitrary: fc.constant({ op: 'restart' as const }) },
);

/** storage.session in memory; `fail` makes the next set reject without writing */
function memoryArea() {
  const stored: Record<string, unknown> = {};
  const written: Record<string, string>[] = [];
  let fail = false;
  const area: SessionArea = {
    get: async () => ({ ...stored }),
    set: async (v) => {
      if (fail) {
        fail = false;
        throw new Error('quota');
      }
      written.push(v as Record<string, string>);
      Object.assign(stored, v);
    },
    remove: async (keys) => {
      for (const k of [keys].flat()) delete stored[k];
    },
  };
  return { area, stored, written, failNext: (on = true) => (fail = on) };
}

const urlsOf = (log: HarLog) => new Map([...log.tabs].map(([t, l]) => [t, l.map((o) => o.url)]));
const harKeys = (stored: Record<string, unknown>) => Object.keys(stored).filter((k) => k.startsWith('har:'));

describe('HAR log batches in storage.session', () => {
  it('restores what was saved after any run of logging, saves, failed writes, closed tabs and restarts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), async (steps) => {
        const { area, stored, written, failNext } = memoryArea();
        const engine = new Engine();
        let log = new HarLog();
        let w = new SessionWriter(area);
        let n = 0;
        /** the model: per tab, the URLs it holds, oldest first (the log keeps the last 400) */
        const model = new Map<number, string[]>();
        let saved = true;
        for (const s of steps) {
          if (s.op === 'log') {
            for (let i = 0; i < s.count; i++) {
              const o = obs(s.tab, n++);
              log.add(o, true);
              model.set(s.tab, [...(model.get(s.tab) ?? []), o.url].slice(-400));
            }
            saved = false;
          } else if (s.op === 'close') {
            log.deleteTab(s.tab);
            model.delete(s.tab);
            saved = false;
          } else if (s.op === 'save' || s.op === 'failedSave') {
            if (s.op === 'failedSave') failNext();
            const before = written.length;
            await w.save(engine, log);
            failNext(false); // a save with nothing to write never calls set
            // each entry logged since the last good save is written once, and none twice in one save
            const rows = written.slice(before).flatMap((b) => Object.entries(b).filter(([k]) => k.startsWith('har:')).flatMap(([k, v]) => (JSON.parse(v) as [number, unknown][]).map((r) => `${k.split(':')[1]}:${r[0]}`)));
            expect(new Set(rows).size).toBe(rows.length);
            if (s.op === 'save') saved = true;
          } else {
            // the worker stops: only what storage holds comes back (after a save that went through)
            if (!saved) await w.save(engine, log);
            saved = true;
            w = new SessionWriter(area);
            log = (await loadState(area, w)).har;
          }
          expect(urlsOf(log)).toEqual(new Map([...model].filter(([, l]) => l.length > 0)));
          if (saved) {
            // what storage holds is the log: restoring it gives the same entries and the same export
            const back = HarLog.restore(stored);
            expect(urlsOf(back)).toEqual(urlsOf(log));
            // (pages in the order the tabs were read back: storage's key order, as before)
            const norm = (h: object) => {
              const l = (h as { log: { pages: { id: string }[] } }).log;
              return { ...l, pages: [...l.pages].sort((x, y) => x.id.localeCompare(y.id)) };
            };
            expect(norm(back.toHar())).toEqual(norm(log.toHar()));
            // storage holds exactly the log's entries (nothing dropped is kept), each once
            const held = harKeys(stored).flatMap((k) => (JSON.parse(stored[k] as string) as [number, unknown][]).map((r) => `${k.split(':')[1]}:${r[0]}`));
            expect(new Set(held).size).toBe(held.length);
            expect(held.length).toBe([...log.tabs.values()].reduce((a, l) => a + l.length, 0));
            // no key of a closed tab or an emptied batch is left behind
            for (const k of harKeys(stored)) expect(log.tabs.has(Number(k.split(':')[1]))).toBe(true);
          }
        }
      }),
      { numRuns: 80 },
    );
  });

  it('a chain saved after every hop writes each entry once (fixed chunks rewrote the last chunk at every save)', async () => {
    const { area, written } = memoryArea();
    const engine = new Engine();
    const log = new HarLog();
    const w = new SessionWriter(area);
    for (let i = 0; i < 20; i++) {
      log.add(obs(7, i), true);
      await w.save(engine, log);
    }
    const rows = written.flatMap((b) => Object.entries(b).filter(([k]) => k.startsWith('har:')).flatMap(([, v]) => JSON.parse(v) as [number, unknown][]));
    expect(rows.map((r) => r[0])).toEqual([...Array(20).keys()]);
  });

  it('reads a log saved in the fixed chunks of 32 of earlier versions, and drops what it removes from them', async () => {
    // what the earlier layout wrote: har:<tab>:<seq / 32> → [[seq, entry], …]
    const entries = Array.from({ length: 70 }, (_, i) => obs(4, i));
    const fresh = new HarLog();
    for (const o of entries) fresh.add(o, true);
    const { area, stored } = memoryArea();
    const texts = [...fresh.tabs.get(4)!];
    for (let c = 0; c * 32 < texts.length; c++) stored[`har:4:${c}`] = JSON.stringify(texts.slice(c * 32, c * 32 + 32).map((o, k) => [c * 32 + k, o]));
    const w = new SessionWriter(area);
    const log = (await loadState(area, w)).har;
    expect(log.toHar()).toEqual(fresh.toHar());
    // new entries go to a batch of their own, the old chunks stay as they are
    for (let i = 70; i < 75; i++) log.add(obs(4, i), true);
    await w.save(new Engine(), log);
    expect(harKeys(stored).sort()).toEqual(['har:4:0', 'har:4:1', 'har:4:2', 'har:4:70']);
    // closing the tab removes the old chunks and the new batch
    log.deleteTab(4);
    await w.save(new Engine(), log);
    expect(harKeys(stored)).toEqual([]);
  });

  it('a tab saved in the old layout (har:<tab>) next to batches of the same tab is written again as one batch, the others removed', async () => {
    const { area, stored } = memoryArea();
    const a = new HarLog();
    for (let i = 0; i < 3; i++) a.add(obs(5, i), true);
    stored['har:5'] = JSON.stringify(a.tabs.get(5));
    stored['har:5:9'] = JSON.stringify([[9, { ...a.tabs.get(5)![0], url: 'https://app.example/stale' }]]);
    const w = new SessionWriter(area);
    const log = (await loadState(area, w)).har;
    await w.save(new Engine(), log);
    expect(harKeys(stored).sort()).toEqual(['har:5:0']);
    expect(urlsOf(HarLog.restore(stored))).toEqual(urlsOf(log));
  });
});
