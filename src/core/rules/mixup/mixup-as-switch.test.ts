import { obs, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './mixup-as-switch';
import { areq, ATTACKER, clean, coat, HONEST, mixup, P } from './scenarios';

import { keycloakBrokeringToGoogle, restartAtAnotherProvider } from './fixtures';

testRule(rule, {
  valid: [
    {
      name: 'a client on the same site as AS1 restarts at another provider itself (previous hop is C)',
      observations: () => {
        const S = rand('same-site');
        const c = 'https://app.example.com';
        const a1 = areq('https://login.example.com', { client_id: 'c', redirect_uri: `${c}/cb`, state: S });
        const a2 = areq(HONEST, { client_id: 'h', redirect_uri: `${c}/cb`, state: S });
        return [obs(a1, { referer: `${c}/` }), obs(`${c}/login`, { location: a2 }), obs(a2)];
      },
    },
    { name: 'a user restarting at another provider (AREQ2 initiated by C)', observations: () => restartAtAnotherProvider() },
    { name: 'Keycloak brokering to Google (G1: fresh state, broker callback)', observations: keycloakBrokeringToGoogle },
    { name: 'a clean flow', observations: () => clean() },
    { name: 'COAT with per-tool redirect URIs is coat-context-switch, not this', observations: () => coat() },
    {
      name: 'user restarts at another provider (initiated by the client)',
      observations: () => {
        const S = rand('restart');
        return [
          obs(areq(ATTACKER, { client_id: 'a', redirect_uri: `${P}/cb`, state: S }), { referer: `${P}/login` }),
          obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: S }), { referer: `${P}/login`, at: 30 }),
        ];
      },
    },
    {
      name: 'a reload of the same authorization request (G3)',
      observations: () => {
        const u = areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: rand('r') });
        return [obs(u, { referer: `${P}/` }), obs(u, { transition: { type: 'reload', qualifiers: [] } })];
      },
    },
  ],
  invalid: [
    {
      name: 'relayed by another host of the attacker AS site (its login page)',
      observations: () => {
        const S = rand('other-host');
        const a1 = areq(ATTACKER, { client_id: 'a', redirect_uri: `${P}/cb`, state: S });
        const a2 = areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: S });
        return [obs(a1, { referer: `${P}/` }), obs('https://login.attacker-as.example/continue', { method: 'POST', form: { u: 'a' }, location: a2 }), obs(a2)];
      },
      expect: [{ severity: 'critical' }],
    },
    { name: 'classic mix-up with a shared redirect URI', observations: () => mixup(), expect: [{ severity: 'critical', param: 'state', message: /client_id switched/ }] },
    {
      name: 'hand-off between two hosts of one site with the same client and redirect is only high',
      observations: () => {
        const S = rand('h');
        const a1 = areq('https://login.example-idp.com', { client_id: 'c', redirect_uri: `${P}/cb`, state: S });
        const a2 = areq('https://auth.example-idp.com', { client_id: 'c', redirect_uri: `${P}/cb`, state: S });
        return [obs(`https://login.example-idp.com/.well-known/openid-configuration`, { type: 'fetch', responseBody: { issuer: 'https://login.example-idp.com', authorization_endpoint: 'https://login.example-idp.com/authorize' } }),
          obs(`https://auth.example-idp.com/.well-known/openid-configuration`, { type: 'fetch', responseBody: { issuer: 'https://auth.example-idp.com/tenant2', authorization_endpoint: 'https://auth.example-idp.com/authorize' } }),
          obs(a1, { location: a2 }), obs(a2)];
      },
      expect: [{ severity: 'high' }],
    },
  ],
});
