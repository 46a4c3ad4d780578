import { obs, post, q, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import { fakeJwt } from '../../tokens/jwt-builder';
import rule from './nonce-reused-or-mismatch';

const AS = 'https://as.example/authorize';
const CB = 'https://app.example/cb';
const TOKEN = 'https://as.example/token';
const now = 1768471200;
const N = rand('nonce', 24);
const idt = (c: Record<string, unknown>) => fakeJwt({ alg: 'RS256', kid: 'k1' }, { iss: 'https://as.example', sub: 'u1', aud: 'c1', iat: now, exp: now + 300, ...c });
const areq = (p: Record<string, string | undefined>, init = {}) => obs(`${AS}?${q({ response_type: 'code', client_id: 'c1', redirect_uri: CB, scope: 'openid', ...p })}`, init);

/** hybrid form_post: the ID token arrives in the front channel */
function frontChannel(token: string, nonce: string | undefined = N) {
  const state = rand('s');
  return [
    obs(`${AS}?${q({ response_type: 'code id_token', response_mode: 'form_post', client_id: 'c1', redirect_uri: CB, state, nonce, scope: 'openid' })}`),
    obs(CB, { method: 'POST', form: { state, code: rand('c'), id_token: token } }),
  ];
}

/** code flow: the ID token arrives in the token response */
function codeFlow(token: string, opts: { nonce?: string; grant?: string; status?: number } = {}) {
  const state = rand('s');
  const code = rand('c');
  return [
    areq({ state, nonce: 'nonce' in opts ? opts.nonce : N }),
    obs(`${CB}?${q({ state, code })}`, { initiator: 'https://as.example' }),
    post(TOKEN, { grant_type: opts.grant ?? 'authorization_code', code, redirect_uri: CB, client_id: 'c1' }, { status: opts.status, responseBody: { access_token: rand('at'), token_type: 'Bearer', expires_in: 300, id_token: token } }),
  ];
}

testRule(rule, {
  valid: [
    { name: 'front channel: nonce matches', observations: () => frontChannel(idt({ nonce: N })) },
    { name: 'token response: nonce matches', observations: () => codeFlow(idt({ nonce: N })) },
    { name: 'no nonce sent and none in the ID token (nonce-missing, not this)', observations: () => codeFlow(idt({}), { nonce: undefined }) },
    { name: 'refresh_token grant ID token without nonce is out of scope', observations: () => {
      const [a, b] = codeFlow(idt({ nonce: N }));
      return [a, b, post(TOKEN, { grant_type: 'refresh_token', refresh_token: rand('rt'), client_id: 'c1' }, { responseBody: { access_token: rand('at2'), id_token: idt({}) } })];
    } },
    { name: 'token error response (400) is not judged', observations: () => codeFlow(idt({ nonce: 'other' }), { status: 400 }) },
    { name: 'two flows, two fresh nonces', observations: () => [areq({ state: rand('s1'), nonce: rand('n1') }), areq({ state: rand('s2'), nonce: rand('n2') })] },
    { name: 'the same request reloaded (G3)', observations: () => {
      const url = `${AS}?${q({ response_type: 'code', client_id: 'c1', redirect_uri: CB, scope: 'openid', state: rand('s1'), nonce: N })}`;
      return [obs(url), obs(url, { transition: { type: 'reload', qualifiers: [] } })];
    } },
    { name: 'the same state and nonce re-sent with prompt=login (one flow)', observations: () => [areq({ state: rand('s1'), nonce: N }), areq({ state: rand('s1'), nonce: N, prompt: 'login' })] },
    { name: 'stateless requests sharing a nonce (no states to tell transactions apart)', observations: () => [areq({ nonce: N }), areq({ nonce: N, prompt: 'login' })] },
    { name: 'retry under the same state with a fresh nonce: the ID token carries the second', observations: () => {
      const state = rand('s');
      const code = rand('c');
      const n2 = rand('nonce2', 24);
      return [
        areq({ state, nonce: N }),
        areq({ state, nonce: n2, prompt: 'login' }),
        obs(`${CB}?${q({ state, code })}`, { initiator: 'https://as.example' }),
        post(TOKEN, { grant_type: 'authorization_code', code, redirect_uri: CB, client_id: 'c1' }, { responseBody: { access_token: rand('at'), id_token: idt({ nonce: n2 }) } }),
      ];
    } },
    { name: 'opaque PAR: the nonce sent is unknown', observations: () => {
      const code = rand('c');
      return [
        obs(`${AS}?${q({ client_id: 'c1', request_uri: 'urn:ietf:params:oauth:request_uri:n1' })}`),
        obs(`${CB}?${q({ state: rand('s'), code })}`, { initiator: 'https://as.example' }),
        post(TOKEN, { grant_type: 'authorization_code', code, client_id: 'c1' }, { responseBody: { access_token: rand('at'), id_token: idt({}) } }),
      ];
    } },
    { name: 'Keycloak brokering to Google: each hop its own nonce (§3 federation fixture)', observations: () => [
      obs(`https://sso.example.com/realms/myrealm/protocol/openid-connect/auth?${q({ client_id: 'my-spa', redirect_uri: 'https://app.example.com/', state: rand('k1'), response_type: 'code', scope: 'openid', nonce: rand('kn') })}`, { location: `https://accounts.google.com/o/oauth2/v2/auth?${q({ client_id: 'g', redirect_uri: 'https://sso.example.com/realms/myrealm/broker/google/endpoint', state: rand('g1'), response_type: 'code', scope: 'openid', nonce: rand('gn') })}` }),
      obs(`https://accounts.google.com/o/oauth2/v2/auth?${q({ client_id: 'g', redirect_uri: 'https://sso.example.com/realms/myrealm/broker/google/endpoint', state: rand('g1'), response_type: 'code', scope: 'openid', nonce: rand('gn') })}`),
    ] },
    { name: 'a JWE ID token cannot be read', observations: () => frontChannel(`eyJhbGciOiJSU0EtT0FFUCJ9.${rand('k', 40)}.${rand('iv', 16)}.${rand('ct', 60)}.${rand('tag', 22)}`) },
  ],
  invalid: [
    { name: 'front channel: nonce differs', observations: () => frontChannel(idt({ nonce: rand('other') })), expect: [{ severity: 'high', variant: 'front-channel-mismatch', param: 'id_token' }] },
    { name: 'front channel: nonce claim absent although sent', observations: () => frontChannel(idt({})), expect: [{ severity: 'high', variant: 'front-channel-missing' }] },
    { name: 'token response: nonce differs', observations: () => codeFlow(idt({ nonce: rand('other') })), expect: [{ severity: 'high', variant: 'token-response-mismatch', param: 'nonce' }] },
    { name: 'token response: nonce claim absent although sent', observations: () => codeFlow(idt({})), expect: [{ severity: 'high', variant: 'token-response-missing' }] },
    { name: 'non-string nonce claim is a mismatch', observations: () => codeFlow(idt({ nonce: 12345 })), expect: [{ variant: 'token-response-mismatch' }] },
    { name: 'one nonce in two flows with different states', observations: () => [areq({ state: rand('s1'), nonce: N }), areq({ state: rand('s2'), nonce: N })], expect: [{ severity: 'medium', variant: 'reused', param: 'nonce' }] },
    { name: 'nonce reused in another tab, reported once per nonce and tab', observations: () => [areq({ state: rand('s1'), nonce: N }), areq({ state: rand('s2'), nonce: N }, { context: 'tab:2' }), areq({ state: rand('s3'), nonce: N }, { context: 'tab:2' })], expect: [{ variant: 'reused', message: /another tab/, count: 1 }] },
    { name: 'PAR whose pushed body (DT/HAR) had the nonce: ID token without it', observations: () => {
      const state = rand('s');
      const code = rand('c');
      return [
        post('https://as.example/par', { client_id: 'c1', redirect_uri: CB, response_type: 'code', scope: 'openid', state, nonce: N }, { status: 201, responseBody: { request_uri: 'urn:ietf:params:oauth:request_uri:n2', expires_in: 60 } }),
        obs(`${AS}?${q({ client_id: 'c1', request_uri: 'urn:ietf:params:oauth:request_uri:n2' })}`),
        obs(`${CB}?${q({ state, code })}`, { initiator: 'https://as.example' }),
        post(TOKEN, { grant_type: 'authorization_code', code, client_id: 'c1' }, { responseBody: { access_token: rand('at'), id_token: idt({ nonce: rand('x') }) } }),
      ];
    }, expect: [{ variant: 'token-response-mismatch' }] },
  ],
});
