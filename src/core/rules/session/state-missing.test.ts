import { obs, q, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './state-missing';

const AS = 'https://as.example';
const areq = (p: Record<string, string | undefined>) => `${AS}/authorize?${q({ client_id: 'c', response_type: 'code', redirect_uri: 'https://app.example/cb', ...p })}`;

testRule(rule, {
  valid: [
    { name: 'state present', observations: () => [obs(areq({ state: rand('s') }))] },
    { name: 'PKCE only is info', observations: () => [obs(areq({ code_challenge: rand('c', 43), code_challenge_method: 'S256' }))], allow: ['info'] },
    { name: 'nonce only is info', observations: () => [obs(areq({ scope: 'openid', nonce: rand('n') }))], allow: ['info'] },
    { name: 'PAR: parameters unknown', observations: () => [obs(`${AS}/authorize?${q({ client_id: 'c', request_uri: 'urn:ietf:params:oauth:request_uri:x1' })}`)] },
    { name: 'state inside a signed request object', observations: () => [obs(`${AS}/authorize?${q({ client_id: 'c', request: `eyJhbGciOiJSUzI1NiJ9.${btoa(JSON.stringify({ state: rand('s'), response_type: 'code', client_id: 'c' })).replace(/=+$/, '')}.sig` })}`)] },
  ],
  invalid: [
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
