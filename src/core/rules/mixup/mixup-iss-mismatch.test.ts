import { obs, q, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './mixup-iss-mismatch';
import { areq, clean, HONEST, mixup, P } from './scenarios';

const KC = 'https://sso.example.com/realms/myrealm';

import { keycloakBrokeringToGoogle, restartAtAnotherProvider, googleWithIss } from './fixtures';

testRule(rule, {
  valid: [
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
  ],
  invalid: [
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
