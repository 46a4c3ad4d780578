import { obs, q, rand, redirect } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './token-in-fragment';

const CB = 'https://app.example/cb';

testRule(rule, {
  valid: [
    { name: 'Keycloak fragment mode: code, state and iss only', observations: () => redirect('https://sso.example.com/login', `${CB}#${q({ state: rand('s'), session_state: rand('ss'), iss: 'https://sso.example.com/realms/r', code: rand('c') })}`) },
    { name: 'an SPA route in the fragment', observations: () => [obs('https://app.example/#/settings/access_token_help')] },
    { name: 'access_token in the query is token-in-url-query, not this', observations: () => [obs(`${CB}?access_token=${rand('q')}`)] },
  ],
  invalid: [
    {
      name: 'implicit response in a Location fragment (seen once even when the navigation is committed too)',
      observations: () => {
        const at = rand('at');
        const loc = `${CB}#${q({ access_token: at, token_type: 'Bearer', state: rand('s') })}`;
        return [obs('https://as.example/authorize/decision', { location: loc }), obs(loc, { navigationOnly: true })];
      },
      expect: [{ severity: 'high', param: 'access_token', count: 1 }],
    },
    {
      name: 'refresh token in a committed fragment',
      observations: () => [obs(`${CB}#${q({ refresh_token: rand('rt') })}`, { navigationOnly: true })],
      expect: [{ variant: 'refresh-token' }],
    },
  ],
});
