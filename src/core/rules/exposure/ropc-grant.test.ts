import { post, obs, q } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './ropc-grant';

testRule(rule, {
  valid: [
    { name: 'authorization_code grant', observations: () => [post('https://as.example/token', { grant_type: 'authorization_code', code: 'abc', code_verifier: 'v'.repeat(43) })] },
    { name: 'a login form with a password field is not a grant', observations: () => [post('https://as.example/login', { username: 'u', password: 'p' })] },
    { name: '"password" as another parameter value', observations: () => [obs(`https://app.example/help?${q({ topic: 'password', grant: 'password' })}`)] },
  ],
  invalid: [
    {
      name: 'grant_type=password in a token request body',
      observations: () => [post('https://as.example/oauth/token', { grant_type: 'password', username: 'alice', password: 'hunter2', client_id: 'spa' })],
      expect: [{ severity: 'high', param: 'grant_type', message: /body/ }],
    },
    {
      name: 'grant_type=password in a URL',
      observations: () => [obs('https://as.example/oauth/token?grant_type=password&username=a&password=b', { type: 'xhr' })],
      expect: [{ severity: 'high', message: /URL query/ }],
    },
  ],
});
