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
  ],
  invalid: [
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
