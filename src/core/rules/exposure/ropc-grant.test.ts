import { post, obs, q } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './ropc-grant';

testRule(rule, {
  valid: [
    { name: 'authorization_code grant', observations: () => [post('https://as.example/token', { grant_type: 'authorization_code', code: 'abc', code_verifier: 'v'.repeat(43) })] },
    { name: 'a login form with a password field is not a grant', observations: () => [post('https://as.example/login', { username: 'u', password: 'p' })] },
    { name: '"password" as another parameter value', observations: () => [obs(`https://app.example/help?${q({ topic: 'password', grant: 'password' })}`)] },
    { name: 'Auth0 passwordless OTP grant is not ROPC', observations: () => [post('https://tenant.auth0.example/oauth/token', { grant_type: 'http://auth0.com/oauth/grant-type/passwordless/otp', username: 'a@example.com', otp: '123456', realm: 'email' })] },
    { name: 'a grant_type merely starting with "password"', observations: () => [post('https://as.example/token', { grant_type: 'password_reset_token', token: 'x' })] },
    { name: 'a JSON body with another grant', observations: () => [obs('https://as.example/oauth/token', { type: 'fetch', method: 'POST', body: JSON.stringify({ grant_type: 'authorization_code', code: 'c', password_hint: 'password' }), headers: { 'Content-Type': 'application/json' } })] },
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
    {
      name: 'grant_type=password in a JSON body (Auth0 /oauth/token accepts JSON)',
      observations: () => [obs('https://tenant.auth0.example/oauth/token', { type: 'fetch', method: 'POST', body: JSON.stringify({ grant_type: 'password', username: 'alice', password: 'hunter2', client_id: 'spa' }), headers: { 'Content-Type': 'application/json' } })],
      expect: [{ severity: 'high', param: 'grant_type', message: /body/ }],
    },
    {
      name: "Auth0's password-realm grant is the password grant with a realm",
      observations: () => [post('https://tenant.auth0.example/oauth/token', { grant_type: 'http://auth0.com/oauth/grant-type/password-realm', username: 'alice', password: 'hunter2', realm: 'Username-Password-Authentication', client_id: 'spa' })],
      expect: [{ severity: 'high', param: 'grant_type' }],
    },
    {
      name: 'grant_type=password with a percent-encoded name in the URL',
      observations: () => [obs('https://as.example/oauth/token?grant%5Ftype=password&username=a&password=b', { type: 'xhr', method: 'POST' })],
      expect: [{ severity: 'high' }],
    },
  ],
});
