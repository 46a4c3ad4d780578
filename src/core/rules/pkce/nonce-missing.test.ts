import { obs, q, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './nonce-missing';

const areq = (p: Record<string, string | undefined>) => obs(`https://as.example/authorize?${q({ client_id: 'c', state: rand('s'), redirect_uri: 'https://app.example/cb', scope: 'openid profile', ...p })}`);

testRule(rule, {
  valid: [
    { name: 'OIDC code flow with PKCE and no nonce', observations: () => [areq({ response_type: 'code', code_challenge: rand('c', 43), code_challenge_method: 'S256' })] },
    { name: 'hybrid with nonce', observations: () => [areq({ response_type: 'code id_token', nonce: rand('n'), response_mode: 'form_post' })] },
    { name: 'plain OAuth (no openid scope)', observations: () => [areq({ response_type: 'code', scope: 'repo' })] },
  ],
  invalid: [
    { name: 'id_token in the front channel without nonce', observations: () => [areq({ response_type: 'id_token' })], expect: [{ severity: 'high', param: 'nonce' }] },
    { name: 'code id_token without nonce', observations: () => [areq({ response_type: 'code id_token', response_mode: 'form_post' })], expect: [{ severity: 'high' }] },
    { name: 'OIDC code flow without PKCE or nonce: medium', observations: () => [areq({ response_type: 'code' })], expect: [{ severity: 'medium', variant: 'code-without-pkce' }] },
  ],
});
