import { obs, post, q, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import { pkceS256 } from '../../util/sha256';
import rule from './pkce-downgrade-accepted';

const AS = 'https://as.example/authorize';
const CB = 'https://app.example/cb';
const TOKEN = 'https://as.example/token';
const V = rand('verifier', 64);
const tokens = { access_token: rand('at'), token_type: 'Bearer', expires_in: 300 };

/** authorization request with `pkce` → callback → token request with a verifier */
function flow(pkce: Record<string, string | undefined>, init: Parameters<typeof post>[2] = { responseBody: tokens }, verifier: string | null = V) {
  const state = rand('s');
  const code = rand('code');
  return [
    obs(`${AS}?${q({ response_type: 'code', client_id: 'spa', redirect_uri: CB, state, scope: 'openid', nonce: rand('n'), ...pkce })}`),
    obs(`${CB}?${q({ state, code })}`, { initiator: 'https://as.example' }),
    post(TOKEN, { grant_type: 'authorization_code', code, client_id: 'spa', redirect_uri: CB, ...(verifier !== null ? { code_verifier: verifier } : {}) }, init),
  ];
}

const metadata = (methods: string[] | undefined) =>
  obs('https://as.example/.well-known/openid-configuration', {
    type: 'fetch',
    responseBody: { issuer: 'https://as.example', authorization_endpoint: AS, token_endpoint: TOKEN, ...(methods ? { code_challenge_methods_supported: methods } : {}) },
  });

testRule(rule, {
  valid: [
    { name: 'challenge sent, verifier matches', observations: () => flow({ code_challenge: pkceS256(V), code_challenge_method: 'S256' }) },
    { name: 'no challenge, no verifier (confidential client)', observations: () => flow({}, { responseBody: tokens }, null) },
    { name: 'no challenge, verifier rejected (400 invalid_grant)', observations: () => flow({}, { status: 400, responseBody: { error: 'invalid_grant' } }) },
    { name: 'no challenge, 200 with an error body (GitHub style)', observations: () => flow({}, { status: 200, responseBody: { error: 'bad_verification_code' } }) },
    { name: 'no challenge, reply body not captured', observations: () => flow({}, { status: 200 }) },
    { name: 'opaque PAR request_uri: parameters unknown', observations: () => {
      const code = rand('code');
      return [
        obs(`${AS}?${q({ client_id: 'spa', request_uri: 'urn:ietf:params:oauth:request_uri:d1' })}`),
        obs(`${CB}?${q({ state: rand('s'), code })}`, { initiator: 'https://as.example' }),
        post(TOKEN, { grant_type: 'authorization_code', code, client_id: 'spa', code_verifier: V }, { responseBody: tokens }),
      ];
    } },
    { name: 'challenge only in a signed request object (JAR) is a challenge', observations: () => {
      const b64 = (o: object) => btoa(JSON.stringify(o)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
      const state = rand('s');
      const code = rand('code');
      const request = `eyJhbGciOiJSUzI1NiJ9.${b64({ client_id: 'spa', response_type: 'code', redirect_uri: CB, state, code_challenge: pkceS256(V), code_challenge_method: 'S256' })}.${rand('sig', 43)}`;
      return [
        obs(`${AS}?${q({ client_id: 'spa', request })}`),
        obs(`${CB}?${q({ state, code })}`, { initiator: 'https://as.example' }),
        post(TOKEN, { grant_type: 'authorization_code', code, client_id: 'spa', code_verifier: V }, { responseBody: tokens }),
      ];
    } },
    { name: 'a retry under the same state added the challenge', observations: () => {
      const state = rand('s');
      const code = rand('code');
      return [
        obs(`${AS}?${q({ response_type: 'code', client_id: 'spa', redirect_uri: CB, state })}`),
        obs(`${AS}?${q({ response_type: 'code', client_id: 'spa', redirect_uri: CB, state, code_challenge: pkceS256(V), code_challenge_method: 'S256', prompt: 'login' })}`),
        obs(`${CB}?${q({ state, code })}`, { initiator: 'https://as.example' }),
        post(TOKEN, { grant_type: 'authorization_code', code, client_id: 'spa', code_verifier: V }, { responseBody: tokens }),
      ];
    } },
    { name: 'token request for a code of no known flow', observations: () => [post(TOKEN, { grant_type: 'authorization_code', code: rand('stray'), code_verifier: V }, { responseBody: tokens })] },
  ],
  invalid: [
    { name: 'no challenge, verifier sent, 200 with tokens', observations: () => flow({}), expect: [{ severity: 'high', variant: 'no-challenge', param: 'code_verifier' }] },
    { name: 'the evidence points at the authorization request too', observations: () => flow({}), expect: [{ param: 'code_challenge', count: 1 }] },
    { name: 'GitHub shape (no response_type), JSON reply', observations: () => {
      const state = rand('s');
      const code = rand('code');
      return [
        obs(`https://github.com/login/oauth/authorize?${q({ client_id: 'Iv1.8a61f9b3a7aba766', redirect_uri: 'https://app.example/auth/github/callback', scope: 'read:user', state })}`),
        obs(`https://app.example/auth/github/callback?${q({ code, state })}`, { initiator: 'https://github.com' }),
        post('https://github.com/login/oauth/access_token', { client_id: 'Iv1.8a61f9b3a7aba766', code, grant_type: 'authorization_code', code_verifier: V, redirect_uri: 'https://app.example/auth/github/callback' }, { responseBody: { access_token: `gho_${rand('gh', 36)}`, token_type: 'bearer', scope: 'read:user' } }),
      ];
    }, expect: [{ severity: 'high', variant: 'no-challenge' }] },
    { name: 'PAR whose pushed body (DT/HAR) had no challenge', observations: () => {
      const state = rand('s');
      const code = rand('code');
      return [
        post('https://as.example/par', { client_id: 'spa', redirect_uri: CB, response_type: 'code', state }, { status: 201, responseBody: { request_uri: 'urn:ietf:params:oauth:request_uri:d2', expires_in: 60 } }),
        obs(`${AS}?${q({ client_id: 'spa', request_uri: 'urn:ietf:params:oauth:request_uri:d2' })}`),
        obs(`${CB}?${q({ state, code })}`, { initiator: 'https://as.example' }),
        post(TOKEN, { grant_type: 'authorization_code', code, client_id: 'spa', code_verifier: V }, { responseBody: tokens }),
      ];
    }, expect: [{ variant: 'no-challenge' }] },
    { name: 'AS metadata without code_challenge_methods_supported: annotated', observations: () => [metadata(undefined), ...flow({})], expect: [{ severity: 'high', message: /advertises no code_challenge_methods_supported/ }] },
    { name: 'AS metadata with S256 support: no annotation', observations: () => [metadata(['S256']), ...flow({})], expect: [{ severity: 'high', message: /^(?![\s\S]*advertises no)/ }] },
  ],
});
