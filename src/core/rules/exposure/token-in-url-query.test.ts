import { obs, q, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './token-in-url-query';

testRule(rule, {
  valid: [
    { name: 'a code in the query is a normal code response', observations: () => [obs(`https://app.example/cb?${q({ code: rand('c'), state: rand('s') })}`)] },
    { name: 'look-alike names are not matched', observations: () => [obs(`https://app.example/x?${q({ my_access_token_count: '3', tokens: 'a', access_token_url: 'https://x' })}`)] },
    { name: 'tokens in the fragment are token-in-fragment', observations: () => [obs(`https://app.example/cb#${q({ access_token: rand('a') })}`, { navigationOnly: true })] },
    { name: 'an empty value', observations: () => [obs('https://app.example/x?access_token=')] },
    { name: 'id_token_hint at an end-session endpoint is only info', observations: () => [obs(`https://as.example/logout?${q({ id_token_hint: rand('h', 200), post_logout_redirect_uri: 'https://app.example/' })}`)], allow: ['info'] },
    { name: 'tokens in a form_post body are not in the URL', observations: () => [obs('https://app.example/cb', { method: 'POST', form: { id_token: rand('i', 200), access_token: rand('a'), state: rand('s') } })] },
    { name: 'id_token_hint in a silent-renewal authorization request is not a credential in the query', observations: () => [obs(`https://as.example/authorize?${q({ client_id: 'c', response_type: 'code', redirect_uri: 'https://app.example/cb', state: rand('s'), prompt: 'none', id_token_hint: rand('h', 200) })}`, { type: 'sub_frame' })] },
    { name: 'code_challenge (not the verifier) in an authorization request', observations: () => [obs(`https://as.example/authorize?${q({ client_id: 'c', response_type: 'code', redirect_uri: 'https://app.example/cb', state: rand('s'), code_challenge: rand('cc', 43), code_challenge_method: 'S256' })}`)] },
    { name: 'client_assertion_type alone (no assertion) in a URL', observations: () => [obs(`https://as.example/token?${q({ client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' })}`, { type: 'fetch', method: 'POST' })] },
  ],
  invalid: [
    { name: 'access token in a navigation URL', observations: () => [obs(`https://app.example/home?${q({ access_token: rand('at') })}`)], expect: [{ severity: 'high', param: 'access_token' }] },
    { name: 'refresh token in a URL is critical', observations: () => [obs(`https://api.example/refresh?${q({ refresh_token: rand('rt') })}`, { type: 'fetch' })], expect: [{ severity: 'critical' }] },
    { name: 'API call with ?access_token= is medium', observations: () => [obs(`https://graph.example/me?${q({ access_token: rand('api') })}`, { type: 'xhr' })], expect: [{ severity: 'medium', variant: 'api-query' }] },
    {
      name: 'token-bearing authorization response delivered in the query',
      observations: () => [obs(`https://app.example/cb?${q({ access_token: rand('x'), state: rand('s') })}`)],
      expect: [{ variant: 'response-in-query' }],
    },
    { name: 'code_verifier in a URL', observations: () => [obs(`https://as.example/token?${q({ code_verifier: rand('v', 64) })}`, { type: 'fetch' })], expect: [{ param: 'code_verifier' }] },
    { name: 'client_secret in a URL is critical', observations: () => [obs(`https://as.example/token?${q({ grant_type: 'client_credentials', client_id: 'c', client_secret: rand('cs') })}`, { type: 'fetch', method: 'POST' })], expect: [{ severity: 'critical', param: 'client_secret' }] },
    {
      name: 'id_token delivered in the query of an authorization response',
      observations: () => [
        obs(`https://as.example/authorize?${q({ client_id: 'c', response_type: 'id_token', response_mode: 'query', redirect_uri: 'https://app.example/cb', state: rand('s9'), nonce: rand('n') })}`),
        obs(`https://app.example/cb?${q({ id_token: rand('idq', 200), state: rand('s9') })}`),
      ],
      expect: [{ severity: 'high', variant: 'response-in-query', param: 'id_token' }],
    },
    { name: 'client_assertion in a URL', observations: () => [obs(`https://as.example/token?${q({ grant_type: 'client_credentials', client_assertion: rand('ca', 300) })}`, { type: 'fetch', method: 'POST' })], expect: [{ param: 'client_assertion' }] },
    { name: 'jwt-bearer assertion in a URL', observations: () => [obs(`https://as.example/token?${q({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: rand('as', 300) })}`, { type: 'fetch', method: 'POST' })], expect: [{ param: 'assertion' }] },
    { name: 'a second, non-empty value after an empty one', observations: () => [obs(`https://app.example/home?access_token=&access_token=${rand('dup')}`)], expect: [{ severity: 'high', param: 'access_token' }] },
    { name: 'percent-encoded parameter name (servers decode names)', observations: () => [obs(`https://app.example/home?access%5Ftoken=${rand('pe')}`)], expect: [{ severity: 'high', param: 'access_token' }] },
    { name: 'token in the query while the fragment holds other things', observations: () => [obs(`https://app.example/home?${q({ refresh_token: rand('rq') })}#/dashboard`)], expect: [{ severity: 'critical', param: 'refresh_token' }] },
    { name: 'legacy API on an image beacon is medium', observations: () => [obs(`https://graph.example/pixel?${q({ access_token: rand('img') })}`, { type: 'image' })], expect: [{ severity: 'medium', variant: 'api-query' }] },
  ],
});
