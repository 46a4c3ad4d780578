import type { Observation } from '../../observe/observation';
import { obs, post, q, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './mixup-code-sent-to-wrong-token-endpoint';
import { googleWithIss } from '../../testing/mixup-fixtures';
import { areq, ATTACKER, clean, coat, HONEST, mixup, P , statelessClean, statelessTransplant } from '../../testing/mixup-scenarios';

/** The client (server-side, seen by a proxy HAR) redeems the code of the last response at `tokenUrl`. */
function redeem(observations: Observation[], tokenUrl: string): Observation[] {
  const last = observations[observations.length - 1];
  const code = new URL(last.url).searchParams.get('code')!;
  return [...observations, post(tokenUrl, { grant_type: 'authorization_code', code, redirect_uri: last.url.split('?')[0], client_id: 'c' }, { context: 'proxy:1' })];
}

function md(issuer: string, token: string): Observation {
  return obs(`${issuer}/.well-known/openid-configuration`, { type: 'fetch', responseBody: { issuer, authorization_endpoint: `${issuer}/authorize`, token_endpoint: token } });
}

testRule(rule, {
  valid: [
    { name: 'stateless: a clean PKCE-only flow redeemed at its AS', observations: () => redeem(statelessClean(), `${HONEST}/token`) },
    { name: 'stateless COAT, but the client redeems at the AS that minted the code (Auth.js: the callback path names the provider)', observations: () => redeem(statelessTransplant(), `${HONEST}/token`) },
    { name: 'a clean flow redeemed at its AS', observations: () => redeem(clean(), `${HONEST}/token`) },
    { name: 'COAT, but the client redeems at the AS that minted the code (it checked iss)', observations: () => redeem(coat(), `${HONEST}/token`) },
    { name: 'mix-up, the client posts the code to its own back end (BFF): proves nothing', observations: () => redeem(mixup(), `${P}/api/token`) },
    { name: 'Google: token endpoint on oauth2.googleapis.com (provider table)', observations: () => redeem(googleWithIss(), 'https://oauth2.googleapis.com/token') },
    {
      name: 'metadata token endpoint on another site than the authorization endpoint',
      observations: () => [md(HONEST, 'https://tokens.honest-cdn.example/oauth/token'), ...redeem(coat(), 'https://tokens.honest-cdn.example/oauth/token')],
    },
    { name: 'a single-AS flow redeemed at an unrelated host proves no mix-up', observations: () => redeem(clean(), `${ATTACKER}/token`) },
    { name: 'mix-up without iss: the client redeems at the AS that redirected the response', observations: () => redeem(mixup({ iss: false }), `${HONEST}/token`) },
    {
      name: 'G2: a flow across two hosts of one AS site redeemed at one of them',
      observations: () => {
        const S = rand('g2');
        const p = { client_id: 'c', redirect_uri: `${P}/cb`, state: S };
        const a1 = areq('https://example-as.com', p);
        const a2 = areq('https://www.example-as.com', p);
        const resp = `${P}/cb?${q({ code: rand('g2c'), state: S })}`;
        return redeem([obs(a1, { location: a2, referer: `${P}/` }), obs(a2), obs('https://www.example-as.com/login', { method: 'POST', form: { u: 'a' }, location: resp }), obs(resp)], 'https://example-as.com/oauth/token');
      },
    },
    {
      name: 'a token request with a code no response of this capture delivered',
      observations: () => [...coat(), post(`${ATTACKER}/token`, { grant_type: 'authorization_code', code: rand('never-seen'), redirect_uri: `${P}/cb/honest-tool`, client_id: 'c' }, { context: 'proxy:1' })],
    },
    {
      name: 'the AS metadata names a token endpoint on a CDN host: redeeming a single-AS code there is fine',
      observations: () => [md(HONEST, 'https://tokens.honest-cdn.example/oauth/token'), ...redeem(clean(), 'https://tokens.honest-cdn.example/oauth/token')],
    },
    {
      name: 'metadata of another issuer on the same site as the minter (two tenants of one AS)',
      observations: () => [
        obs(`${HONEST}/t2/.well-known/openid-configuration`, { type: 'fetch', context: 'proxy:1', responseBody: { issuer: `${HONEST}/t2`, authorization_endpoint: `${HONEST}/t2/authorize`, token_endpoint: `${HONEST}/t2/token` } }),
        ...redeem(clean(), `${HONEST}/t2/token`),
      ],
    },
    {
      name: 'an issuer whose authorization endpoint is on another site: its response names it, the code goes to its token endpoint',
      observations: () => {
        const ISS = 'https://login.foo-id.example';
        const S = rand('split');
        const resp = `${P}/cb?${q({ code: rand('splitc'), state: S, iss: ISS })}`;
        return redeem([
          obs(`${ISS}/.well-known/openid-configuration`, { type: 'fetch', context: 'proxy:1', responseBody: { issuer: ISS, authorization_endpoint: 'https://auth.foo-edge.example/authorize', token_endpoint: `${ISS}/token` } }),
          obs(areq('https://auth.foo-edge.example', { client_id: 'c', redirect_uri: `${P}/cb`, state: S }), { referer: `${P}/` }),
          obs('https://auth.foo-edge.example/login', { method: 'POST', form: { u: 'a' }, location: resp }),
          obs(resp),
        ], `${ISS}/token`);
      },
    },
  ],
  invalid: [
    {
      name: 'stateless COAT: the honest code redeemed at the attacker token endpoint (callback linked by timing: heuristic)',
      observations: () => redeem(statelessTransplant(), `${ATTACKER}/token`),
      expect: [{ severity: 'critical', confidence: 'heuristic', param: 'code_challenge', message: /this flow's PKCE code_challenge went to.*only the tab, the redirect_uri and the timing/ }],
    },
    {
      name: 'no second hop: the attacker metadata reuses the honest authorization endpoint, the honest code goes to its token endpoint',
      observations: () => [
        obs(`${ATTACKER}/.well-known/openid-configuration`, { type: 'fetch', context: 'proxy:1', responseBody: { issuer: ATTACKER, authorization_endpoint: `${HONEST}/authorize`, token_endpoint: `${ATTACKER}/token` } }),
        ...redeem(clean(), `${ATTACKER}/token`),
      ],
      expect: [{ severity: 'critical', param: 'code', variant: 'no-second-hop', message: /attacker-as\.example/ }],
    },
    {
      name: 'COAT without iss: the honest AS redirected the response, the code goes to the attacker token endpoint',
      observations: () => redeem(coat({ iss: false }), `${ATTACKER}/token`),
      expect: [{ severity: 'critical', param: 'code', message: /redirected the response/ }],
    },
    {
      name: 'DT: the SPA itself posts the code to the attacker token endpoint (same tab)',
      observations: () => {
        const o = mixup();
        const code = new URL(o[o.length - 1].url).searchParams.get('code')!;
        return [...o, post(`${ATTACKER}/oauth/token`, { grant_type: 'authorization_code', code, redirect_uri: `${P}/cb`, client_id: 'client-at-attacker', code_verifier: rand('v', 43) }, { initiator: P })];
      },
      expect: [{ severity: 'critical', message: /iss names/ }],
    },
    {
      name: 'COAT: the honest code is redeemed at the attacker AS token endpoint (the theft)',
      observations: () => redeem(coat(), `${ATTACKER}/token`),
      expect: [{ severity: 'critical', param: 'code', message: /attacker-as\.example/ }],
    },
    {
      name: 'classic mix-up without iss: the AS that redirected the response minted the code',
      observations: () => redeem(mixup({ iss: false }), `${ATTACKER}/oauth/token`),
      expect: [{ severity: 'critical' }],
    },
    {
      name: 'mix-up with metadata: the code goes to the token endpoint the attacker metadata names',
      observations: () => [md(ATTACKER, 'https://tok.attacker-infra.example/t'), ...redeem(mixup(), 'https://tok.attacker-infra.example/t')],
      expect: [{ severity: 'critical' }],
    },
  ],
});

