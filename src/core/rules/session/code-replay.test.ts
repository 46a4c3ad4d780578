import { obs, q, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './code-replay';

const P = 'https://app.example';
const areq = (state: string, ctx = 'tab:1') => obs(`https://as.example/authorize?${q({ client_id: 'c', response_type: 'code', redirect_uri: `${P}/cb`, state })}`, { context: ctx });

testRule(rule, {
  valid: [
    { name: 'one delivery', observations: () => [areq(rand('s')), obs(`${P}/cb?${q({ code: rand('c'), state: rand('s') })}`)] },
    { name: 'a reload of the callback (G3)', observations: () => { const u = `${P}/cb?${q({ code: rand('c'), state: rand('s') })}`; return [areq(rand('s')), obs(u), obs(u, { transition: { type: 'reload', qualifiers: [] } })]; } },
    { name: 'the same delivery reported twice within a second (Location + committed navigation)', observations: () => { const u = `${P}/cb#${q({ code: rand('c'), state: rand('s') })}`; return [areq(rand('s')), obs('https://as.example/x', { location: u }), obs(u, { navigationOnly: true })]; } },
  ],
  invalid: [
    {
      name: 'the same code delivered again later with the same state',
      observations: () => { const u = `${P}/cb?${q({ code: rand('c2'), state: rand('s2') })}`; return [areq(rand('s2')), obs(u, { at: 2 }), obs(u, { at: 90, referer: 'https://evil.example/' })]; },
      expect: [{ severity: 'high', param: 'code' }],
    },
    {
      name: 'the victim\'s code injected into another flow with another state: critical',
      observations: () => [areq(rand('v')), obs(`${P}/cb?${q({ code: rand('vc'), state: rand('v') })}`, { at: 2 }), areq(rand('a'), 'tab:2'), obs(`${P}/cb?${q({ code: rand('vc'), state: rand('a') })}`, { context: 'tab:2', at: 20 })],
      expect: [{ severity: 'critical', variant: 'different-state' }],
    },
  ],
});
