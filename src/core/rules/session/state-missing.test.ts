import { obs, post, q, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './state-missing';

const AS = 'https://as.example';
const b64 = (o: object) => btoa(JSON.stringify(o)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const jws = (o: object) => `eyJhbGciOiJSUzI1NiJ9.${b64(o)}.${rand('sig', 43)}`;
const areq = (p: Record<string, string | undefined>) => `${AS}/authorize?${q({ client_id: 'c', response_type: 'code', redirect_uri: 'https://app.example/cb', ...p })}`;

testRule(rule, {
  valid: [
    { name: 'state present', observations: () => [obs(areq({ state: rand('s') }))] },
    { name: 'PKCE only is info', observations: () => [obs(areq({ code_challenge: rand('c', 43), code_challenge_method: 'S256' }))], allow: ['info'] },
    { name: 'nonce only is info', observations: () => [obs(areq({ scope: 'openid', nonce: rand('n') }))], allow: ['info'] },
    { name: 'PAR: parameters unknown', observations: () => [obs(`${AS}/authorize?${q({ client_id: 'c', request_uri: 'urn:ietf:params:oauth:request_uri:x1' })}`)] },
    { name: 'state inside a signed request object', observations: () => [obs(`${AS}/authorize?${q({ client_id: 'c', request: `eyJhbGciOiJSUzI1NiJ9.${btoa(JSON.stringify({ state: rand('s'), response_type: 'code', client_id: 'c' })).replace(/=+$/, '')}.sig` })}`)] },
    { name: 'state in the body of a form-POST authorization request', observations: () => [obs(`${AS}/authorize`, { method: 'POST', form: { client_id: 'c', response_type: 'code', redirect_uri: 'https://app.example/cb', state: rand('s') } })] },
    { name: 'encrypted request object (JWE): parameters unknown', observations: () => [obs(`${AS}/authorize?${q({ client_id: 'c', request: `${rand('h', 30)}.${rand('k', 40)}.${rand('iv', 16)}.${rand('ct', 80)}.${rand('t', 22)}` })}`)] },
    { name: 'https request_uri: parameters unknown', observations: () => [obs(`${AS}/authorize?${q({ client_id: 'c', request_uri: 'https://app.example/requests/r1' })}`)] },
    { name: 'OIDC response_type=none: no code or token is issued', observations: () => [obs(areq({ response_type: 'none', scope: 'openid' }))] },
    {
      name: 'PKCE only and the metadata lists S256: info only',
      observations: () => [
        obs(`${AS}/.well-known/openid-configuration`, { type: 'fetch', responseBody: { issuer: AS, authorization_endpoint: `${AS}/authorize`, code_challenge_methods_supported: ['S256'] } }),
        obs(areq({ code_challenge: rand('c', 43), code_challenge_method: 'S256' })),
      ],
      allow: ['info'],
    },
    { name: 'an end-session request with client_id and post_logout_redirect_uri', observations: () => [obs(`${AS}/logout?${q({ client_id: 'c', post_logout_redirect_uri: 'https://app.example/bye' })}`)] },
    { name: 'PAR whose pushed body (DT/HAR) carries a state', observations: () => [post('https://as.example/par', { client_id: 'c', redirect_uri: 'https://app.example/cb', response_type: 'code', state: rand('s') }, { status: 201, responseBody: { request_uri: 'urn:ietf:params:oauth:request_uri:sm1', expires_in: 60 } }), obs(`https://as.example/authorize?${q({ client_id: 'c', request_uri: 'urn:ietf:params:oauth:request_uri:sm1' })}`)] },
  ],
  invalid: [
    { name: 'implicit response_type=token without state', observations: () => [obs(areq({ response_type: 'token' }))], expect: [{ severity: 'high', param: 'state' }] },
    { name: 'an empty state= is no state', observations: () => [obs(areq({ state: '' }))], expect: [{ severity: 'high', param: 'state' }] },
    { name: 'signed request object (JAR) without state', observations: () => [obs(`${AS}/authorize?${q({ client_id: 'c', request: jws({ client_id: 'c', response_type: 'code', redirect_uri: 'https://app.example/cb' }) })}`)], expect: [{ severity: 'high' }] },
    { name: 'form-POST authorization request without state', observations: () => [obs(`${AS}/authorize`, { method: 'POST', form: { client_id: 'c', response_type: 'code', redirect_uri: 'https://app.example/cb' } })], expect: [{ severity: 'high' }] },
    { name: 'PKCE only: info, pkce-only', observations: () => [obs(areq({ code_challenge: rand('c', 43), code_challenge_method: 'S256' }))], expect: [{ severity: 'info', variant: 'pkce-only' }] },
    { name: 'nonce only: info, nonce-only', observations: () => [obs(areq({ response_type: 'id_token', scope: 'openid', nonce: rand('n') }))], expect: [{ severity: 'info', variant: 'nonce-only' }] },
    { name: 'an empty nonce is no nonce: high', observations: () => [obs(areq({ scope: 'openid', nonce: '' }))], expect: [{ severity: 'high' }] },
    { name: 'PAR whose pushed body (DT/HAR) has no state, PKCE or nonce', observations: () => [post('https://as.example/par', { client_id: 'c', redirect_uri: 'https://app.example/cb', response_type: 'code' }, { status: 201, responseBody: { request_uri: 'urn:ietf:params:oauth:request_uri:sm2', expires_in: 60 } }), obs(`https://as.example/authorize?${q({ client_id: 'c', request_uri: 'urn:ietf:params:oauth:request_uri:sm2' })}`)], expect: [{ severity: 'high' }] },
    { name: 'a reload of the request reports once', observations: () => { const u = areq({}); return [obs(u, { at: 1 }), obs(u, { at: 15, transition: { type: 'reload', qualifiers: [] } })]; }, expect: [{ count: 1 }] },
    { name: 'no state, no PKCE, no nonce', observations: () => [obs(areq({}))], expect: [{ severity: 'high', param: 'state' }] },
    { name: 'GitHub shape without response_type', observations: () => [obs(`https://github.com/login/oauth/authorize?${q({ client_id: 'Iv1.x', redirect_uri: 'https://app.example/cb' })}`)], expect: [{ severity: 'high' }] },
    {
      name: 'PKCE only, but the metadata shows no PKCE support: medium',
      observations: () => [
        obs(`${AS}/.well-known/oauth-authorization-server`, { type: 'fetch', responseBody: { issuer: AS, authorization_endpoint: `${AS}/authorize` } }),
        obs(areq({ code_challenge: rand('c', 43), code_challenge_method: 'S256' })),
      ],
      expect: [{ severity: 'medium', variant: 'pkce-only' }],
    },
  ],
});
