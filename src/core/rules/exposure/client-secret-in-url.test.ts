import { obs, post, q, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './client-secret-in-url';

testRule(rule, {
  valid: [
    { name: 'client_secret in a POST body', observations: () => [post('https://as.example/token', { grant_type: 'authorization_code', code: rand('c'), client_id: 'c1', client_secret: rand('sec') })] },
    { name: 'a similarly named parameter', observations: () => [obs(`https://app.example/docs?${q({ client_secret_hint: 'rotate yearly' })}`)] },
    { name: 'an empty client_secret (public client placeholder)', observations: () => [obs(`https://as.example/token?${q({ grant_type: 'refresh_token', client_id: 'c1', client_secret: '' })}`, { type: 'fetch', method: 'POST' })] },
    { name: 'client_secret in a form_post-style navigation body', observations: () => [obs('https://as.example/token', { method: 'POST', form: { client_id: 'c1', client_secret: rand('sb') } })] },
  ],
  invalid: [
    { name: 'client_secret in a token request URL', observations: () => [obs(`https://as.example/token?${q({ grant_type: 'client_credentials', client_id: 'c1', client_secret: rand('s') })}`, { type: 'fetch', method: 'POST' })], expect: [{ severity: 'high', param: 'client_secret' }] },
    { name: 'client_secret in an authorization request', observations: () => [obs(`https://as.example/authorize?${q({ client_id: 'c1', response_type: 'code', redirect_uri: 'https://app.example/cb', client_secret: rand('s2') })}`)], expect: [{ message: /client c1/ }] },
    { name: 'client_secret in a fragment', observations: () => [obs(`https://app.example/setup#${q({ client_id: 'c1', client_secret: rand('sf') })}`, { navigationOnly: true })], expect: [{ param: 'client_secret', message: /fragment/ }] },
    { name: 'percent-encoded parameter name', observations: () => [obs(`https://as.example/token?client_id=c1&client%5Fsecret=${rand('pe')}`, { type: 'fetch', method: 'POST' })], expect: [{ param: 'client_secret' }] },
    { name: 'a second, non-empty value after an empty one', observations: () => [obs(`https://as.example/token?client_id=c1&client_secret=&client_secret=${rand('d2')}`, { type: 'fetch', method: 'POST' })], expect: [{ param: 'client_secret' }] },
    { name: 'client_secret in an XHR to an API', observations: () => [obs(`https://api.example/v1/items?${q({ client_id: 'c1', client_secret: rand('api') })}`, { type: 'xhr' })], expect: [{ severity: 'high' }] },
  ],
});
