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
  ],
});
