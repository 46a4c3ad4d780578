import { obs, q, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './coat-context-switch';
import { areq, ATTACKER, clean, coat, HONEST, mixup, P, statelessGuardCases, statelessTransplant } from '../../testing/mixup-scenarios';
import { keycloakBrokeringToGoogle, restartAtAnotherProvider } from '../../testing/mixup-fixtures';

testRule(rule, {
  valid: [
    // #12 stateless clients (PKCE only): the code_challenge binds the flow; these must stay apart
    ...statelessGuardCases(),
    { name: 'stateless: the classic mix-up (one shared redirect URI) is mixup-as-switch', observations: () => statelessTransplant({ mode: 'mixup' }) },
    { name: 'a clean flow', observations: () => clean() },
    { name: 'classic mix-up with one shared redirect URI is mixup-as-switch, not this', observations: () => mixup() },
    {
      name: 'user restarts at another provider with the same state: initiated by the client, not by AS1',
      observations: () => {
        const S = rand('restart');
        return [
          obs(areq(ATTACKER, { client_id: 'a', redirect_uri: `${P}/cb/attacker-tool`, state: S }), { referer: `${P}/tools` }),
          obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb/honest-tool`, state: S }), { referer: `${P}/tools`, at: 20 }),
        ];
      },
    },
    {
      name: 'G1 brokering: the broker sends its own fresh state with its own callback',
      observations: () => {
        const broker = 'https://broker.example';
        const a1 = areq(broker, { client_id: 'platform', redirect_uri: `${P}/cb/broker`, state: rand('b1') });
        const a2 = areq(HONEST, { client_id: 'broker', redirect_uri: `${broker}/endpoint`, state: rand('b2') });
        return [obs(a1, { location: a2 }), obs(a2, { referer: `${broker}/` })];
      },
    },
    {
      name: 'G2 host canonicalisation within one site with identical parameters',
      observations: () => {
        const S = rand('g2');
        const p = { client_id: 'c', redirect_uri: `${P}/cb`, state: S };
        const a1 = areq('https://example-as.com', p);
        const a2 = areq('https://www.example-as.com', p);
        return [obs(a1, { location: a2 }), obs(a2)];
      },
    },
    {
      name: 'a transplant more than 60 s after the first request',
      observations: () => {
        const S = rand('slow');
        const a1 = areq(ATTACKER, { client_id: 'a', redirect_uri: `${P}/cb/attacker-tool`, state: S });
        return [obs(a1, { at: 1 }), obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb/honest-tool`, state: S }), { referer: `${ATTACKER}/`, at: 120 })];
      },
    },
    {
      name: 'G1: a broker forwards the same state with its own callback (origin(U2) is not C)',
      observations: () => {
        const S = rand('broker-same');
        const broker = 'https://broker.example';
        const a1 = areq(broker, { client_id: 'platform', redirect_uri: `${P}/cb/broker`, state: S });
        const a2 = areq(HONEST, { client_id: 'broker', redirect_uri: `${broker}/endpoint`, state: S });
        return [obs(a1, { location: a2, referer: `${P}/` }), obs(a2)];
      },
    },
    {
      name: 'Keycloak brokering to Google (§3 federation fixture)',
      observations: keycloakBrokeringToGoogle,
    },
    {
      name: 'a user restarting at another provider with per-provider callbacks (the client issues AREQ2)',
      observations: () => restartAtAnotherProvider(),
    },
    {
      name: 'G3: a reload of the first authorization request',
      observations: () => {
        const u = areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb/honest-tool`, state: rand('rl') });
        return [obs(u, { referer: `${P}/` }), obs(u, { transition: { type: 'reload', qualifiers: [] } })];
      },
    },
  ],
  invalid: [
    {
      name: 'stateless COAT: the attacker AS relays the client\'s code_challenge (no state)',
      observations: () => statelessTransplant(),
      expect: [{ severity: 'critical', confidence: 'strong', param: 'code_challenge', message: /PKCE code_challenge first sent to .*no state/ }],
    },
    {
      name: 'stateless COAT bound only by the nonce: one step less confident',
      observations: () => statelessTransplant({ key: 'nonce' }),
      expect: [{ severity: 'critical', confidence: 'heuristic', param: 'nonce', message: /nonce first sent to/ }],
    },
    {
      name: 'COAT relayed by Referer from AS1 within 60 s',
      observations: () => {
        const S = rand('ref');
        return [
          obs(areq(ATTACKER, { client_id: 'a', redirect_uri: `${P}/cb/attacker-tool`, state: S }), { at: 1, referer: `${P}/tools` }),
          obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb/honest-tool`, state: S }), { at: 30, referer: `${ATTACKER}/authorize` }),
        ];
      },
      expect: [{ severity: 'critical', message: /\(referer\)/ }],
    },
    {
      name: 'per-connection redirect URIs that differ only in their query are two contexts',
      observations: () => {
        const S = rand('qctx');
        const a1 = areq(ATTACKER, { client_id: 'a', redirect_uri: `${P}/cb?connection=attacker`, state: S });
        const a2 = areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb?connection=honest`, state: S });
        return [obs(a1, { location: a2, referer: `${P}/` }), obs(a2)];
      },
      expect: [{ severity: 'critical', param: 'redirect_uri' }],
    },
    {
      name: 'hand-off between two hosts of one site with another redirect_uri is critical',
      observations: () => {
        const S = rand('hs');
        const a1 = areq('https://login.example-idp.com', { client_id: 'c', redirect_uri: `${P}/cb/a`, state: S });
        const a2 = areq('https://auth.example-idp.com', { client_id: 'c', redirect_uri: `${P}/cb/b`, state: S });
        return [obs(`https://login.example-idp.com/.well-known/openid-configuration`, { type: 'fetch', responseBody: { issuer: 'https://login.example-idp.com', authorization_endpoint: 'https://login.example-idp.com/authorize' } }),
          obs(`https://auth.example-idp.com/.well-known/openid-configuration`, { type: 'fetch', responseBody: { issuer: 'https://auth.example-idp.com/t2', authorization_endpoint: 'https://auth.example-idp.com/authorize' } }),
          obs(a1, { location: a2, referer: `${P}/` }), obs(a2)];
      },
      expect: [{ severity: 'critical' }],
    },
    {
      name: 'the attacker AS shows a login page for two minutes, then relays by a 302',
      observations: () => {
        const S = rand('slow-login');
        const a1 = areq(ATTACKER, { client_id: 'a', redirect_uri: `${P}/cb/attacker-tool`, state: S });
        const a2 = areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb/honest-tool`, state: S });
        return [obs(a1, { at: 1, referer: `${P}/` }), obs(`${ATTACKER}/login`, { at: 130, method: 'POST', form: { u: 'a' }, location: a2 }), obs(a2, { at: 131 })];
      },
      expect: [{ severity: 'critical' }],
    },
    { name: 'COAT on the code grant (draft-02 §2.2.1)', observations: () => coat(), expect: [{ severity: 'critical', param: 'redirect_uri', message: /cb\/honest-tool/ }] },
    {
      name: 'COAT reached through a client-side redirect from the attacker AS page',
      observations: () => {
        const S = rand('cs');
        const a1 = areq(ATTACKER, { client_id: 'a', redirect_uri: `${P}/cb/attacker-tool`, state: S });
        return [obs(a1), obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb/honest-tool`, state: S }), { initiator: ATTACKER })];
      },
      expect: [{ severity: 'critical' }],
    },
    {
      name: 'implicit variant',
      observations: () => {
        const S = rand('imp');
        const a1 = `${ATTACKER}/authorize?${q({ response_type: 'token', client_id: 'a', redirect_uri: `${P}/cb/attacker-tool`, state: S })}`;
        const a2 = `${HONEST}/authorize?${q({ response_type: 'token', client_id: 'h', redirect_uri: `${P}/cb/honest-tool`, state: S })}`;
        return [obs(a1, { location: a2 }), obs(a2)];
      },
      expect: [{ variant: 'implicit', message: /access token/ }],
    },
  ],
});
