/**
 * Fair eviction (#11 part 2): a flood of junk authorization requests from other tabs, between the
 * victim's AS hop and its callback, must not push the victim's flow out of the flow table.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Engine } from '../engine';
import { obs, q, rand, resetBuilders } from '../testing/builders';
import { coat } from '../testing/mixup-scenarios';
import type { Observation } from '../observe/observation';
import { evictionVictim, longestIdle, viewOf, type EvictionView } from './eviction';
import { FlowTable } from './flow-table';
import type { Flow } from './flow';

// 5 000 requests within 50 s (the victim's login waits at the AS meanwhile)
const junk = (i: number, tabs: number): Observation =>
  obs(`https://junk-as.example/authorize?${q({ response_type: 'code', client_id: `j${i % 7}`, redirect_uri: 'https://junk.example/cb', state: rand(`junk-${i}`) })}`, { context: `tab:${100 + (i % tabs)}`, at: 10 + i * 0.01 });

function coatWithFlood(n: number, tabs: number): Engine {
  resetBuilders();
  const attack = coat();
  const e = new Engine();
  // the victim's tab: up to the honest AS's login page, then the flood, then the callback
  for (const o of attack.slice(0, -1)) e.push(o);
  for (let i = 0; i < n; i++) e.push(junk(i, tabs));
  e.push(attack[attack.length - 1]);
  return e;
}

describe('fair eviction', () => {
  it('the COAT flow with 5 000 junk flows from 50 other tabs interleaved is still caught', () => {
    const e = coatWithFlood(5000, 50);
    expect(e.store.flows.size).toBeLessThanOrEqual(500);
    expect(e.store.evicted).toBeGreaterThan(4000);
    const ids = e.findings.filter((f) => f.context === 'tab:1').map((f) => f.ruleId);
    expect(ids).toContain('coat-context-switch');
    expect(ids).toContain('callback-context-mismatch');
    // the flood was reported, once per flooding tab at most
    const floods = e.findings.filter((f) => f.ruleId === 'authorization-request-flood');
    expect(floods.length).toBeGreaterThan(0);
    expect(new Set(floods.map((f) => f.context)).size).toBe(floods.length);
  });

  it('one tab flooding 5 000 flows: the victim tab keeps its flow too', () => {
    const ids = coatWithFlood(5000, 1).findings.filter((f) => f.context === 'tab:1').map((f) => f.ruleId);
    expect(ids).toContain('callback-context-mismatch');
  });

  it('picks from the context with the most flows (the newest spared on a tie), longest idle first', () => {
    const f = (id: string, context: string, tLast: number) => ({ id, context, tLast }) as Flow;
    expect(evictionVictim(viewOf([f('a', 'tab:1', 1), f('b', 'tab:2', 5), f('c', 'tab:2', 3), f('d', 'tab:2', 9)]), 'tab:3')).toBe('c');
    // the flooding tab is the newest and the biggest: it still pays
    expect(evictionVictim(viewOf([f('a', 'tab:1', 1), f('b', 'tab:2', 5), f('c', 'tab:2', 3)]), 'tab:2')).toBe('c');
    // a tie: the newest context is spared
    expect(evictionVictim(viewOf([f('a', 'tab:1', 1), f('b', 'tab:2', 5)]), 'tab:1')).toBe('b');
    expect(evictionVictim(viewOf([f('a', 'tab:1', 1), f('b', 'tab:2', 5)]), 'tab:2')).toBe('a');
    expect(evictionVictim(viewOf([f('b', 'tab:2', 5), f('c', 'tab:2', 3)]), 'tab:2')).toBe('c');
    expect(evictionVictim(viewOf([]), 'tab:1')).toBeUndefined();
  });

  // the policy before #10 (two passes over every flow, counts built per call): the table's
  // per-context view must pick the same flow, ties included
  function reference(flows: Flow[], newestContext: string | undefined): string | undefined {
    const count = new Map<string, number>();
    for (const f of flows) count.set(f.context, (count.get(f.context) ?? 0) + 1);
    let pick = 0;
    let pickContext: string | undefined;
    for (const [context, n] of count) {
      if (pickContext === undefined || n > pick || (n === pick && pickContext === newestContext)) {
        pick = n;
        pickContext = context;
      }
    }
    let victim: Flow | undefined;
    for (const f of flows) if (f.context === pickContext && (!victim || f.tLast < victim.tLast)) victim = f;
    return victim?.id;
  }

  it('picks what the two-pass policy picked, on any table (contexts listed in any order)', () => {
    const flowArb = fc.record({ context: fc.constantFrom('tab:1', 'tab:2', 'tab:3', 'tab:4'), tLast: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constant(Number.NaN)) });
    fc.assert(
      fc.property(fc.array(flowArb, { maxLength: 40 }), fc.option(fc.constantFrom('tab:1', 'tab:2', 'tab:5'), { nil: undefined }), fc.boolean(), (rows, newest, reversed) => {
        const flows = rows.map((r, i) => ({ id: `f${i + 1}`, context: r.context, tLast: r.tLast }) as Flow);
        const view = viewOf(flows);
        // the table's context index is not in first-appearance order: the policy must not rely on it
        const byContext = new Map(reversed ? [...view.byContext].reverse() : view.byContext);
        expect(evictionVictim({ byContext, get: view.get }, newest)).toBe(reference(flows, newest));
      }),
      { numRuns: 2000 },
    );
  });

  // the table keeps the newest flow and each context's longest idle flow as flows come, change and
  // go (no walk per new flow at the cap): what it hands the policy must be what walks find
  it('the kept newest flow and longest idle flows are what walks over the table find', () => {
    const time = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 0, max: 8 }) }, { weight: 1, arbitrary: fc.constant(Number.NaN) });
    // adds weigh twice (a third of the ops): most sequences reach the cap, so the policy is asked
    const op = fc.oneof(
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('add' as const), context: fc.constantFrom('tab:1', 'tab:2', 'tab:3'), t: time }) },
      fc.record({ kind: fc.constant('step' as const), at: fc.nat(), t: time }),
      fc.record({ kind: fc.constant('step' as const), at: fc.nat(), t: time }),
      fc.record({ kind: fc.constant('prune' as const), now: fc.integer({ min: 0, max: 80 }) }),
    );
    let asked = 0;
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), fc.integer({ min: 1, max: 6 }), (ops, cap) => {
        const policy = (view: EvictionView, newestContext: string | undefined) => {
          asked += 1;
          let newest: Flow | undefined;
          for (const f of table.values()) if (!newest || f.tLast >= newest.tLast) newest = f;
          expect(newestContext).toBe(newest?.context);
          for (const [context, ids] of view.byContext) expect(view.longestIdleIn?.(context, ids)).toBe(longestIdle(view, ids));
          return evictionVictim(view, newestContext);
        };
        const table = new FlowTable(cap, 10, policy);
        for (const o of ops) {
          const flows = [...table.values()];
          if (o.kind === 'add') {
            const f = { id: table.newId(), context: o.context, t0: o.t, tLast: o.t, children: [], requests: [], responses: [], steps: [] } as unknown as Flow;
            table.add(f, Number.isNaN(o.t) ? 0 : o.t);
          } else if (o.kind === 'step' && flows.length > 0) {
            const f = flows[o.at % flows.length];
            table.appendStep(f, { ref: { input: 0, entry: 0 }, obsId: 'o', time: o.t, kind: 'other', url: '' } as never);
          } else if (o.kind === 'prune') table.prune(o.now);
        }
      }),
      { numRuns: 1000 },
    );
    // (the policy ran, many times: 1 000 sequences asked it 250–350 times in repeated runs; with one
    // add in four ops it was 105–150, and a CI run once missed this bound, at 87)
    expect(asked).toBeGreaterThan(100);
  });

  it('a flow that catches up with the newest on a tie does not displace a later one', () => {
    const seen: (string | undefined)[] = [];
    const t = new FlowTable(3, 100, (view, newestContext) => (seen.push(newestContext), evictionVictim(view, newestContext)));
    const add = (context: string, at: number) => {
      const f = { id: t.newId(), context, t0: at, tLast: at, children: [], requests: [], responses: [], steps: [] } as unknown as Flow;
      t.add(f, at);
      return f;
    };
    const a = add('tab:1', 5);
    add('tab:2', 10);
    add('tab:1', 3);
    add('tab:3', 1); // over the cap: tab:1's flow idle since 3 goes
    t.appendStep(a, { ref: { input: 0, entry: 0 }, obsId: 'o', time: 10, kind: 'other', url: '' } as never);
    add('tab:3', 0);
    // the walk: tab:1's and tab:2's flows tie at 10, the later in the table (tab:2's) is the newest
    expect(seen).toEqual(['tab:2', 'tab:2']);

    // a time that is not a number: a table whose first flow has one holds it as the newest
    seen.length = 0;
    const u = new FlowTable(2, 100, (view, newestContext) => (seen.push(newestContext), evictionVictim(view, newestContext)));
    const put = (context: string, at: number) => u.add({ id: u.newId(), context, t0: at, tLast: at, children: [], requests: [], responses: [], steps: [] } as unknown as Flow, 0);
    put('tab:1', 3);
    put('tab:2', Number.NaN);
    put('tab:1', 5); // over the cap: the newest is tab:1's (5); tab:1's flow idle since 3 goes, the NaN one is first now
    put('tab:3', 1);
    expect(seen).toEqual(['tab:1', 'tab:2']);
  });
});
