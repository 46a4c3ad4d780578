/**
 * Fair eviction (#11 part 2): a flood of junk authorization requests from other tabs, between the
 * victim's AS hop and its callback, must not push the victim's flow out of the flow table.
 */
import { describe, expect, it } from 'vitest';
import { Engine } from '../engine';
import { obs, q, rand, resetBuilders } from '../testing/builders';
import { coat } from '../testing/mixup-scenarios';
import type { Observation } from '../observe/observation';
import { evictionVictim } from './eviction';
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
    expect(evictionVictim([f('a', 'tab:1', 1), f('b', 'tab:2', 5), f('c', 'tab:2', 3), f('d', 'tab:2', 9)], 'tab:3')).toBe('c');
    // the flooding tab is the newest and the biggest: it still pays
    expect(evictionVictim([f('a', 'tab:1', 1), f('b', 'tab:2', 5), f('c', 'tab:2', 3)], 'tab:2')).toBe('c');
    // a tie: the newest context is spared
    expect(evictionVictim([f('a', 'tab:1', 1), f('b', 'tab:2', 5)], 'tab:1')).toBe('b');
    expect(evictionVictim([f('a', 'tab:1', 1), f('b', 'tab:2', 5)], 'tab:2')).toBe('a');
    expect(evictionVictim([f('b', 'tab:2', 5), f('c', 'tab:2', 3)], 'tab:2')).toBe('c');
    expect(evictionVictim([], 'tab:1')).toBeUndefined();
  });
});
