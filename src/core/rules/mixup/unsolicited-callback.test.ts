import { obs, q, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './unsolicited-callback';
import { areq, ATTACKER, clean, coat, HONEST, P } from './scenarios';

import { keycloakBrokeringToGoogle, parFlow, formPostFlow } from './fixtures';

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
      name: 'G6: the capture starts at the callback (late capture) is at most medium',
      observations: () => [obs(`${P}/cb?${q({ code: rand('late'), state: rand('late-s') })}`, { referer: `${HONEST}/` })],
      allow: ['medium'],
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
      name: 'a forged callback in a fresh tab of a capture older than a code lifetime is not "late" (G6 does not apply)',
      observations: () => [
        obs('https://news.example/', { context: 'tab:1', at: 1 }),
        obs(`${ATTACKER}/forge`, { context: 'tab:7', at: 900, location: `${P}/cb?${q({ code: rand('nt'), state: rand('nts') })}` }),
        obs(`${P}/cb?${q({ code: rand('nt'), state: rand('nts') })}`, { context: 'tab:7', at: 901 }),
      ],
      expect: [{ severity: 'high', variant: 'unknown-state' }],
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
      name: 'G6 applies: fresh capture, forged callback → medium, heuristic',
      observations: () => [obs(`${ATTACKER}/forge`, { location: `${P}/cb?${q({ code: rand('f'), state: rand('fs') })}` }), obs(`${P}/cb?${q({ code: rand('f'), state: rand('fs') })}`)],
      expect: [{ severity: 'medium' }],
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
