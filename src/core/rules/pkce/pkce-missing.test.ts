import { obs, q, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './pkce-missing';

const areq = (p: Record<string, string | undefined>, as = 'https://as.example/authorize') => obs(`${as}?${q({ client_id: 'c', response_type: 'code', state: rand('s'), redirect_uri: 'https://app.example/cb', ...p })}`);

testRule(rule, {
  valid: [
    { name: 'S256 challenge', observations: () => [areq({ code_challenge: rand('c', 43), code_challenge_method: 'S256' })] },
    { name: 'implicit flow (no code)', observations: () => [areq({ response_type: 'token' })] },
    { name: 'PAR request with opaque parameters', observations: () => [obs(`https://as.example/authorize?${q({ client_id: 'c', request_uri: 'urn:ietf:params:oauth:request_uri:abc' })}`)] },
    { name: 'confidential OIDC client with nonce: low only', observations: () => [areq({ scope: 'openid email', nonce: rand('n') })], allow: ['low'] },
    { name: 'Slack (PKCE only for apps marked public): low only', observations: () => [obs(`https://slack.com/oauth/v2/authorize?${q({ client_id: '1.2', scope: 'commands', redirect_uri: 'https://bot.example/slack/oauth', state: rand('sl') })}`)], allow: ['low'] },
  ],
  invalid: [
    { name: 'confidential web client without PKCE: medium', observations: () => [areq({})], expect: [{ severity: 'medium', param: 'code_challenge' }] },
    { name: 'loopback redirect (native app, public): high', observations: () => [areq({ redirect_uri: 'http://127.0.0.1:5000/cb' })], expect: [{ severity: 'high', variant: 'public-client' }] },
    { name: 'custom scheme: high', observations: () => [areq({ redirect_uri: 'com.example.app:/oauth' })], expect: [{ severity: 'high' }] },
    { name: 'SPA with response_mode=fragment: high', observations: () => [areq({ response_mode: 'fragment' })], expect: [{ severity: 'high', message: /response_mode=fragment/ }] },
    { name: 'GitHub shape without response_type', observations: () => [obs(`https://github.com/login/oauth/authorize?${q({ client_id: 'Iv1.x', redirect_uri: 'https://app.example/gh', state: rand('g') })}`)], expect: [{ severity: 'medium' }] },
  ],
});
