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
import { evictionVictim, viewOf } from './eviction';
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
});
