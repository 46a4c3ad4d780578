import { obs, q, rand, redirect } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './callback-context-mismatch';
import { areq, clean, coat, HONEST, mixup, P, statelessClean, statelessTransplant, statelessAreq, ATTACKER } from '../../testing/mixup-scenarios';

import { restartAtAnotherProvider, formPostFlow, parFlow, keycloakBrokeringToGoogle } from '../../testing/mixup-fixtures';

testRule(rule, {
  valid: [
    // #12 stateless clients: the callback is linked by redirect_uri prefix and timing only
    { name: 'stateless: a clean PKCE-only flow', observations: () => statelessClean() },
    { name: 'stateless: the classic mix-up lands on the one shared redirect URI', observations: () => statelessTransplant({ mode: 'mixup' }) },
    {
      name: 'stateless: a callback on a path below the client\'s own redirect_uri (a prefix match, not a relayed redirect_uri)',
      observations: () => statelessClean({ cb: `${P}/cb/honest-tool/done` }),
    },
    {
      name: 'stateless: the relaying AS sends a fresh challenge, so its callback is its own flow\'s',
      observations: () => {
        const a1 = statelessAreq(ATTACKER, { client_id: 'a', redirect_uri: `${P}/cb/attacker-tool`, code_challenge: rand('cb-fresh1', 43) });
        const a2 = statelessAreq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb/honest-tool`, code_challenge: rand('cb-fresh2', 43) });
        return [obs(a1, { location: a2, referer: `${P}/` }), obs(a2), ...redirect(`${HONEST}/login`, `${P}/cb/honest-tool?${q({ code: rand('cb-fresh-code'), iss: HONEST })}`, { method: 'POST', form: { u: 'a' } })];
      },
    },
    { name: 'a user restarting at another provider with per-provider callbacks (both issued by the client)', observations: () => restartAtAnotherProvider() },
    { name: 'form_post response to the issued callback', observations: formPostFlow },
    { name: 'a clean flow', observations: () => clean() },
    { name: 'mix-up with a shared redirect URI lands where the state was issued', observations: () => mixup() },
    { name: 'trailing slash and http→https normalisation', observations: () => clean({ cb: `${P}/cb/honest-tool/` }) },
    {
      name: 'internal re-dispatch after the callback (only the first code-bearing navigation counts)',
      observations: () => {
        const S = rand('rd');
        const code = rand('rdc');
        return [
          obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: S }), { referer: `${P}/` }),
          ...redirect(`${P}/cb?${q({ code, state: S })}`, `${P}/app/finish?${q({ code, state: S })}`, { referer: `${HONEST}/` }),
        ];
      },
    },
    {
      name: 'form_post: the POST target is the callback',
      observations: () => {
        const S = rand('fp');
        return [
          obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/auth/callback`, state: S, response_mode: 'form_post' }), { referer: `${P}/` }),
          obs(`${P}/auth/callback`, { method: 'POST', type: 'main_frame', form: { code: rand('fpc'), state: S }, referer: `${HONEST}/` }),
        ];
      },
    },
    {
      name: 'http→https: redirect_uri registered with http, the response lands on https',
      observations: () => {
        const S = rand('http');
        return [
          obs(areq(HONEST, { client_id: 'h', redirect_uri: 'http://platform.example/cb', state: S }), { referer: `${P}/` }),
          obs(`${P}/cb?${q({ code: rand('httpc'), state: S })}`, { referer: `${HONEST}/` }),
        ];
      },
    },
    {
      name: 'host case: redirect_uri with an upper-case host',
      observations: () => {
        const S = rand('case');
        return [
          obs(areq(HONEST, { client_id: 'h', redirect_uri: 'https://Platform.Example/cb', state: S }), { referer: `${P}/` }),
          obs(`${P}/cb?${q({ code: rand('casec'), state: S })}`, { referer: `${HONEST}/` }),
        ];
      },
    },
    {
      name: 'redirect_uri with its own query: the response adds code and state to it',
      observations: () => {
        const S = rand('rq');
        return [
          obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb?tool=honest`, state: S }), { referer: `${P}/` }),
          obs(`${P}/cb?${q({ tool: 'honest', code: rand('rqc'), state: S })}`, { referer: `${HONEST}/` }),
        ];
      },
    },
    {
      name: 'a fragment response (token) at the issued callback',
      observations: () => {
        const S = rand('frag');
        return [
          obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/spa/`, state: S, response_type: 'token' }), { referer: `${P}/` }),
          obs(`${P}/spa/#${q({ access_token: rand('at'), token_type: 'Bearer', state: S })}`, { navigationOnly: true }),
        ];
      },
    },
    {
      name: 'an error response at another path carries no code or token',
      observations: () => {
        const S = rand('err');
        return [
          obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb/tool-a`, state: S }), { referer: `${P}/` }),
          obs(`${P}/error?${q({ error: 'access_denied', state: S })}`, { referer: `${HONEST}/` }),
        ];
      },
    },
    { name: 'PAR: the opaque flow adopts its first response', observations: parFlow },
    { name: 'Keycloak brokering to Google: each response lands on its own flow\'s callback', observations: keycloakBrokeringToGoogle },
    {
      name: 'G3: reload of the callback after the client re-dispatched elsewhere',
      observations: () => {
        const S = rand('rl');
        const cb = `${P}/cb?${q({ code: rand('rlc'), state: S })}`;
        return [obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: S }), { referer: `${P}/` }), obs(cb, { referer: `${HONEST}/` }), obs(cb, { transition: { type: 'reload', qualifiers: [] } })];
      },
    },
  ],
  invalid: [
    {
      name: 'stateless COAT: the response lands on the relayed redirect_uri, linked by timing only (heuristic)',
      observations: () => statelessTransplant(),
      expect: [{ severity: 'high', confidence: 'heuristic', message: /stateless flow \(its PKCE code_challenge relayed to https:\/\/honest-as\.example\).*only the tab, the redirect_uri and the timing/ }],
    },
    {
      name: 'stateless COAT bound by the nonce',
      observations: () => statelessTransplant({ key: 'nonce' }),
      expect: [{ confidence: 'heuristic', message: /its nonce relayed/ }],
    },
    {
      name: 'a fragment response (token) on another path than the issued callback',
      observations: () => {
        const S = rand('frag-x');
        return [
          obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/spa/a`, state: S, response_type: 'token' }), { referer: `${P}/` }),
          obs(`${P}/spa/b#${q({ access_token: rand('atx'), token_type: 'Bearer', state: S })}`, { navigationOnly: true }),
        ];
      },
      expect: [{ severity: 'high', message: /spa\/b/ }],
    },
    {
      name: 'a form_post response POSTed to another tool\'s callback',
      observations: () => {
        const S = rand('fp-x');
        return [
          obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/auth/tool-a`, state: S, response_mode: 'form_post' }), { referer: `${P}/` }),
          obs(`${P}/auth/tool-b`, { method: 'POST', form: { code: rand('fpxc'), state: S }, initiator: HONEST }),
        ];
      },
      expect: [{ severity: 'high', param: 'state' }],
    },
    {
      name: 'the state returns on another host of the client (same path)',
      observations: () => {
        const S = rand('host-x');
        return [
          obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: S }), { referer: `${P}/` }),
          obs(`https://tools.platform.example/cb?${q({ code: rand('hxc'), state: S })}`, { referer: `${HONEST}/` }),
        ];
      },
      expect: [{ severity: 'high' }],
    },
    {
      name: 'the state returns on a sub-path of the issued callback (prefix is not equality)',
      observations: () => {
        const S = rand('sub-x');
        return [
          obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: S }), { referer: `${P}/` }),
          obs(`${P}/cb/other-tool?${q({ code: rand('sxc'), state: S })}`, { referer: `${HONEST}/` }),
        ];
      },
      expect: [{ severity: 'high' }],
    },
    { name: 'COAT: the honest code comes back through the other tool\'s callback', observations: () => coat(), expect: [{ severity: 'high', param: 'state', message: /cb\/honest-tool/ }] },
    {
      name: 'a state returning on another path of the client',
      observations: () => {
        const S = rand('x');
        return [
          obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb/tool-a`, state: S }), { referer: `${P}/` }),
          obs(`${P}/cb/tool-b?${q({ code: rand('xc'), state: S })}`, { referer: `${HONEST}/` }),
        ];
      },
      expect: [{ severity: 'high' }],
    },
  ],
});
