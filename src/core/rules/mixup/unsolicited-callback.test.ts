import { describe, expect, it } from 'vitest';
import { obs, q, rand, resetBuilders, run } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './unsolicited-callback';
import { areq, ATTACKER, clean, coat, HONEST, P } from '../../testing/mixup-scenarios';

import { keycloakBrokeringToGoogle, parFlow, formPostFlow } from '../../testing/mixup-fixtures';

testRule(rule, {
  valid: [
    { name: 'Keycloak brokering to Google: both responses answer issued states', observations: keycloakBrokeringToGoogle },
    { name: 'PAR: the first response reached from the AS adopts the opaque flow', observations: parFlow },
    { name: 'form_post response', observations: formPostFlow },
    {
      name: 'a response relayed by a page the AS redirected to (same chain, other site)',
      observations: () => {
        const S = rand('chain');
        const cb = `${P}/cb?${q({ code: rand('chain-c'), state: S })}`;
        return [
          obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: S }), { referer: `${P}/` }),
          obs(`${HONEST}/login`, { method: 'POST', form: { u: 'a' }, location: 'https://login.idp-partner.example/continue' }),
          obs('https://login.idp-partner.example/continue', { location: cb }),
          obs(cb),
        ];
      },
    },
    { name: 'a clean flow', observations: () => clean() },
    { name: 'COAT is solicited (its state was issued)', observations: () => coat() },
    {
      name: 'a bare ?code= on an unrelated page is not a response',
      observations: () => [obs(`https://shop.example/checkout?code=SUMMER25`)],
    },
    {
      name: 'G3: reload of the callback',
      observations: () => {
        const S = rand('g3');
        const cb = `${P}/cb?${q({ code: rand('g3c'), state: S })}`;
        return [obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: S })), obs(cb, { referer: `${HONEST}/` }), obs(cb, { transition: { type: 'reload', qualifiers: [] } })];
      },
    },
    {
      name: 'a stateless flow (the client sent no state): its response has none either',
      observations: () => {
        const a = areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb` });
        return [obs(a, { referer: `${P}/` }), obs(`${HONEST}/login`, { method: 'POST', form: { u: 'a' }, location: `${P}/cb?${q({ code: rand('nsc') })}` }), obs(`${P}/cb?${q({ code: rand('nsc') })}`)];
      },
    },
    {
      name: 'percent-encoding: the state sent as %20 comes back form-encoded with +',
      observations: () => {
        const S = `${rand('enc', 16)} ${rand('enc2', 16)}`;
        const a = `${HONEST}/authorize?${q({ response_type: 'code', client_id: 'h', redirect_uri: `${P}/cb`, state: S })}`;
        const cb = `${P}/cb?code=${rand('encc')}&state=${S.replace(' ', '+')}`;
        return [obs(a, { referer: `${P}/` }), obs(`${HONEST}/login`, { method: 'POST', form: { u: 'a' }, location: cb }), obs(cb)];
      },
    },
    {
      name: 'a popup: the authorization request and its response in another tab than the opener page',
      observations: () => {
        const S = rand('popup');
        const cb = `${P}/popup-cb?${q({ code: rand('popc'), state: S })}`;
        return [
          obs(`${P}/`, { context: 'tab:1' }),
          obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/popup-cb`, state: S }), { context: 'tab:2', initiator: P }),
          obs(`${HONEST}/login`, { context: 'tab:2', method: 'POST', form: { u: 'a' }, location: cb }),
          obs(cb, { context: 'tab:2' }),
        ];
      },
    },
    {
      name: 'G5: silent renewal in a hidden iframe answered with login_required',
      observations: () => {
        const S = rand('silent');
        return [
          obs(`${P}/app`),
          obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/silent-renew.html`, state: S, prompt: 'none' }), { type: 'sub_frame', initiator: P }),
          obs(`${P}/silent-renew.html?${q({ error: 'login_required', state: S })}`, { type: 'sub_frame', initiator: HONEST }),
        ];
      },
    },
    {
      name: 'a user who spent 20 minutes on the login page (within the 30 min flow expiry)',
      observations: () => {
        const S = rand('slow');
        const cb = `${P}/cb?${q({ code: rand('slowc'), state: S })}`;
        return [obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: S }), { at: 1, referer: `${P}/` }), obs(`${HONEST}/login`, { at: 1200, method: 'POST', form: { u: 'a' }, location: cb }), obs(cb, { at: 1201 })];
      },
    },
    {
      name: 'G4: front-channel logout iframe (iss + sid, no state) is not a response',
      observations: () => [...clean(), obs(`${P}/logout/frontchannel?${q({ iss: HONEST, sid: rand('sid', 36) })}`, { type: 'sub_frame', initiator: HONEST })],
    },
    {
      name: 'the callback of an answered flow revisited 45 minutes later (history, no transition info)',
      observations: () => {
        const S = rand('late-visit');
        const cb = `${P}/cb?${q({ code: rand('lvc'), state: S })}`;
        return [obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: S }), { at: 1, referer: `${P}/` }), obs(cb, { at: 5, referer: `${HONEST}/` }), obs(cb, { at: 2705 })];
      },
    },
    {
      name: 'an expired, never answered flow: an error response is not a credential',
      observations: () => {
        const S = rand('late-err');
        return [obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: S }), { at: 1, referer: `${P}/` }), obs(`${P}/cb?${q({ error: 'access_denied', state: S })}`, { at: 2700 })];
      },
    },
  ],
  invalid: [
    {
      name: 'an unknown state with an access token in the fragment',
      observations: () => [
        obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/spa`, state: rand('real-f') }), { at: 1 }),
        obs(`${ATTACKER}/forge`, { at: 40, location: `${P}/spa#${q({ access_token: rand('atk-at'), token_type: 'Bearer', state: rand('forged-f') })}` }),
        obs(`${P}/spa#${q({ access_token: rand('atk-at'), token_type: 'Bearer', state: rand('forged-f') })}`, { at: 41, navigationOnly: true }),
      ],
      expect: [{ severity: 'high', variant: 'unknown-state', message: /access token/ }],
    },
    {
      name: 'an attacker page auto-submits a form_post response with an unknown state',
      observations: () => [
        obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/auth/cb`, state: rand('real-fp'), response_mode: 'form_post' }), { at: 1 }),
        obs(`${P}/auth/cb`, { at: 50, method: 'POST', form: { code: rand('atk-fp'), state: rand('forged-fp') }, initiator: ATTACKER }),
      ],
      expect: [{ severity: 'high', variant: 'unknown-state' }],
    },
    {
      name: 'a stateless code injection while the client\'s open flow expects a state',
      observations: () => [
        obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: rand('open') }), { at: 1, referer: `${P}/` }),
        obs(`${P}/cb?${q({ code: rand('inj2') })}`, { at: 20, initiator: ATTACKER }),
      ],
      expect: [{ severity: 'high', variant: 'no-state', param: 'code' }],
    },
    {
      name: 'a state differing from the issued one only in letter case is not the issued state',
      observations: () => {
        const S = rand('case-s');
        return [
          obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: S }), { at: 1, referer: `${P}/` }),
          obs(`${P}/cb?${q({ code: rand('case-c'), state: S.toUpperCase() === S ? S.toLowerCase() : S.toUpperCase() })}`, { at: 30, initiator: ATTACKER }),
        ];
      },
      expect: [{ severity: 'high', variant: 'unknown-state' }],
    },
    {
      name: 'the state\'s flow expired: a response 45 minutes after its only request, which was never answered',
      observations: () => {
        const S = rand('expired');
        return [
          obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: S }), { at: 1, referer: `${P}/` }),
          obs(`${P}/cb?${q({ code: rand('exp-c'), state: S })}`, { at: 2700, initiator: ATTACKER }),
        ];
      },
      expect: [{ severity: 'high', variant: 'expired-state', param: 'state' }],
    },
    {
      name: 'G6 does not apply: a forged callback in a fresh tab of a capture that covers the 30 min before it → high',
      observations: () => [
        obs('https://news.example/', { context: 'tab:1', at: 1 }),
        obs(`${ATTACKER}/forge`, { context: 'tab:7', at: 1900, location: `${P}/cb?${q({ code: rand('nt'), state: rand('nts') })}` }),
        obs(`${P}/cb?${q({ code: rand('nt'), state: rand('nts') })}`, { context: 'tab:7', at: 1901 }),
      ],
      expect: [{ severity: 'high', variant: 'unknown-state' }],
    },
    {
      name: 'G6 does not apply: a young capture that shows this client\'s authorization request with another state (another tab) → high',
      observations: () => [
        obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: rand('other-tab') }), { context: 'tab:2', at: 1, referer: `${P}/` }),
        obs(`${ATTACKER}/forge`, { context: 'tab:7', at: 60, location: `${P}/cb?${q({ code: rand('ot'), state: rand('ots') })}` }),
        obs(`${P}/cb?${q({ code: rand('ot'), state: rand('ots') })}`, { context: 'tab:7', at: 61 }),
      ],
      expect: [{ severity: 'high', variant: 'unknown-state' }],
    },
    {
      name: 'G6: the capture starts at the callback (recording pressed mid-login) → low, reason in the evidence',
      observations: () => [obs(`${P}/cb?${q({ code: rand('late'), state: rand('late-s') })}`, { referer: `${HONEST}/` })],
      expect: [{ severity: 'low', variant: 'unknown-state', message: /G6: nothing in this tab or page was captured before this response/ }],
    },
    {
      name: 'G6: the capture\'s first entry is 2 min before the callback and holds no request of this client → low',
      observations: () => [
        obs('https://news.example/', { at: 1 }),
        obs(`${HONEST}/login`, { at: 100, method: 'POST', form: { u: 'a' }, location: `${P}/cb?${q({ code: rand('two'), state: rand('two-s') })}` }),
        obs(`${P}/cb?${q({ code: rand('two'), state: rand('two-s') })}`, { at: 121 }),
      ],
      expect: [{ severity: 'low', variant: 'unknown-state', message: /capture begins 2 min before this response .* no authorization request of https:\/\/platform\.example/ }],
    },
    {
      name: 'G6: a fresh tab 15 minutes into a capture with no request of this client is still a possibly late capture → low',
      observations: () => [
        obs('https://news.example/', { context: 'tab:1', at: 1 }),
        obs(`${ATTACKER}/forge`, { context: 'tab:7', at: 900, location: `${P}/cb?${q({ code: rand('ft'), state: rand('fts') })}` }),
        obs(`${P}/cb?${q({ code: rand('ft'), state: rand('fts') })}`, { context: 'tab:7', at: 901 }),
      ],
      expect: [{ severity: 'low', variant: 'unknown-state' }],
    },
    {
      name: 'G6: another client\'s authorization request in the tab does not show where this client\'s state came from → low',
      observations: () => [
        obs(areq(HONEST, { client_id: 'other', redirect_uri: 'https://other-app.example/cb', state: rand('oc') }), { at: 1 }),
        obs(`${P}/cb?${q({ code: rand('oc-c'), state: rand('oc-s') })}`, { at: 90 }),
      ],
      expect: [{ severity: 'low', variant: 'unknown-state' }],
    },
    {
      name: 'G6: a stateless response (RFC 9207 shape: code + iss) at the start of a capture → low',
      observations: () => [obs(`${P}/cb?${q({ code: rand('late-ns'), iss: HONEST })}`, { referer: `${HONEST}/` })],
      expect: [{ severity: 'low', variant: 'no-state' }],
    },
    {
      name: 'CORF: an attacker page sends the attacker\'s code with a stale state after the user browsed a while',
      observations: () => [
        obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: rand('real') }), { at: 1 }),
        obs(`${ATTACKER}/forge`, { at: 30, location: `${P}/cb?${q({ code: rand('atk'), state: rand('forged') })}` }),
        obs(`${P}/cb?${q({ code: rand('atk'), state: rand('forged') })}`, { at: 31 }),
      ],
      expect: [{ severity: 'high', variant: 'unknown-state', param: 'state' }],
    },
    {
      name: 'a stateless code injection into a known callback',
      observations: () => [
        obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: rand('s1') }), { at: 1 }),
        obs(`${P}/cb?${q({ code: rand('s1c'), state: rand('s1') })}`, { at: 5 }),
        obs(`${P}/cb?${q({ code: rand('inj') })}`, { at: 700, initiator: ATTACKER }),
      ],
      expect: [{ variant: 'no-state' }],
    },
    {
      name: 'G6 applies: fresh capture, forged callback → low',
      observations: () => [obs(`${ATTACKER}/forge`, { location: `${P}/cb?${q({ code: rand('f'), state: rand('fs') })}` }), obs(`${P}/cb?${q({ code: rand('f'), state: rand('fs') })}`)],
      expect: [{ severity: 'low', message: /G6: the capture begins \d+ s before/ }],
    },
    {
      name: 'a response for a known state redirected there by a foreign site',
      observations: () => {
        const S = rand('fm');
        const cb = `${P}/cb?${q({ code: rand('fmc'), state: S })}`;
        return [obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: S })), obs('https://evil-minter.example/x', { location: cb }), obs(cb)];
      },
      expect: [{ variant: 'foreign-minter' }],
    },
  ],
});

describe('unsolicited-callback and G6 (late capture)', () => {
  const forged = (tag: string) => `${P}/cb?${q({ code: rand(`${tag}-code`), state: rand(`${tag}-never-issued`) })}`;
  const of = (obsList: ReturnType<typeof obs>[]) => run(obsList).findings.filter((f) => f.ruleId === 'unsolicited-callback');

  it('a late-starting capture (callback first) is low and heuristic, with the reason in the evidence', () => {
    resetBuilders();
    const fs = of([obs(forged('late'), { at: 5, referer: `${HONEST}/` })]);
    expect(fs.map((f) => [f.severity, f.confidence])).toEqual([['low', 'heuristic']]);
    expect(fs[0].evidence.some((e) => /^G6 late capture: /.test(e.note ?? ''))).toBe(true);
  });

  it('a complete capture with the same forged callback is high and strong, without a G6 note', () => {
    resetBuilders();
    const fs = of([...clean(), obs(`${ATTACKER}/lure`, { at: 120, location: forged('late') }), obs(forged('late'), { at: 121 })]);
    expect(fs.map((f) => [f.severity, f.confidence])).toEqual([['high', 'strong']]);
    expect(fs[0].evidence.some((e) => /G6/.test(e.note ?? ''))).toBe(false);
  });

  it('the capture start survives a serialise/restore of the engine (the extension restarts its worker)', () => {
    resetBuilders();
    const first = [obs('https://news.example/', { at: 0 })];
    const e = run(first).engine;
    const restored = run([obs(`${ATTACKER}/forge`, { at: 1900, location: forged('restored') }), obs(forged('restored'), { at: 1901 })], { state: JSON.parse(JSON.stringify(e.toJSON())) });
    expect(restored.findings.filter((f) => f.ruleId === 'unsolicited-callback').map((f) => f.severity)).toEqual(['high']);
  });
});
