import { obs, q, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import { fakeJwt } from '../../tokens/jwt-builder';
import rule from './redirect-uri-insecure';

const areq = (redirect_uri: string, as = 'https://as.example') => `${as}/authorize?${q({ client_id: 'c', response_type: 'code', redirect_uri, state: rand('s'), code_challenge: rand('cc', 43), code_challenge_method: 'S256' })}`;

testRule(rule, {
  valid: [
    { name: 'https redirect URI', observations: () => [obs(areq('https://app.example/cb'))] },
    { name: 'loopback IP literal (RFC 8252 native app)', observations: () => [obs(areq('http://127.0.0.1:51234/callback'))] },
    { name: 'IPv6 loopback', observations: () => [obs(areq('http://[::1]:8080/cb'))] },
    { name: 'localhost is only info', observations: () => [obs(areq('http://localhost:3000/cb'))], allow: ['info'] },
    { name: 'custom scheme', observations: () => [obs(areq('com.example.app:/oauth2redirect'))] },
    { name: 'a response on a loopback callback', observations: () => [obs(`http://127.0.0.1:8765/cb?${q({ code: rand('c'), state: rand('s') })}`)] },
    { name: 'another 127.0.0.0/8 address', observations: () => [obs(areq('http://127.1.2.3:9000/cb'))] },
    { name: 'IPv6 loopback written in full', observations: () => [obs(areq('http://[0:0:0:0:0:0:0:1]:8080/cb'))] },
    { name: 'PAR request: redirect URI unknown', observations: () => [obs(`https://as.example/authorize?${q({ client_id: 'c', request_uri: 'urn:ietf:params:oauth:request_uri:x1' })}`)] },
    { name: 'http post_logout_redirect_uri at an end-session endpoint is not a redirect URI', observations: () => [obs(`https://as.example/logout?${q({ client_id: 'c', post_logout_redirect_uri: 'http://app.example/' })}`)] },
    {
      name: 'Entra doc shape: code delivered to http://localhost (loopback, not critical)',
      observations: () => {
        const s = rand('e1');
        return [
          obs(`https://login.microsoftonline.com/common/oauth2/v2.0/authorize?${q({ client_id: '00001111-aaaa-2222-bbbb-3333cccc4444', response_type: 'code', redirect_uri: 'http://localhost/myapp/', response_mode: 'query', scope: 'openid', state: s, code_challenge: rand('cc', 43), code_challenge_method: 'S256' })}`),
          obs(`http://localhost/myapp/?${q({ code: rand('c'), state: s, session_state: rand('ss') })}`),
        ];
      },
      allow: ['info'],
    },
  ],
  invalid: [
    { name: 'http redirect URI on a network host', observations: () => [obs(areq('http://app.example/cb'))], expect: [{ severity: 'high', param: 'redirect_uri' }] },
    { name: 'http authorization endpoint', observations: () => [obs(areq('https://app.example/cb', 'http://as.example'))], expect: [{ variant: 'authorization-endpoint' }] },
    { name: 'a code delivered over http is critical', observations: () => [obs(`http://app.example/cb?${q({ code: rand('c'), state: rand('s') })}`)], expect: [{ severity: 'critical', variant: 'delivered-over-http' }] },
    { name: 'a host that merely starts with "localhost" is a network host', observations: () => [obs(areq('http://localhost.attacker.example/cb'))], expect: [{ severity: 'high', param: 'redirect_uri' }] },
    { name: 'a 127.x-looking DNS name is a network host', observations: () => [obs(areq('http://127.0.0.1.nip.io/cb'))], expect: [{ severity: 'high', param: 'redirect_uri' }] },
    { name: 'upper-case scheme', observations: () => [obs(areq('HTTP://App.Example/cb'))], expect: [{ severity: 'high', param: 'redirect_uri' }] },
    {
      name: 'JAR: http redirect URI inside the request object',
      observations: () => [obs(`https://as.example/authorize?${q({ client_id: 'c', request: fakeJwt({ alg: 'RS256' }, { client_id: 'c', response_type: 'code', redirect_uri: 'http://app.example/cb', state: rand('s') }) })}`)],
      expect: [{ severity: 'high', param: 'redirect_uri' }],
    },
    { name: 'authorization request as a form POST with an http redirect URI', observations: () => [obs('https://as.example/authorize', { method: 'POST', form: { client_id: 'c', response_type: 'code', redirect_uri: 'http://app.example/cb', state: rand('s') } })], expect: [{ severity: 'high', param: 'redirect_uri' }] },
    {
      name: 'form_post response delivered over http is critical',
      observations: () => {
        const s = rand('fp');
        return [obs(`https://as.example/authorize?${q({ client_id: 'c', response_type: 'code id_token', response_mode: 'form_post', redirect_uri: 'http://app.example/cb', state: s, nonce: rand('n'), scope: 'openid' })}`), obs('http://app.example/cb', { method: 'POST', form: { code: rand('c'), id_token: rand('i', 200), state: s } })];
      },
      expect: [{ severity: 'critical', variant: 'delivered-over-http' }],
    },
    {
      name: 'an access token delivered to an http callback (Location fragment) is critical',
      observations: () => {
        const s = rand('tk');
        return [obs(`https://as.example/authorize?${q({ client_id: 'c', response_type: 'token', redirect_uri: 'http://app.example/cb', state: s })}`), obs(`http://app.example/cb#${q({ access_token: rand('a'), state: s })}`, { navigationOnly: true })];
      },
      expect: [{ severity: 'critical', variant: 'delivered-over-http', param: 'access_token' }],
    },
  ],
});
