import { obs, q, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
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
  ],
  invalid: [
    { name: 'http redirect URI on a network host', observations: () => [obs(areq('http://app.example/cb'))], expect: [{ severity: 'high', param: 'redirect_uri' }] },
    { name: 'http authorization endpoint', observations: () => [obs(areq('https://app.example/cb', 'http://as.example'))], expect: [{ variant: 'authorization-endpoint' }] },
    { name: 'a code delivered over http is critical', observations: () => [obs(`http://app.example/cb?${q({ code: rand('c'), state: rand('s') })}`)], expect: [{ severity: 'critical', variant: 'delivered-over-http' }] },
  ],
});
