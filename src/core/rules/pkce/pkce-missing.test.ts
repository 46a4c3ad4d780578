import { obs, post, q, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './pkce-missing';

const b64 = (o: object) => btoa(JSON.stringify(o)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const jws = (o: object) => `eyJhbGciOiJSUzI1NiJ9.${b64(o)}.${rand('sig', 43)}`;
const areq = (p: Record<string, string | undefined>, as = 'https://as.example/authorize') => obs(`${as}?${q({ client_id: 'c', response_type: 'code', state: rand('s'), redirect_uri: 'https://app.example/cb', ...p })}`);

testRule(rule, {
  valid: [
    { name: 'S256 challenge', observations: () => [areq({ code_challenge: rand('c', 43), code_challenge_method: 'S256' })] },
    { name: 'implicit flow (no code)', observations: () => [areq({ response_type: 'token' })] },
    { name: 'PAR request with opaque parameters', observations: () => [obs(`https://as.example/authorize?${q({ client_id: 'c', request_uri: 'urn:ietf:params:oauth:request_uri:abc' })}`)] },
    { name: 'confidential OIDC client with nonce: low only', observations: () => [areq({ scope: 'openid email', nonce: rand('n') })], allow: ['low'] },
    { name: 'code_challenge inside a signed request object (JAR)', observations: () => [obs(`https://as.example/authorize?${q({ client_id: 'c', request: jws({ client_id: 'c', response_type: 'code', redirect_uri: 'https://app.example/cb', state: rand('s'), code_challenge: rand('c', 43), code_challenge_method: 'S256' }) })}`)] },
    { name: 'encrypted request object (JWE): parameters unknown', observations: () => [obs(`https://as.example/authorize?${q({ client_id: 'c', request: `${rand('h', 30)}.${rand('k', 40)}.${rand('iv', 16)}.${rand('ct', 80)}.${rand('t', 22)}` })}`)] },
    { name: 'https request_uri: parameters unknown', observations: () => [obs(`https://as.example/authorize?${q({ client_id: 'c', request_uri: 'https://app.example/req/abc' })}`)] },
    { name: 'code_challenge in the body of a form-POST authorization request', observations: () => [obs('https://as.example/authorize', { method: 'POST', form: { client_id: 'c', response_type: 'code', redirect_uri: 'https://app.example/cb', state: rand('s'), code_challenge: rand('c', 43), code_challenge_method: 'S256' } })] },
    { name: 'OIDC response_type=none (no code issued)', observations: () => [areq({ response_type: 'none', scope: 'openid' })] },
    { name: 'PAR whose pushed body (DT/HAR) carries a code_challenge', observations: () => [post('https://as.example/par', { client_id: 'c', redirect_uri: 'https://app.example/cb', response_type: 'code', state: rand('s'), code_challenge: rand('c', 43), code_challenge_method: 'S256' }, { status: 201, responseBody: { request_uri: 'urn:ietf:params:oauth:request_uri:pm1', expires_in: 60 } }), obs(`https://as.example/authorize?${q({ client_id: 'c', request_uri: 'urn:ietf:params:oauth:request_uri:pm1' })}`)] },
    { name: 'Slack (PKCE only for apps marked public): low only', observations: () => [obs(`https://slack.com/oauth/v2/authorize?${q({ client_id: '1.2', scope: 'commands', redirect_uri: 'https://bot.example/slack/oauth', state: rand('sl') })}`)], allow: ['low'] },
  ],
  invalid: [
    { name: 'confidential web client without PKCE: medium', observations: () => [areq({})], expect: [{ severity: 'medium', param: 'code_challenge' }] },
    { name: 'loopback redirect (native app, public): high', observations: () => [areq({ redirect_uri: 'http://127.0.0.1:5000/cb' })], expect: [{ severity: 'high', variant: 'public-client' }] },
    { name: 'custom scheme: high', observations: () => [areq({ redirect_uri: 'com.example.app:/oauth' })], expect: [{ severity: 'high' }] },
    { name: 'SPA with response_mode=fragment: high', observations: () => [areq({ response_mode: 'fragment' })], expect: [{ severity: 'high', message: /response_mode=fragment/ }] },
    { name: 'GitHub shape without response_type', observations: () => [obs(`https://github.com/login/oauth/authorize?${q({ client_id: 'Iv1.x', redirect_uri: 'https://app.example/gh', state: rand('g') })}`)], expect: [{ severity: 'medium' }] },
    { name: 'GitHub shape without response_type or redirect_uri (registered callback)', observations: () => [obs(`https://github.com/login/oauth/authorize?${q({ client_id: 'Iv1.x', scope: 'read:user', state: rand('g2') })}`)], expect: [{ severity: 'medium', param: 'code_challenge' }] },
    { name: 'response_mode=web_message: high', observations: () => [areq({ response_mode: 'web_message' })], expect: [{ severity: 'high', variant: 'public-client', message: /web_message/ }] },
    { name: 'localhost redirect (Okta doc shape): high', observations: () => [areq({ redirect_uri: 'http://localhost:8080' })], expect: [{ severity: 'high', variant: 'public-client' }] },
    { name: 'IPv6 loopback redirect: high', observations: () => [areq({ redirect_uri: 'http://[::1]:8400/cb' })], expect: [{ severity: 'high' }] },
    { name: 'hybrid code id_token (literal + in the URL) without PKCE or nonce: medium', observations: () => [obs(`https://as.example/authorize?${q({ client_id: 'c', redirect_uri: 'https://app.example/cb', state: rand('s'), scope: 'openid' })}&response_type=code+id_token&response_mode=form_post`)], expect: [{ severity: 'medium' }] },
    { name: 'signed request object (JAR) for a code without code_challenge', observations: () => [obs(`https://as.example/authorize?${q({ client_id: 'c', request: jws({ client_id: 'c', response_type: 'code', redirect_uri: 'https://app.example/cb', state: rand('s') }) })}`)], expect: [{ severity: 'medium' }] },
    { name: 'empty code_challenge is no PKCE', observations: () => [areq({ code_challenge: '', code_challenge_method: 'S256' })], expect: [{ severity: 'medium', param: 'code_challenge' }] },
    {
      name: 'AS without PKCE in its metadata: still reported, annotated',
      observations: () => [obs('https://as.example/.well-known/openid-configuration', { type: 'fetch', responseBody: { issuer: 'https://as.example', authorization_endpoint: 'https://as.example/authorize' } }), areq({})],
      expect: [{ severity: 'medium', message: /no code_challenge_methods_supported/ }],
    },
    {
      name: 'public client shown by its token request (no client authentication, from the page): high',
      observations: () => {
        const s = rand('pub');
        const code = rand('pubc');
        return [
          areq({ state: s }),
          obs(`https://app.example/cb?${q({ code, state: s })}`),
          post('https://as.example/token', { grant_type: 'authorization_code', code, client_id: 'c', redirect_uri: 'https://app.example/cb' }, { headers: { Origin: 'https://app.example' } }),
        ];
      },
      expect: [{ severity: 'high', variant: 'public-client', message: /client authentication/ }],
    },
    { name: 'PAR whose pushed body (DT/HAR) has no code_challenge', observations: () => [post('https://as.example/par', { client_id: 'c', redirect_uri: 'https://app.example/cb', response_type: 'code', state: rand('s') }, { status: 201, responseBody: { request_uri: 'urn:ietf:params:oauth:request_uri:pm2', expires_in: 60 } }), obs(`https://as.example/authorize?${q({ client_id: 'c', request_uri: 'urn:ietf:params:oauth:request_uri:pm2' })}`)], expect: [{ severity: 'medium', param: 'code_challenge' }] },
    { name: 'a reload of the request reports once', observations: () => { const u = `https://as.example/authorize?${q({ client_id: 'c', response_type: 'code', redirect_uri: 'https://app.example/cb', state: rand('rl') })}`; return [obs(u, { at: 1 }), obs(u, { at: 20, transition: { type: 'reload', qualifiers: [] } })]; }, expect: [{ count: 1 }] },
  ],
});
