import { obs, q, rand, redirect } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './token-in-fragment';

const CB = 'https://app.example/cb';

testRule(rule, {
  valid: [
    { name: 'Keycloak fragment mode: code, state and iss only', observations: () => redirect('https://sso.example.com/login', `${CB}#${q({ state: rand('s'), session_state: rand('ss'), iss: 'https://sso.example.com/realms/r', code: rand('c') })}`) },
    { name: 'an SPA route in the fragment', observations: () => [obs('https://app.example/#/settings/access_token_help')] },
    { name: 'access_token in the query is token-in-url-query, not this', observations: () => [obs(`${CB}?access_token=${rand('q')}`)] },
    { name: 'an ID token alone in the fragment (response_type=id_token) is not an access token', observations: () => redirect('https://as.example/login', `${CB}#${q({ id_token: rand('idt', 200), state: rand('s') })}`) },
    { name: 'an empty access_token in the fragment', observations: () => [obs(`${CB}#access_token=&state=${rand('s')}`, { navigationOnly: true })] },
    { name: 'a look-alike fragment parameter name', observations: () => [obs(`${CB}#${q({ access_token_expired: 'true', my_access_token: rand('x') })}`, { navigationOnly: true })] },
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
      name: 'a hash-router SPA route carrying the token (#/callback?access_token=…)',
      observations: () => [obs(`https://app.example/#/callback?${q({ access_token: rand('hr'), token_type: 'Bearer' })}`, { navigationOnly: true })],
      expect: [{ param: 'access_token', count: 1 }],
    },
    {
      name: 'refresh token in a committed fragment',
      observations: () => [obs(`${CB}#${q({ refresh_token: rand('rt') })}`, { navigationOnly: true })],
      expect: [{ variant: 'refresh-token' }],
    },
    {
      name: 'access and refresh token in one fragment: one finding each',
      observations: () => [obs(`${CB}#${q({ access_token: rand('a2'), refresh_token: rand('r2'), state: rand('s') })}`, { navigationOnly: true })],
      expect: [{ param: 'access_token', count: 1 }, { param: 'refresh_token', variant: 'refresh-token', count: 1 }],
    },
    {
      name: 'silent renewal in a hidden iframe (sub_frame Location)',
      observations: () => [obs('https://as.example/authorize/continue', { type: 'sub_frame', location: `https://app.example/silent-renew.html#${q({ access_token: rand('a3'), state: rand('s3'), expires_in: '3600' })}` })],
      expect: [{ severity: 'high', param: 'access_token' }],
    },
    {
      name: 'a reload of the callback with the same token is one finding',
      observations: () => {
        const url = `${CB}#${q({ access_token: rand('a4'), state: rand('s4') })}`;
        return [obs(url, { navigationOnly: true }), obs(url, { navigationOnly: true, transition: { type: 'reload', qualifiers: [] } })];
      },
      expect: [{ param: 'access_token', count: 1 }],
    },
    {
      name: 'percent-encoded parameter name in the fragment',
      observations: () => [obs(`${CB}#access%5Ftoken=${rand('a5')}&state=${rand('s5')}`, { navigationOnly: true })],
      expect: [{ param: 'access_token' }],
    },
  ],
});
