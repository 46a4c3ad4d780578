import { obs, q, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './mixup-as-switch';
import { areq, ATTACKER, clean, coat, HONEST, mixup, P, statelessGuardCases, statelessTransplant } from '../../testing/mixup-scenarios';

import { keycloakBrokeringToGoogle, restartAtAnotherProvider } from '../../testing/mixup-fixtures';

const b64 = (o: unknown) => btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');

testRule(rule, {
  valid: [
    // #12 stateless clients (PKCE only): the code_challenge binds the flow; these must stay apart
    ...statelessGuardCases(),
    { name: 'stateless: COAT (per-tool redirect URIs) is coat-context-switch', observations: () => statelessTransplant() },
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
    {
      name: 'G2: two hosts of one AS site with identical client_id, redirect_uri and state',
      observations: () => {
        const S = rand('g2');
        const p = { client_id: 'c', redirect_uri: `${P}/cb`, state: S };
        const a1 = areq('https://example-as.com', p);
        const a2 = areq('https://www.example-as.com', p);
        return [obs(a1, { location: a2, referer: `${P}/` }), obs(a2)];
      },
    },
    {
      name: 'G1: a broker forwards the same state but with its own callback (origin(U2) is not C)',
      observations: () => {
        const S = rand('broker-same');
        const broker = 'https://broker.example';
        const a1 = areq(broker, { client_id: 'platform', redirect_uri: `${P}/cb`, state: S });
        const a2 = areq(HONEST, { client_id: 'broker', redirect_uri: `${broker}/endpoint`, state: S });
        return [obs(a1, { location: a2, referer: `${P}/` }), obs(a2)];
      },
    },
    {
      name: 'AS1 page relays more than 60 s later by Referer only (not an exact hop)',
      observations: () => {
        const S = rand('slow-ref');
        return [
          obs(areq(ATTACKER, { client_id: 'a', redirect_uri: `${P}/cb`, state: S }), { at: 1, referer: `${P}/` }),
          obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: S }), { at: 120, referer: `${ATTACKER}/` }),
        ];
      },
    },
    {
      name: 'two independent flows of one client at two ASes, each with its own state, one shared redirect URI',
      observations: () => [
        obs(areq(ATTACKER, { client_id: 'a', redirect_uri: `${P}/cb`, state: rand('own-1') }), { referer: `${P}/login` }),
        obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: rand('own-2') }), { referer: `${ATTACKER}/` }),
      ],
    },
  ],
  invalid: [
    {
      name: 'stateless mix-up: one shared redirect URI, the client\'s code_challenge relayed (no state)',
      observations: () => statelessTransplant({ mode: 'mixup' }),
      expect: [{ severity: 'critical', confidence: 'strong', param: 'code_challenge', message: /PKCE code_challenge first sent to .*client_id switched/ }],
    },
    {
      name: 'stateless mix-up bound only by the nonce: one step less confident',
      observations: () => statelessTransplant({ mode: 'mixup', key: 'nonce' }),
      expect: [{ confidence: 'heuristic', param: 'nonce' }],
    },
    {
      name: 'relayed by Referer from AS1 within 60 s',
      observations: () => {
        const S = rand('ref');
        return [
          obs(areq(ATTACKER, { client_id: 'a', redirect_uri: `${P}/cb`, state: S }), { at: 1, referer: `${P}/login` }),
          obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: S }), { at: 20, referer: `${ATTACKER}/consent` }),
        ];
      },
      expect: [{ severity: 'critical', message: /\(referer\)/ }],
    },
    {
      name: 'relayed by a client_redirect from an AS1 document',
      observations: () => {
        const S = rand('cr');
        return [
          obs(areq(ATTACKER, { client_id: 'a', redirect_uri: `${P}/cb`, state: S }), { referer: `${P}/login` }),
          obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: S }), { transition: { type: 'link', qualifiers: ['client_redirect'] } }),
        ];
      },
      expect: [{ severity: 'critical', message: /client_redirect/ }],
    },
    {
      name: 'implicit variant with one shared redirect URI',
      observations: () => {
        const S = rand('imp');
        const a1 = `${ATTACKER}/authorize?${q({ response_type: 'token', client_id: 'a', redirect_uri: `${P}/cb`, state: S })}`;
        const a2 = `${HONEST}/authorize?${q({ response_type: 'token', client_id: 'h', redirect_uri: `${P}/cb`, state: S })}`;
        return [obs(a1, { location: a2, referer: `${P}/` }), obs(a2)];
      },
      expect: [{ severity: 'critical', variant: 'implicit', message: /access token/ }],
    },
    {
      name: 'the same client_id at both ASes (only the AS differs) is still a mix-up',
      observations: () => {
        const S = rand('same-client');
        const a1 = areq(ATTACKER, { client_id: 'c', redirect_uri: `${P}/cb`, state: S });
        const a2 = areq(HONEST, { client_id: 'c', redirect_uri: `${P}/cb`, state: S });
        return [obs(a1, { location: a2, referer: `${P}/` }), obs(a2)];
      },
      expect: [{ severity: 'critical' }],
    },
    {
      name: 'hand-off between two hosts of one provider with a switched client_id is critical',
      observations: () => {
        const S = rand('hc');
        const a1 = areq('https://login.example-idp.com', { client_id: 'c1', redirect_uri: `${P}/cb`, state: S });
        const a2 = areq('https://auth.example-idp.com', { client_id: 'c2', redirect_uri: `${P}/cb`, state: S });
        return [obs(`https://login.example-idp.com/.well-known/openid-configuration`, { type: 'fetch', responseBody: { issuer: 'https://login.example-idp.com', authorization_endpoint: 'https://login.example-idp.com/authorize' } }),
          obs(`https://auth.example-idp.com/.well-known/openid-configuration`, { type: 'fetch', responseBody: { issuer: 'https://auth.example-idp.com/tenant2', authorization_endpoint: 'https://auth.example-idp.com/authorize' } }),
          obs(a1, { location: a2 }), obs(a2)];
      },
      expect: [{ severity: 'critical' }],
    },
    {
      name: 'JAR: AREQ1 carries state and redirect_uri in a signed request object; AS1 relays them in plain parameters',
      observations: () => {
        const S = rand('jar');
        const ro = `${b64({ alg: 'RS256' })}.${b64({ client_id: 'a', response_type: 'code', redirect_uri: `${P}/cb`, state: S })}.${rand('jsig', 43)}`;
        const a1 = `${ATTACKER}/authorize?${q({ client_id: 'a', request: ro })}`;
        const a2 = areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: S });
        return [obs(a1, { location: a2, referer: `${P}/` }), obs(a2)];
      },
      expect: [{ severity: 'critical' }],
    },
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
