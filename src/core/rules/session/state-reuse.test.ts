import { obs, q, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './state-reuse';

const P = 'https://app.example';
// each request has its own PKCE challenge, as a client starting a new flow would (an identical URL is a G3 retry)
const areq = (as: string, state: string, at: number, referer = `${P}/login`) => obs(`${as}/authorize?${q({ client_id: 'c', response_type: 'code', redirect_uri: `${P}/cb`, state, code_challenge: rand(`cc${at}`, 43), code_challenge_method: 'S256' })}`, { at, referer });

testRule(rule, {
  valid: [
    { name: 'one flow', observations: () => [areq('https://as.example', rand('s'), 1)] },
    { name: 'a double click (same state within 5 s, no response yet)', observations: () => [areq('https://as.example', rand('d'), 1), areq('https://as.example', rand('d'), 3)] },
    { name: 'a reload (G3)', observations: () => { const u = `https://as.example/authorize?${q({ client_id: 'c', response_type: 'code', redirect_uri: `${P}/cb`, state: rand('r') })}`; return [obs(u, { at: 1 }), obs(u, { at: 40, transition: { type: 'reload', qualifiers: [] } })]; } },
    {
      name: 'an AS hop with the same state (mix-up/COAT rules judge it)',
      observations: () => { const s = rand('h'); const a2 = `https://as2.example/authorize?${q({ client_id: 'c2', response_type: 'code', redirect_uri: `${P}/cb`, state: s })}`; return [obs(`https://as1.example/authorize?${q({ client_id: 'c', response_type: 'code', redirect_uri: `${P}/cb`, state: s })}`, { at: 1, location: a2 }), obs(a2, { at: 2 })]; },
    },
  ],
  invalid: [
    { name: 'the user restarts at another provider with the same state', observations: () => [areq('https://as1.example', rand('x'), 1), areq('https://as2.example', rand('x'), 30)], expect: [{ severity: 'medium', param: 'state' }] },
    {
      name: 'the same state after its flow was answered',
      observations: () => { const s = rand('y'); return [areq('https://as.example', s, 1), obs(`${P}/cb?${q({ code: rand('yc'), state: s })}`, { at: 2 }), areq('https://as.example', s, 4)]; },
      expect: [{}],
    },
    {
      name: 'a second response with the same state and another code',
      observations: () => { const s = rand('z'); return [areq('https://as.example', s, 1), obs(`${P}/cb?${q({ code: rand('z1'), state: s })}`, { at: 2 }), obs(`${P}/cb?${q({ code: rand('z2'), state: s })}`, { at: 60 })]; },
      expect: [{ variant: 'accepted-twice' }],
    },
  ],
});
