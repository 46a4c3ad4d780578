import { obs, q, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './redirect-uri-open-redirect';

const areq = (redirect_uri: string, response_type = 'code') => `https://as.example/authorize?${q({ client_id: 'c', response_type, redirect_uri, state: rand('s'), code_challenge: rand('cc', 43), code_challenge_method: 'S256' })}`;

testRule(rule, {
  valid: [
    { name: 'same-origin return URL', observations: () => [obs(areq('https://app.example/cb?next=https://app.example/dashboard'))] },
    { name: 'relative return path', observations: () => [obs(areq('https://app.example/cb?returnTo=%2Fsettings%2Fprofile'))] },
    { name: 'no query', observations: () => [obs(areq('https://app.example/cb'))] },
    { name: 'a non-URL value', observations: () => [obs(areq('https://app.example/cb?tool=github&mode=connect'))] },
  ],
  invalid: [
    { name: 'absolute URL at another origin', observations: () => [obs(areq('https://app.example/cb?next=https://evil.example/steal'))], expect: [{ severity: 'high', message: /evil\.example/ }] },
    { name: 'protocol-relative //host', observations: () => [obs(areq('https://app.example/cb?redirect=//evil.example/x'))], expect: [{ severity: 'high' }] },
    { name: 'nested encoding', observations: () => [obs(areq(`https://app.example/cb?${q({ continue: `https://app.example/go?${q({ url: 'https://evil.example/' })}` })}`))], expect: [{ message: /evil\.example/ }] },
    { name: 'critical with a token response_type', observations: () => [obs(areq('https://app.example/cb?goto=https://evil.example/', 'token'))], expect: [{ severity: 'critical' }] },
  ],
});
