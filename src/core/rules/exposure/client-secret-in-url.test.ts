import { obs, post, q, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './client-secret-in-url';

testRule(rule, {
  valid: [
    { name: 'client_secret in a POST body', observations: () => [post('https://as.example/token', { grant_type: 'authorization_code', code: rand('c'), client_id: 'c1', client_secret: rand('sec') })] },
    { name: 'a similarly named parameter', observations: () => [obs(`https://app.example/docs?${q({ client_secret_hint: 'rotate yearly' })}`)] },
  ],
  invalid: [
    { name: 'client_secret in a token request URL', observations: () => [obs(`https://as.example/token?${q({ grant_type: 'client_credentials', client_id: 'c1', client_secret: rand('s') })}`, { type: 'fetch', method: 'POST' })], expect: [{ severity: 'high', param: 'client_secret' }] },
    { name: 'client_secret in an authorization request', observations: () => [obs(`https://as.example/authorize?${q({ client_id: 'c1', response_type: 'code', redirect_uri: 'https://app.example/cb', client_secret: rand('s2') })}`)], expect: [{ message: /client c1/ }] },
  ],
});
