import { obs, post, q, rand, redirect } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './pkce-challenge-reused';

const AS = 'https://as.example/authorize';
const CB = 'https://app.example/cb';
const C = rand('challenge', 43);
const areq = (p: Record<string, string | undefined>, init = {}) =>
  obs(`${AS}?${q({ response_type: 'code', client_id: 'spa', redirect_uri: CB, code_challenge_method: 'S256', ...p })}`, init);

testRule(rule, {
  valid: [
    { name: 'two flows, two fresh challenges', observations: () => [areq({ state: rand('s1'), code_challenge: rand('c1', 43) }), areq({ state: rand('s2'), code_challenge: rand('c2', 43) })] },
    { name: 'the same request reloaded (G3)', observations: () => {
      const url = `${AS}?${q({ response_type: 'code', client_id: 'spa', redirect_uri: CB, state: rand('s1'), code_challenge: C, code_challenge_method: 'S256' })}`;
      return [obs(url), obs(url, { transition: { type: 'reload', qualifiers: [] } })];
    } },
    { name: 'the same state and challenge at another host of the AS (G2, one flow)', observations: () => [
      areq({ state: rand('s1'), code_challenge: C }),
      obs(`https://login.as.example/authorize?${q({ response_type: 'code', client_id: 'spa', redirect_uri: CB, state: rand('s1'), code_challenge: C, code_challenge_method: 'S256' })}`),
    ] },
    { name: 'the same state re-sent with prompt=login (joined flow)', observations: () => [areq({ state: rand('s1'), code_challenge: C }), areq({ state: rand('s1'), code_challenge: C, prompt: 'login' })] },
    { name: 'two stateless requests with one challenge (no states to tell two transactions apart)', observations: () => [areq({ code_challenge: C }), areq({ code_challenge: C, prompt: 'login' })] },
    { name: 'Keycloak brokering to Google: each hop its own challenge (§3 federation fixture)', observations: () => [
      ...redirect(
        `https://sso.example.com/realms/myrealm/protocol/openid-connect/auth?${q({ client_id: 'my-spa', redirect_uri: 'https://app.example.com/', state: rand('k1'), response_type: 'code', scope: 'openid', nonce: rand('kn'), code_challenge: rand('kc', 43), code_challenge_method: 'S256' })}`,
        `https://accounts.google.com/o/oauth2/v2/auth?${q({ client_id: '424911365001.apps.googleusercontent.com', redirect_uri: 'https://sso.example.com/realms/myrealm/broker/google/endpoint', state: rand('g1'), response_type: 'code', scope: 'openid email', code_challenge: rand('gc', 43), code_challenge_method: 'S256' })}`,
      ),
    ] },
    { name: 'PAR request_uri: challenge unknown', observations: () => [obs(`${AS}?${q({ client_id: 'spa', request_uri: 'urn:ietf:params:oauth:request_uri:r1' })}`), obs(`${AS}?${q({ client_id: 'spa', request_uri: 'urn:ietf:params:oauth:request_uri:r2' })}`)] },
    { name: 'no PKCE in either flow', observations: () => [areq({ state: rand('s1'), code_challenge_method: undefined }), areq({ state: rand('s2'), code_challenge_method: undefined })] },
  ],
  invalid: [
    { name: 'one challenge in two flows with different states', observations: () => [areq({ state: rand('s1'), code_challenge: C }), areq({ state: rand('s2'), code_challenge: C })], expect: [{ severity: 'high', variant: 'reused', param: 'code_challenge' }] },
    { name: 'the evidence names both requests', observations: () => [areq({ state: rand('s1'), code_challenge: C }), areq({ state: rand('s2'), code_challenge: C })], expect: [{ message: /same code_challenge as an earlier/ }] },
    { name: 'reused in another tab', observations: () => [areq({ state: rand('s1'), code_challenge: C }), areq({ state: rand('s2'), code_challenge: C }, { context: 'tab:2' })], expect: [{ variant: 'reused', message: /another tab/ }] },
    { name: 'three logins with one static challenge: one finding per tab', observations: () => [areq({ state: rand('s1'), code_challenge: C }), areq({ state: rand('s2'), code_challenge: C }), areq({ state: rand('s3'), code_challenge: C })], expect: [{ variant: 'reused', count: 1 }] },
    { name: 'plain challenge reused', observations: () => [areq({ state: rand('s1'), code_challenge: rand('v', 64), code_challenge_method: 'plain' }), areq({ state: rand('s2'), code_challenge: rand('v', 64), code_challenge_method: 'plain' })], expect: [{ variant: 'reused' }] },
    { name: 'reused by a PAR request (DT/HAR pushed body)', observations: () => [
      areq({ state: rand('s1'), code_challenge: C }),
      post('https://as.example/par', { client_id: 'spa', redirect_uri: CB, response_type: 'code', state: rand('s2'), code_challenge: C, code_challenge_method: 'S256' }, { status: 201, responseBody: { request_uri: 'urn:ietf:params:oauth:request_uri:r3', expires_in: 60 } }),
      obs(`${AS}?${q({ client_id: 'spa', request_uri: 'urn:ietf:params:oauth:request_uri:r3' })}`),
    ], expect: [{ variant: 'reused' }] },
    { name: 'the RFC 7636 Appendix B challenge (G7: a doc placeholder in production)', observations: () => [areq({ state: rand('s1'), code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM' })], expect: [{ severity: 'high', variant: 'rfc7636-example' }] },
    { name: 'the RFC 7636 Appendix B verifier sent as a plain challenge', observations: () => [areq({ state: rand('s1'), code_challenge: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk', code_challenge_method: 'plain' })], expect: [{ variant: 'rfc7636-example', message: /verifier as its challenge/ }] },
    { name: 'Appendix B challenge in a stateless request still fires', observations: () => [areq({ code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM' })], expect: [{ variant: 'rfc7636-example' }] },
  ],
});
