import { obs, q, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './state-reuse';

const P = 'https://app.example';
// each request has its own PKCE challenge, as a client starting a new flow would (an identical URL is a G3 retry)
const areq = (as: string, state: string, at: number, referer = `${P}/login`, context = 'tab:1') => obs(`${as}/authorize?${q({ client_id: 'c', response_type: 'code', redirect_uri: `${P}/cb`, state, code_challenge: rand(`cc${at}`, 43), code_challenge_method: 'S256' })}`, { at, referer, context });

testRule(rule, {
  valid: [
    { name: 'one flow', observations: () => [areq('https://as.example', rand('s'), 1)] },
    { name: 'a double click (same state within 5 s, no response yet)', observations: () => [areq('https://as.example', rand('d'), 1), areq('https://as.example', rand('d'), 3)] },
    { name: 'a reload (G3)', observations: () => { const u = `https://as.example/authorize?${q({ client_id: 'c', response_type: 'code', redirect_uri: `${P}/cb`, state: rand('r') })}`; return [obs(u, { at: 1 }), obs(u, { at: 40, transition: { type: 'reload', qualifiers: [] } })]; } },
    {
      name: 'an AS hop with the same state (mix-up/COAT rules judge it)',
      observations: () => { const s = rand('h'); const a2 = `https://as2.example/authorize?${q({ client_id: 'c2', response_type: 'code', redirect_uri: `${P}/cb`, state: s })}`; return [obs(`https://as1.example/authorize?${q({ client_id: 'c', response_type: 'code', redirect_uri: `${P}/cb`, state: s })}`, { at: 1, location: a2 }), obs(a2, { at: 2 })]; },
    },
    {
      name: 'the identical URL opened again in another tab (duplicated tab / retry of an identical URL)',
      observations: () => { const u = `https://as.example/authorize?${q({ client_id: 'c', response_type: 'code', redirect_uri: `${P}/cb`, state: rand('dup'), code_challenge: rand('ccdup', 43), code_challenge_method: 'S256' })}`; return [obs(u, { at: 1, referer: `${P}/login` }), obs(u, { at: 60, context: 'tab:2' })]; },
    },
    {
      name: 'the identical URL re-requested from the client later in the same tab (HAR re-request)',
      observations: () => { const u = `https://as.example/authorize?${q({ client_id: 'c', response_type: 'code', redirect_uri: `${P}/cb`, state: rand('rr'), code_challenge: rand('ccrr', 43), code_challenge_method: 'S256' })}`; return [obs(u, { at: 1, referer: `${P}/login` }), obs(u, { at: 40, referer: `${P}/login` })]; },
    },
    {
      name: 'a reload of the callback (G3)',
      observations: () => { const s = rand('cbr'); const u = `${P}/cb?${q({ code: rand('cbrc'), state: s })}`; return [areq('https://as.example', s, 1), obs(u, { at: 3 }), obs(u, { at: 30, transition: { type: 'reload', qualifiers: [] } })]; },
    },
    {
      name: 'a fragment response seen as Location and as the committed URL (one delivery)',
      observations: () => { const s = rand('frag'); const u = `${P}/cb#${q({ code: rand('fragc'), state: s })}`; return [areq('https://as.example', s, 1), obs('https://as.example/login', { at: 5, location: u }), obs(u, { at: 5, navigationOnly: true })]; },
    },
    {
      name: 'a form_post callback re-POSTed by a reload (same code)',
      observations: () => { const s = rand('fpr'); const form = { code: rand('fprc'), state: s }; return [areq('https://as.example', s, 1), obs(`${P}/cb`, { at: 2, form, referer: 'https://as.example/' }), obs(`${P}/cb`, { at: 20, form, transition: { type: 'reload', qualifiers: [] } })]; },
    },
    {
      name: 'different states in two tabs',
      observations: () => [areq('https://as.example', rand('t1'), 1, `${P}/login`, 'tab:1'), areq('https://as.example', rand('t2'), 30, `${P}/login`, 'tab:2')],
    },
  ],
  invalid: [
    { name: 'the same state in a new flow in another tab', observations: () => [areq('https://as.example', rand('xt'), 1, `${P}/login`, 'tab:1'), areq('https://as.example', rand('xt'), 60, `${P}/login`, 'tab:2')], expect: [{ severity: 'medium', param: 'state' }] },
    { name: 'the same state again in the same tab after the first flow expired (45 min)', observations: () => [areq('https://as.example', rand('late'), 1), areq('https://as.example', rand('late'), 45 * 60)], expect: [{ severity: 'medium' }] },
    { name: 'the same state 6 s later with no response (past the double-click window)', observations: () => [areq('https://as.example', rand('six'), 1), areq('https://as.example', rand('six'), 7)], expect: [{ severity: 'medium' }] },
    {
      name: 'a second form_post response with the same state and another code',
      observations: () => { const s = rand('fp'); return [areq('https://as.example', s, 1), obs(`${P}/cb`, { at: 2, form: { code: rand('fp1'), state: s }, referer: 'https://as.example/' }), obs(`${P}/cb`, { at: 50, form: { code: rand('fp2'), state: s }, referer: 'https://as.example/' })]; },
      expect: [{ variant: 'accepted-twice' }],
    },
    {
      name: 'a second response with the same state arrives in another tab',
      observations: () => { const s = rand('ot'); return [areq('https://as.example', s, 1), obs(`${P}/cb?${q({ code: rand('ot1'), state: s })}`, { at: 2 }), obs(`${P}/cb?${q({ code: rand('ot2'), state: s })}`, { at: 40, context: 'tab:2' })]; },
      expect: [{ variant: 'accepted-twice' }],
    },
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
