import { obs, q, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './mixup-iss-mismatch';
import { areq, clean, coat, HONEST, mixup, P, statelessClean, statelessTransplant, ATTACKER } from '../../testing/mixup-scenarios';

const KC = 'https://sso.example.com/realms/myrealm';
const b64 = (o: unknown) => btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
const jwt = (payload: Record<string, unknown>) => `${b64({ alg: 'RS256' })}.${b64(payload)}.${rand('sig' + JSON.stringify(payload), 43)}`;
/** AS metadata (DT/HAR) naming `issuer` for HONEST's authorization endpoint */
const md = (issuer: string) => obs(`${HONEST}/.well-known/openid-configuration`, { type: 'fetch', responseBody: { issuer, authorization_endpoint: `${HONEST}/authorize` } });

import { keycloakBrokeringToGoogle, restartAtAnotherProvider, googleWithIss } from '../../testing/mixup-fixtures';

const TID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const OTHER_TID = '9188040d-6c67-4c5b-b112-36a304b66dad';
/** Entra hybrid form_post login (v1 endpoint unless `v2`), answered with an ID token naming `iss` */
function entra(iss: string, opts: { v2?: boolean } = {}) {
  const S = rand('entra-v1-' + iss);
  const n = rand('entra-n', 113);
  const a = `https://login.microsoftonline.com/${TID}/oauth2/${opts.v2 ? 'v2.0/' : ''}authorize?${q({ client_id: '00000003-0000-0ff1-ce00-000000000000', response_type: 'code id_token', response_mode: 'form_post', redirect_uri: `${P}/_forms/default.aspx`, scope: 'openid', state: S, nonce: n })}`;
  return [
    obs(a, { referer: `${P}/` }),
    obs(`${P}/_forms/default.aspx`, { method: 'POST', form: { code: rand('ec1'), id_token: jwt({ iss, aud: '00000003-0000-0ff1-ce00-000000000000', tid: TID, nonce: n }), state: S, session_state: rand('ss', 36) }, initiator: 'https://login.microsoftonline.com' }),
  ];
}
const GH = 'https://github.com/login/oauth/authorize';
/** seconds after the builders' T0 (2026-01-15): a day after GitHub started sending iss (2026-04-09) */
const AFTER_GH = 90 * 86400;

testRule(rule, {
  valid: [
    { name: 'stateless: a clean PKCE-only flow answered with its own iss', observations: () => statelessClean() },
    { name: 'Entra v1 endpoint: the v1 ID token names https://sts.windows.net/{tid}/ of the same tenant (alias, §3)', observations: () => entra(`https://sts.windows.net/${TID}/`) },
    { name: 'Entra v2 endpoint: the v2 issuer of the tenant', observations: () => entra(`https://login.microsoftonline.com/${TID}/v2.0`, { v2: true }) },
    { name: 'Entra v2 endpoint answered with the v1 issuer of the same tenant (one AS, two issuers)', observations: () => entra(`https://sts.windows.net/${TID}/`, { v2: true }) },
    {
      name: 'GitHub since 2026-04-09: iss=https://github.com/login/oauth (the table issuer, not the origin)',
      observations: () => {
        const S = rand('gh-iss');
        return [obs(`${GH}?${q({ client_id: 'Iv1.a', redirect_uri: `${P}/auth/github/callback`, state: S })}`, { referer: `${P}/`, at: AFTER_GH }), obs(`${P}/auth/github/callback?${q({ code: rand('ghc', 20), state: S, iss: 'https://github.com/login/oauth' })}`, { referer: 'https://github.com/' })];
      },
    },
    {
      name: 'Apple ID token naming https://account.apple.com (the issuer alias seen in June 2025)',
      observations: () => {
        const S = rand('apple-alias');
        const a = `https://appleid.apple.com/auth/authorize?${q({ client_id: 'com.example.web', redirect_uri: `${P}/auth/apple`, response_type: 'code id_token', response_mode: 'form_post', state: S, nonce: rand('aan') })}`;
        return [obs(a, { referer: `${P}/` }), obs(`${P}/auth/apple`, { method: 'POST', form: { state: S, code: rand('aac'), id_token: jwt({ iss: 'https://account.apple.com', aud: 'com.example.web' }) }, initiator: 'https://appleid.apple.com' })];
      },
    },
    {
      name: 'stale table: an iss on the provider\'s own origin that differs from the table is at most info',
      allow: ['info'],
      observations: () => {
        const S = rand('gh-stale');
        return [obs(`${GH}?${q({ client_id: 'Iv1.a', redirect_uri: `${P}/cb`, state: S })}`, { referer: `${P}/` }), obs(`${P}/cb?${q({ code: rand('ghsc', 20), state: S, iss: 'https://github.com/oauth2' })}`)];
      },
    },
    { name: 'a user restarting at another provider: the client itself sent the state to both ASes', observations: () => restartAtAnotherProvider() },
    { name: 'Keycloak brokering to Google (§3): each response names its own flow\'s AS', observations: keycloakBrokeringToGoogle },
    { name: 'Google response with iss (provider table)', observations: googleWithIss },
    {
      name: 'Entra /common/: the ID token names the user tenant (templated issuer)',
      observations: () => {
        const S = rand('entra-s');
        const b64 = (o: unknown) => btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
        const idt = `${b64({ alg: 'RS256' })}.${b64({ iss: 'https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0', aud: 'c' })}.${rand('sig', 43)}`;
        const a = `https://login.microsoftonline.com/common/oauth2/v2.0/authorize?${q({ client_id: 'c', response_type: 'code id_token', response_mode: 'fragment', redirect_uri: `${P}/signin-oidc`, scope: 'openid', state: S, nonce: rand('en') })}`;
        return [obs(a, { referer: `${P}/` }), obs('https://login.microsoftonline.com/common/login', { method: 'POST', form: { u: 'a' }, location: `${P}/signin-oidc#${q({ code: rand('ec'), id_token: idt, state: S })}` })];
      },
    },
    { name: 'a clean flow whose iss names its AS', observations: () => clean() },
    {
      name: 'Keycloak: iss has the realm path on the AS origin (origin comparison only when issuer unknown)',
      observations: () => {
        const S = rand('kc');
        return [
          obs(`https://sso.example.com/auth?${q({ client_id: 'c', response_type: 'code', redirect_uri: `${P}/cb`, state: S })}`, { referer: `${P}/` }),
          obs(`${P}/cb?${q({ state: S, iss: KC, code: rand('kcc') })}`, { referer: 'https://sso.example.com/' }),
        ];
      },
    },
    {
      name: 'Google with its provider issuer',
      observations: () => {
        const S = rand('g');
        return [
          obs(`https://accounts.google.com/o/oauth2/v2/auth?${q({ client_id: 'c.apps.googleusercontent.com', response_type: 'code', redirect_uri: `${P}/code`, state: S, nonce: rand('n') })}`),
          obs(`${P}/code?${q({ state: S, iss: 'https://accounts.google.com', code: `4/0A${rand('gc')}` })}`),
        ];
      },
    },
    {
      name: 'G4: a front-channel logout iframe with iss and sid is not a response',
      observations: () => [obs(`${P}/frontchannel_logout?${q({ iss: 'https://evil.example', sid: rand('sid') })}`, { type: 'sub_frame' })],
    },
    {
      name: 'Auth0 style: iss with a trailing slash on the AS origin (origin comparison only when issuer unknown)',
      observations: () => {
        const S = rand('a0');
        return [
          obs(`https://tenant.auth0.example/authorize?${q({ client_id: 'c', response_type: 'code', redirect_uri: `${P}/cb`, state: S })}`, { referer: `${P}/` }),
          obs(`${P}/cb?${q({ code: rand('a0c'), state: S, iss: 'https://tenant.auth0.example/' })}`, { referer: 'https://tenant.auth0.example/' }),
        ];
      },
    },
    {
      name: 'iss in the fragment naming its AS (keycloak-js response_mode=fragment)',
      observations: () => {
        const S = rand('frag-ok');
        const a = `${KC}/protocol/openid-connect/auth?${q({ client_id: 'spa', response_type: 'code', response_mode: 'fragment', redirect_uri: `${P}/`, state: S })}`;
        return [obs(a, { referer: `${P}/` }), obs(`${KC}/login-actions/authenticate`, { method: 'POST', form: { u: 'a' }, location: `${P}/#${q({ state: S, session_state: rand('ss', 36), iss: KC, code: rand('frag-okc') })}` }), obs(`${P}/#${q({ state: S, session_state: rand('ss', 36), iss: KC, code: rand('frag-okc') })}`, { navigationOnly: true })];
      },
    },
    {
      name: 'form_post response whose iss and ID token iss name the provider (Apple shape)',
      observations: () => {
        const S = rand('apple');
        const a = `https://appleid.apple.com/auth/authorize?${q({ client_id: 'com.example.web', redirect_uri: `${P}/auth/apple`, response_type: 'code id_token', scope: 'name email', response_mode: 'form_post', state: S, nonce: rand('an') })}`;
        return [
          obs(a, { referer: `${P}/` }),
          obs(`${P}/auth/apple`, { method: 'POST', form: { state: S, code: rand('ac'), id_token: jwt({ iss: 'https://appleid.apple.com', aud: 'com.example.web' }) }, initiator: 'https://appleid.apple.com' }),
        ];
      },
    },
    {
      name: 'metadata issuer with a path: the response names exactly that issuer',
      observations: () => {
        const S = rand('md-ok');
        return [md(`${HONEST}/tenant1`), obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: S }), { referer: `${P}/` }), obs(`${P}/cb?${q({ code: rand('md-okc'), state: S, iss: `${HONEST}/tenant1` })}`)];
      },
    },
    {
      name: 'G4: third-party-initiated login (iss, login_hint, target_link_uri) is not a response',
      observations: () => [...clean(), obs(`${P}/initiate_login?${q({ iss: 'https://other-op.example', login_hint: 'alice', target_link_uri: `${P}/home` })}`, { referer: 'https://other-op.example/' })],
    },
    {
      name: 'G4: mod_auth_openidc discovery URL redirect_uri?iss=… (no code) is not a response',
      observations: () => [...clean(), obs(`${P}/cb/honest-tool?${q({ iss: 'https://other-op.example', target_link_uri: `${P}/protected` })}`, { referer: `${P}/` })],
    },
    {
      name: 'G3: reload of a clean callback that names its AS',
      observations: () => {
        const c = clean();
        return [...c, obs(c[c.length - 1].url, { transition: { type: 'reload', qualifiers: [] } })];
      },
    },
  ],
  invalid: [
    {
      name: 'stateless mix-up (code_challenge relayed) answered with the honest iss: critical, heuristic (only timing links the callback)',
      observations: () => [obs(`${ATTACKER}/.well-known/openid-configuration`, { type: 'fetch', responseBody: { issuer: ATTACKER, authorization_endpoint: `${ATTACKER}/authorize` } }), ...statelessTransplant({ mode: 'mixup' })],
      expect: [{ severity: 'critical', confidence: 'heuristic', param: 'code_challenge', message: /only the tab, the redirect_uri and the timing/ }],
    },
    {
      name: 'stateless COAT with issuers known only by origin: high, heuristic',
      observations: () => statelessTransplant(),
      expect: [{ severity: 'high', confidence: 'heuristic', param: 'code_challenge' }],
    },
    {
      name: 'a second fragment response at the same callback in the same tab is a new delivery, not a reload (G3 compares the fragment too)',
      observations: () => {
        const S1 = rand('frag-1');
        const S2 = rand('frag-2');
        const areqKc = (s: string) => obs(`${KC}/protocol/openid-connect/auth?${q({ client_id: 'spa', response_type: 'code', response_mode: 'fragment', redirect_uri: `${P}/spa`, state: s })}`, { referer: `${P}/spa` });
        return [
          areqKc(S1),
          obs(`${P}/spa#${q({ state: S1, iss: KC, code: rand('frag-1c') })}`, { navigationOnly: true }),
          areqKc(S2),
          obs(`${P}/spa#${q({ state: S2, iss: 'https://attacker-as.example', code: rand('frag-2c') })}`, { navigationOnly: true }),
        ];
      },
      expect: [{ severity: 'critical', param: 'iss', message: /attacker-as\.example/, count: 1 }],
    },
    {
      name: 'mismatching iss in the fragment',
      observations: () => {
        const S = rand('frag-x');
        return [
          obs(`${KC}/protocol/openid-connect/auth?${q({ client_id: 'spa', response_type: 'code', response_mode: 'fragment', redirect_uri: `${P}/`, state: S })}`, { referer: `${P}/` }),
          obs(`${P}/#${q({ state: S, iss: 'https://attacker-as.example', code: rand('frag-xc') })}`, { navigationOnly: true }),
        ];
      },
      expect: [{ severity: 'critical', param: 'iss', message: /attacker-as\.example/ }],
    },
    {
      name: 'mismatching iss in a form_post body',
      observations: () => {
        const S = rand('fp-x');
        return [
          obs(`https://accounts.google.com/o/oauth2/v2/auth?${q({ client_id: 'c.apps.googleusercontent.com', response_type: 'code', response_mode: 'form_post', redirect_uri: `${P}/signin`, state: S, nonce: rand('fpn') })}`, { referer: `${P}/` }),
          obs(`${P}/signin`, { method: 'POST', form: { state: S, iss: 'https://attacker-as.example', code: rand('fp-xc') }, initiator: 'https://accounts.google.com' }),
        ];
      },
      expect: [{ severity: 'critical', param: 'iss' }],
    },
    {
      name: 'no iss parameter, but the front-channel ID token names another issuer',
      observations: () => {
        const S = rand('idt-x');
        const a = `https://appleid.apple.com/auth/authorize?${q({ client_id: 'com.example.web', redirect_uri: `${P}/auth/apple`, response_type: 'code id_token', response_mode: 'form_post', state: S, nonce: rand('idn') })}`;
        return [obs(a, { referer: `${P}/` }), obs(`${P}/auth/apple`, { method: 'POST', form: { state: S, code: rand('idc'), id_token: jwt({ iss: 'https://attacker-as.example', aud: 'com.example.web' }) } })];
      },
      expect: [{ severity: 'critical', param: 'id_token' }],
    },
    {
      name: 'JARM response whose iss names another issuer',
      observations: () => {
        const S = rand('jarm-x');
        return [
          obs(`https://accounts.google.com/o/oauth2/v2/auth?${q({ client_id: 'c', response_type: 'code', response_mode: 'query.jwt', redirect_uri: `${P}/code`, state: S })}`, { referer: `${P}/` }),
          obs(`${P}/code?${q({ state: S, response: jwt({ iss: 'https://attacker-as.example', aud: 'c', code: rand('jc'), state: S }) })}`),
        ];
      },
      expect: [{ severity: 'critical', param: 'response' }],
    },
    {
      name: 'issuer known from metadata: an iss on the same origin but without the issuer path is a mismatch (string comparison)',
      observations: () => {
        const S = rand('md-x');
        return [md(`${HONEST}/tenant1`), obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: S }), { referer: `${P}/` }), obs(`${P}/cb?${q({ code: rand('md-xc'), state: S, iss: `${HONEST}/tenant2` })}`)];
      },
      expect: [{ severity: 'critical', param: 'iss', message: /tenant2/ }],
    },
    {
      name: 'stale provider table: GitHub answers with an issuer on its own origin that the table does not list → info provider-table-stale naming the table row',
      observations: () => {
        const S = rand('gh-stale2');
        return [obs(`${GH}?${q({ client_id: 'Iv1.a', redirect_uri: `${P}/cb`, state: S })}`, { referer: `${P}/` }), obs(`${P}/cb?${q({ code: rand('ghs2', 20), state: S, iss: 'https://github.com' })}`)];
      },
      expect: [{ severity: 'info', variant: 'provider-table-stale', providerTable: true, message: /GitHub answered with iss parameter https:\/\/github\.com, on its own origin, but CoatCheck's provider table says its issuer is https:\/\/github\.com\/login\/oauth \(checked 20\d\d-\d\d-\d\d\)/, count: 1 }],
    },
    {
      name: 'GitHub answered with a foreign iss: still a mix-up, critical, basis the table',
      observations: () => {
        const S = rand('gh-foreign');
        return [obs(`${GH}?${q({ client_id: 'Iv1.a', redirect_uri: `${P}/cb`, state: S })}`, { referer: `${P}/`, at: AFTER_GH }), obs(`${P}/cb?${q({ code: rand('ghf', 20), state: S, iss: 'https://attacker-as.example' })}`)];
      },
      expect: [{ severity: 'critical', param: 'iss', providerTable: true }],
    },
    { name: 'Entra v1 ID token of another tenant (sts.windows.net, other tid): a mix-up', observations: () => entra(`https://sts.windows.net/${OTHER_TID}/`), expect: [{ severity: 'critical', param: 'id_token' }] },
    { name: 'Entra v1 ID token on another origin: a mix-up', observations: () => entra(`https://sts.windows-login.example/${TID}/`), expect: [{ severity: 'critical', param: 'id_token' }] },
    { name: 'Entra v2 endpoint answered with the v2 issuer of another tenant (same origin, other tenant): a mix-up, not a stale table', observations: () => entra(`https://login.microsoftonline.com/${OTHER_TID}/v2.0`, { v2: true }), expect: [{ severity: 'critical', param: 'id_token' }] },
    {
      name: 'hard knowledge: a mismatch against the iss an earlier flow of the capture showed is critical (no table involved)',
      observations: () => {
        const S1 = rand('hk1');
        const S2 = rand('hk2');
        return [
          obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: S1 }), { referer: `${P}/` }),
          obs(`${P}/cb?${q({ code: rand('hk1c'), state: S1, iss: `${HONEST}/realms/main` })}`),
          obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: S2 }), { referer: `${P}/` }),
          obs(`${P}/cb?${q({ code: rand('hk2c'), state: S2, iss: `${HONEST}/realms/other` })}`),
        ];
      },
      expect: [{ severity: 'critical', param: 'iss', message: /an earlier flow of this capture/, providerTable: false, count: 1 }],
    },
    {
      name: 'issuer known from the provider table: a case variant of the issuer on its own origin is the stale-table note, not a verdict (§0.4)',
      observations: () => {
        const S = rand('case');
        return [
          obs(`https://accounts.google.com/o/oauth2/v2/auth?${q({ client_id: 'c', response_type: 'code', redirect_uri: `${P}/code`, state: S })}`, { referer: `${P}/` }),
          obs(`${P}/code?${q({ state: S, iss: 'https://Accounts.Google.com', code: rand('casec') })}`),
        ];
      },
      expect: [{ severity: 'info', variant: 'provider-table-stale' }],
    },
    {
      name: 'issuer known only by origin: an iss on another origin is high and heuristic',
      observations: () => {
        const S = rand('orig-x');
        return [
          obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: S }), { referer: `${P}/` }),
          obs(`${P}/cb?${q({ code: rand('orig-xc'), state: S, iss: 'https://attacker-as.example' })}`, { referer: `${HONEST}/` }),
        ];
      },
      expect: [{ severity: 'high', param: 'iss', message: /issuer known only by its origin/ }],
    },
    {
      name: 'error responses carry iss too (RFC 9207 §2): a mismatching iss on an error',
      observations: () => {
        const S = rand('err-x');
        return [
          obs(`${KC}/protocol/openid-connect/auth?${q({ client_id: 'c', response_type: 'code', redirect_uri: `${P}/cb`, state: S })}`, { referer: `${P}/` }),
          obs(`${P}/cb?${q({ error: 'access_denied', state: S, iss: 'https://attacker-as.example' })}`),
        ];
      },
      expect: [{ severity: 'critical', param: 'iss' }],
    },
    {
      name: 'iss that is not https (RFC 9207 §2) is low',
      observations: () => {
        const S = rand('http-iss');
        return [obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: S }), { referer: `${P}/` }), obs(`${P}/cb?${q({ code: rand('hic'), state: S, iss: 'http://honest-as.example' })}`)];
      },
      expect: [{ severity: 'low', variant: 'iss-malformed' }],
    },
    {
      name: 'iss with a query (RFC 9207 §2) is low',
      observations: () => {
        const S = rand('q-iss');
        return [obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: S }), { referer: `${P}/` }), obs(`${P}/cb?${q({ code: rand('qic'), state: S, iss: `${HONEST}?tenant=a` })}`)];
      },
      expect: [{ severity: 'low', variant: 'iss-malformed' }],
    },
    {
      name: 'COAT: the response names the AS the state was relayed to, not AS1',
      observations: () => coat(),
      expect: [{ severity: 'high', param: 'iss', message: /attacker-as/ }],
    },
    {
      name: 'Entra /common/ flow answered with an issuer outside the template',
      observations: () => {
        const S = rand('entra-x');
        const a = `https://login.microsoftonline.com/common/oauth2/v2.0/authorize?${q({ client_id: 'c', response_type: 'code', redirect_uri: `${P}/signin-oidc`, scope: 'openid', state: S })}`;
        return [obs(a, { referer: `${P}/` }), obs(`${P}/signin-oidc?${q({ code: rand('ex'), state: S, iss: 'https://evil-tenant.example/v2.0' })}`, { referer: 'https://login.microsoftonline.com/' })];
      },
      expect: [{ severity: 'critical', param: 'iss' }],
    },
    { name: 'mix-up: the honest AS names itself while the flow started at the attacker', observations: () => mixup(), expect: [{ severity: 'high', param: 'iss', message: /attacker-as/ }] },
    {
      name: 'issuer known from the provider table: critical',
      observations: () => {
        const S = rand('gm');
        return [
          obs(`https://accounts.google.com/o/oauth2/v2/auth?${q({ client_id: 'c', response_type: 'code', redirect_uri: `${P}/code`, state: S })}`),
          obs(`${P}/code?${q({ state: S, iss: 'https://accounts.evil.example', code: rand('gmc') })}`),
        ];
      },
      expect: [{ severity: 'critical' }],
    },
    {
      name: 'iss parameter differs from the ID token iss',
      observations: () => {
        const S = rand('it');
        const idt = `eyJhbGciOiJSUzI1NiJ9.${btoa(JSON.stringify({ iss: 'https://other.example', aud: 'h' })).replace(/=+$/, '')}.c2ln`;
        return [obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: S })), obs(`${P}/cb#${q({ state: S, iss: HONEST, id_token: idt, code: rand('itc') })}`, { navigationOnly: true })];
      },
      expect: [{ variant: 'param-vs-id-token', severity: 'high' }],
    },
  ],
});
