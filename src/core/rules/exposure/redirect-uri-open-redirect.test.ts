import { obs, q, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import { fakeJwt } from '../../tokens/jwt-builder';
import rule from './redirect-uri-open-redirect';

const areq = (redirect_uri: string, response_type = 'code') => `https://as.example/authorize?${q({ client_id: 'c', response_type, redirect_uri, state: rand('s'), code_challenge: rand('cc', 43), code_challenge_method: 'S256' })}`;

testRule(rule, {
  valid: [
    { name: 'same-origin return URL', observations: () => [obs(areq('https://app.example/cb?next=https://app.example/dashboard'))] },
    { name: 'relative return path', observations: () => [obs(areq('https://app.example/cb?returnTo=%2Fsettings%2Fprofile'))] },
    { name: 'no query', observations: () => [obs(areq('https://app.example/cb'))] },
    { name: 'a non-URL value', observations: () => [obs(areq('https://app.example/cb?tool=github&mode=connect'))] },
    { name: 'same origin written with another case and the default port', observations: () => [obs(areq('https://app.example/cb?next=https://APP.example:443/home'))] },
    { name: 'PAR request: redirect URI unknown', observations: () => [obs(`https://as.example/authorize?${q({ client_id: 'c', request_uri: 'urn:ietf:params:oauth:request_uri:x2' })}`)] },
    { name: 'a URL in the redirect URI fragment is not its query (redirect-uri-malformed\'s business)', observations: () => [obs(areq('https://app.example/cb#next=https://evil.example/'))] },
    { name: 'a non-http scheme value (app deep link of the same app)', observations: () => [obs(areq('https://app.example/cb?app=myapp://open'))] },
  ],
  invalid: [
    { name: 'absolute URL at another origin', observations: () => [obs(areq('https://app.example/cb?next=https://evil.example/steal'))], expect: [{ severity: 'high', message: /evil\.example/ }] },
    { name: 'protocol-relative //host', observations: () => [obs(areq('https://app.example/cb?redirect=//evil.example/x'))], expect: [{ severity: 'high' }] },
    { name: 'nested encoding', observations: () => [obs(areq(`https://app.example/cb?${q({ continue: `https://app.example/go?${q({ url: 'https://evil.example/' })}` })}`))], expect: [{ message: /evil\.example/ }] },
    { name: 'critical with a token response_type', observations: () => [obs(areq('https://app.example/cb?goto=https://evil.example/', 'token'))], expect: [{ severity: 'critical' }] },
    { name: 'backslash form /\\host', observations: () => [obs(areq(`https://app.example/cb?${q({ return_to: '/\\evil.example/x' })}`))], expect: [{ severity: 'high' }] },
    { name: 'double percent-encoding', observations: () => [obs(areq('https://app.example/cb?redirect_uri=https%253A%252F%252Fevil.example%252Fsteal'))], expect: [{ message: /evil\.example/ }] },
    { name: 'another subdomain of the same site is another origin', observations: () => [obs(areq('https://app.example/cb?next=https://user-content.app.example/x'))], expect: [{ severity: 'high' }] },
    { name: 'a parameter name outside the list still counts (heuristic)', observations: () => [obs(areq('https://app.example/cb?foo=https://evil.example/'))], expect: [{ severity: 'high' }] },
    { name: 'critical with "id_token token"', observations: () => [obs(areq('https://app.example/cb?next=https://evil.example/', 'id_token token'))], expect: [{ severity: 'critical' }] },
    {
      name: 'JAR: the redirect URI inside a request object',
      observations: () => [obs(`https://as.example/authorize?${q({ client_id: 'c', request: fakeJwt({ alg: 'RS256' }, { client_id: 'c', response_type: 'code', redirect_uri: 'https://app.example/cb?next=https://evil.example/', state: rand('s') }) })}`)],
      expect: [{ severity: 'high', message: /evil\.example/ }],
    },
  ],
});
