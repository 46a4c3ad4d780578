import { obs, q, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './mixup-iss-missing';
import { areq, clean, coat, HONEST, mixup, P, statelessClean, statelessTransplant } from '../../testing/mixup-scenarios';

import { GITHUB_AUTH, GOOGLE_AUTH, restartAtAnotherProvider } from '../../testing/mixup-fixtures';

const KC = 'https://sso.example.com/realms/r';
/** seconds after the builders' T0 (2026-01-15): after GitHub started sending iss (2026-04-09) */
const AFTER_GH = 90 * 86400;
const b64 = (o: unknown) => btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
const jwt = (payload: Record<string, unknown>) => `${b64({ alg: 'RS256' })}.${b64(payload)}.${rand('sig' + JSON.stringify(payload), 43)}`;
const kcAuth = (p: Record<string, string>) => `${KC}/protocol/openid-connect/auth?${q({ client_id: 'c', response_type: 'code', redirect_uri: `${P}/cb`, ...p })}`;

testRule(rule, {
  valid: [
    { name: 'stateless: a single-AS PKCE-only flow answered without iss', observations: () => statelessClean({ iss: false }) },
    {
      name: 'Google (iss for some accounts since 2026, undeclared) response without iss: its absence proves nothing',
      observations: () => {
        const S = rand('g-noiss');
        return [
          obs(`${GOOGLE_AUTH}?${q({ response_type: 'code', client_id: 'c.apps.googleusercontent.com', redirect_uri: `${P}/code`, scope: 'openid email', state: S })}`, { referer: `${P}/`, at: AFTER_GH }),
          obs(`${P}/code?${q({ state: S, code: `4/0A${rand('gnc', 40)}`, scope: 'email openid' })}`),
        ];
      },
    },
    {
      name: 'MCP table, neither advertised nor present: nothing (metadata without the flag, response without iss)',
      observations: () => {
        const S = rand('mcp-none');
        return [
          obs(`${HONEST}/.well-known/oauth-authorization-server`, { type: 'fetch', responseBody: { issuer: HONEST, authorization_endpoint: `${HONEST}/authorize`, code_challenge_methods_supported: ['S256'] } }),
          obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: S }), { referer: `${P}/` }),
          obs(`${P}/cb?${q({ code: rand('mcpc'), state: S })}`),
        ];
      },
    },
    { name: 'a user restarting at another provider, response without iss: the client itself sent the state to both ASes', observations: () => restartAtAnotherProvider({ googleIss: false }) },
    { name: 'a clean flow with iss', observations: () => clean() },
    { name: 'a single-AS flow without iss from an AS not known to support RFC 9207', observations: () => clean({ iss: false }) },
    {
      name: 'GitHub before 2026-04-09 (the table\'s since date) without iss: the capture predates the change',
      observations: () => {
        const S = rand('gh');
        return [obs(`https://github.com/login/oauth/authorize?${q({ client_id: 'Iv1.x', redirect_uri: `${P}/gh/cb`, state: S })}`), obs(`${P}/gh/cb?${q({ code: rand('ghc'), state: S })}`)];
      },
    },
    {
      name: 'AS1 supports iss; the response carries an ID token instead (OIDC hybrid in the fragment)',
      observations: () => {
        const S = rand('kc-idt');
        return [obs(kcAuth({ state: S, response_type: 'code id_token', response_mode: 'fragment', nonce: rand('kn') }), { referer: `${P}/` }), obs(`${P}/cb#${q({ state: S, code: rand('kic'), id_token: jwt({ iss: KC, aud: 'c' }) })}`, { navigationOnly: true })];
      },
    },
    {
      name: 'AS1 supports iss; the response is a JARM (iss inside the JWT)',
      observations: () => {
        const S = rand('kc-jarm');
        return [obs(kcAuth({ state: S, response_mode: 'query.jwt' }), { referer: `${P}/` }), obs(`${P}/cb?${q({ response: jwt({ iss: KC, aud: 'c', state: S, code: rand('kjc') }) })}`, { referer: 'https://sso.example.com/' })];
      },
    },
    {
      name: 'AS1 supports iss; iss in a form_post body',
      observations: () => {
        const S = rand('kc-fp');
        return [obs(kcAuth({ state: S, response_mode: 'form_post' }), { referer: `${P}/` }), obs(`${P}/cb`, { method: 'POST', form: { state: S, iss: KC, code: rand('kfc') }, initiator: 'https://sso.example.com' })];
      },
    },
    {
      name: 'metadata says authorization_response_iss_parameter_supported=false',
      observations: () => {
        const S = rand('md-false');
        return [
          obs(`${HONEST}/.well-known/openid-configuration`, { type: 'fetch', responseBody: { issuer: HONEST, authorization_endpoint: `${HONEST}/authorize`, authorization_response_iss_parameter_supported: false } }),
          obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: S }), { referer: `${P}/` }),
          obs(`${P}/cb?${q({ code: rand('mfc'), state: S })}`),
        ];
      },
    },
    {
      name: 'a user starts at Google (sends iss), goes back and picks GitHub (no iss) with the same state: GitHub answers without iss',
      observations: () => {
        const S = rand('g-then-gh');
        const go = `${GOOGLE_AUTH}?${q({ response_type: 'code', client_id: 'p.apps.googleusercontent.com', redirect_uri: `${P}/auth/google/callback`, scope: 'openid email', state: S, nonce: rand('gn') })}`;
        const gh = `${GITHUB_AUTH}?${q({ client_id: 'Iv1.gh', redirect_uri: `${P}/auth/github/callback`, scope: 'read:user', state: S })}`;
        const resp = `${P}/auth/github/callback?${q({ code: rand('ghc'), state: S })}`;
        return [
          obs(`${P}/login/google`, { location: go, referer: `${P}/login` }),
          obs(go, { referer: `${P}/login` }),
          obs(`${P}/login`, { referer: 'https://accounts.google.com/' }),
          obs(`${P}/login/github`, { location: gh, referer: `${P}/login` }),
          obs(gh, { referer: `${P}/login` }),
          obs('https://github.com/session', { method: 'POST', form: { u: 'a' }, location: resp }),
          obs(resp),
        ];
      },
    },
    {
      name: 'G2: two hosts of one AS site with identical parameters are not cross-AS evidence',
      observations: () => {
        const S = rand('g2');
        const p = { client_id: 'c', redirect_uri: `${P}/cb`, state: S };
        const a1 = areq('https://example-as.com', p);
        const a2 = areq('https://www.example-as.com', p);
        return [obs(a1, { location: a2, referer: `${P}/` }), obs(a2), obs('https://www.example-as.com/login', { method: 'POST', form: { u: 'a' }, location: `${P}/cb?${q({ code: rand('g2c'), state: S })}` }), obs(`${P}/cb?${q({ code: rand('g2c'), state: S })}`)];
      },
    },
    {
      name: 'G4: front-channel logout iframe after a Keycloak flow (iss + sid, no state)',
      observations: () => {
        const S = rand('kc-fcl');
        return [
          obs(kcAuth({ state: S }), { referer: `${P}/` }),
          obs(`${P}/cb?${q({ code: rand('kfcl'), state: S, iss: KC })}`),
          obs(`${P}/cb?${q({ iss: KC, sid: rand('sid', 36) })}`, { type: 'sub_frame', initiator: 'https://sso.example.com' }),
        ];
      },
    },
  ],
  invalid: [
    {
      name: 'stateless mix-up without iss: the code_challenge went to two ASes (cross-AS flow, heuristic)',
      observations: () => statelessTransplant({ mode: 'mixup', iss: false }),
      expect: [{ variant: 'cross-as-flow', confidence: 'heuristic', param: 'code_challenge', message: /PKCE code_challenge was sent to https:\/\/attacker-as\.example and to https:\/\/honest-as\.example/ }],
    },
    {
      name: 'GitHub after 2026-04-09 (table: always since then) without iss: forged or mixed up, basis the table',
      observations: () => {
        const S = rand('gh-after');
        return [obs(`${GITHUB_AUTH}?${q({ client_id: 'Iv1.x', redirect_uri: `${P}/gh/cb`, state: S })}`, { referer: `${P}/`, at: AFTER_GH }), obs(`${P}/gh/cb?${q({ code: rand('ghac', 20), state: S })}`)];
      },
      expect: [{ variant: 'as-supports-iss', severity: 'high', param: 'iss', providerTable: true, message: /always since 2026-04-09, checked 20\d\d-\d\d-\d\d/ }],
    },
    {
      name: 'learnt within the capture: an AS not known to send iss sent it in an earlier flow; a later response without iss fires',
      observations: () => {
        const S1 = rand('learn1');
        const S2 = rand('learn2');
        return [
          obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: S1 }), { referer: `${P}/` }),
          obs(`${P}/cb?${q({ code: rand('l1c'), state: S1, iss: HONEST })}`),
          obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: S2 }), { referer: `${P}/` }),
          obs(`${P}/cb?${q({ code: rand('l2c'), state: S2 })}`),
        ];
      },
      expect: [{ variant: 'as-supports-iss', severity: 'high', message: /an earlier response of this capture carried it/, providerTable: false, count: 1 }],
    },
    {
      name: 'Google (some accounts): iss seen for one login, a later one without it is low (may be another account)',
      observations: () => {
        const S1 = rand('g-acc1');
        const S2 = rand('g-acc2');
        const go = (s: string) => `${GOOGLE_AUTH}?${q({ response_type: 'code', client_id: 'c.apps.googleusercontent.com', redirect_uri: `${P}/code`, scope: 'openid email', state: s })}`;
        return [
          obs(go(S1), { referer: `${P}/` }),
          obs(`${P}/code?${q({ state: S1, iss: 'https://accounts.google.com', code: `4/0A${rand('ga1', 40)}` })}`),
          obs(go(S2), { referer: `${P}/` }),
          obs(`${P}/code?${q({ state: S2, code: `4/0A${rand('ga2', 40)}` })}`),
        ];
      },
      expect: [{ variant: 'as-supports-iss', severity: 'low', count: 1 }],
    },
    {
      name: 'Keycloak response in the fragment without iss',
      observations: () => {
        const S = rand('kc-frag');
        return [obs(kcAuth({ state: S, response_mode: 'fragment' }), { referer: `${P}/` }), obs(`${P}/cb#${q({ state: S, session_state: rand('ss', 36), code: rand('kfrc') })}`, { navigationOnly: true })];
      },
      expect: [{ variant: 'as-supports-iss' }],
    },
    {
      name: 'Keycloak form_post response without iss',
      observations: () => {
        const S = rand('kc-fp-x');
        return [obs(kcAuth({ state: S, response_mode: 'form_post' }), { referer: `${P}/` }), obs(`${P}/cb`, { method: 'POST', form: { state: S, code: rand('kfxc') }, initiator: 'https://sso.example.com' })];
      },
      expect: [{ variant: 'as-supports-iss' }],
    },
    {
      name: 'an empty iss parameter counts as missing',
      observations: () => {
        const S = rand('kc-empty');
        return [obs(kcAuth({ state: S }), { referer: `${P}/` }), obs(`${P}/cb?${q({ state: S, iss: '', code: rand('kec') })}`)];
      },
      expect: [{ variant: 'as-supports-iss' }],
    },
    { name: 'COAT in progress (per-tool callbacks) and the response has no iss', observations: () => coat({ iss: false }), expect: [{ variant: 'cross-as-flow', severity: 'high' }] },
    {
      name: 'AS1 advertises authorization_response_iss_parameter_supported, response lacks iss',
      observations: () => {
        const S = rand('md');
        return [
          obs(`${HONEST}/.well-known/openid-configuration`, { type: 'fetch', responseBody: { issuer: HONEST, authorization_endpoint: `${HONEST}/authorize`, authorization_response_iss_parameter_supported: true } }),
          obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: S }), { referer: `${P}/` }),
          obs(`${P}/cb?${q({ code: rand('mdc'), state: S })}`),
        ];
      },
      expect: [{ variant: 'as-supports-iss', severity: 'high' }],
    },
    { name: 'mix-up in progress and the response has no iss', observations: () => mixup({ iss: false }), expect: [{ variant: 'cross-as-flow' }] },
    {
      name: 'error responses count too (Keycloak sends iss on errors)',
      observations: () => {
        const S = rand('kerr');
        return [
          obs(`https://sso.example.com/realms/r/protocol/openid-connect/auth?${q({ client_id: 'c', response_type: 'code', redirect_uri: `${P}/cb`, state: S })}`),
          obs(`${P}/cb?${q({ error: 'access_denied', state: S })}`),
        ];
      },
      expect: [{ variant: 'as-supports-iss' }],
    },
  ],
});
