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
    { name: 'back/forward to the callback (G3)', observations: () => { const u = `${P}/cb?${q({ code: rand('bf'), state: rand('s') })}`; return [areq(rand('s')), obs(u, { at: 2 }), obs(`${P}/home`, { at: 3 }), obs(u, { at: 10, transition: { type: 'link', qualifiers: ['forward_back'] } })]; } },
    { name: 'the identical callback re-requested from the client itself (HAR re-request, Referer C)', observations: () => { const u = `${P}/cb?${q({ code: rand('rq'), state: rand('s') })}`; return [areq(rand('s')), obs(u, { at: 2 }), obs(u, { at: 30, referer: `${P}/cb` })]; } },
    { name: 'a duplicated tab (the identical callback URL, reload transition, in a new tab)', observations: () => { const u = `${P}/cb?${q({ code: rand('dt'), state: rand('s') })}`; return [areq(rand('s')), obs(u, { at: 2 }), obs(u, { at: 40, context: 'tab:2', transition: { type: 'reload', qualifiers: [] } })]; } },
    { name: 'a form_post callback re-POSTed by a reload', observations: () => { const form = { code: rand('fpc'), state: rand('s') }; return [areq(rand('s')), obs(`${P}/cb`, { at: 2, form, referer: 'https://as.example/' }), obs(`${P}/cb`, { at: 20, form, transition: { type: 'reload', qualifiers: [] } })]; } },
    { name: 'a promo ?code= on an unrelated page, visited twice', observations: () => [obs(`https://shop.example/redeem?${q({ code: 'SPRING-2026-7QX' })}`, { at: 1 }), obs(`https://shop.example/redeem?${q({ code: 'SPRING-2026-7QX' })}`, { at: 50, context: 'tab:3', referer: 'https://mail.example/' })] },
    {
      name: 'redirected by the AS, then reloaded within the minute (HAR: Referer C; browser: reload transition)',
      observations: () => { const u = `${P}/cb?${q({ code: rand('rl'), state: rand('s') })}`; return [areq(rand('s')), obs('https://as.example/consent', { at: 2, location: u }), obs(u, { at: 2, referer: `${P}/` }), obs(u, { at: 5, referer: `${P}/` }), obs(u, { at: 8, transition: { type: 'reload', qualifiers: [] } })]; },
    },
    {
      name: 'redirected by the AS, then back/forward within the minute',
      observations: () => { const u = `${P}/cb?${q({ code: rand('rb'), state: rand('s') })}`; return [areq(rand('s')), obs('https://as.example/consent', { at: 2, location: u }), obs(u, { at: 2 }), obs(`${P}/home`, { at: 3 }), obs(u, { at: 6, transition: { type: 'link', qualifiers: ['forward_back'] }, referer: `${P}/` })]; },
    },
    { name: 'two flows with their own codes', observations: () => [areq(rand('a1')), obs(`${P}/cb?${q({ code: rand('k1'), state: rand('a1') })}`, { at: 2 }), areq(rand('a2')), obs(`${P}/cb?${q({ code: rand('k2'), state: rand('a2') })}`, { at: 20 })] },
  ],
  invalid: [
    {
      name: 'the same code and state delivered in another tab by a third-party page',
      observations: () => { const u = `${P}/cb?${q({ code: rand('x3'), state: rand('s3') })}`; return [areq(rand('s3')), obs(u, { at: 2 }), obs(u, { at: 60, context: 'tab:2', initiator: 'https://evil.example' })]; },
      expect: [{ severity: 'high', param: 'code' }],
    },
    {
      name: 'the same code re-delivered without state: critical',
      observations: () => [areq(rand('ns')), obs(`${P}/cb?${q({ code: rand('nsc'), state: rand('ns') })}`, { at: 2 }), obs(`${P}/cb?${q({ code: rand('nsc') })}`, { at: 30, referer: 'https://evil.example/' })],
      expect: [{ severity: 'critical', variant: 'different-state' }],
    },
    {
      name: 'a code first seen in a form_post body, then in a query',
      observations: () => { const s = rand('fq'); return [areq(s), obs(`${P}/cb`, { at: 2, form: { code: rand('fqc'), state: s }, referer: 'https://as.example/' }), obs(`${P}/cb?${q({ code: rand('fqc'), state: s })}`, { at: 25, referer: 'https://evil.example/' })]; },
      expect: [{ severity: 'high' }],
    },
    {
      name: 'a code from a fragment response replayed in a query by an attacker page',
      observations: () => { const s = rand('fr'); const c = rand('frc'); return [areq(s), obs('https://as.example/login', { at: 2, location: `${P}/cb#${q({ code: c, state: s })}` }), obs(`${P}/cb#${q({ code: c, state: s })}`, { at: 2, navigationOnly: true }), obs(`${P}/cb?${q({ code: c, state: s })}`, { at: 70, referer: 'https://evil.example/' })]; },
      expect: [{ severity: 'high' }],
    },
    {
      name: 'a duplicated-tab look-alike started by a third origin is not a replay',
      observations: () => { const u = `${P}/cb?${q({ code: rand('dx'), state: rand('sx') })}`; return [areq(rand('sx')), obs(u, { at: 2 }), obs(u, { at: 40, context: 'tab:2', transition: { type: 'reload', qualifiers: [] }, initiator: 'https://evil.example' })]; },
      expect: [{ severity: 'high' }],
    },
    {
      name: 'redirected by the AS, then re-delivered in the same tab by a link on a third-party site seconds later (the redirect was followed already)',
      observations: () => { const u = `${P}/cb?${q({ code: rand('rd'), state: rand('s4') })}`; return [areq(rand('s4')), obs('https://as.example/consent', { at: 2, location: u }), obs(u, { at: 2, referer: `${P}/` }), obs('https://evil.example/page', { at: 4 }), obs(u, { at: 7, initiator: 'https://evil.example', referer: 'https://evil.example/' })]; },
      expect: [{ severity: 'high', param: 'code' }],
    },
    {
      name: 'the same re-delivery with the Referer alone (a HAR without initiators)',
      observations: () => { const u = `${P}/cb?${q({ code: rand('rh'), state: rand('s5') })}`; return [areq(rand('s5')), obs('https://as.example/consent', { at: 2, location: u }), obs(u, { at: 2, referer: `${P}/` }), obs('https://evil.example/page', { at: 4 }), obs(u, { at: 7, referer: 'https://evil.example/' })]; },
      expect: [{ severity: 'high', param: 'code' }],
    },
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
