import { describe, expect, it } from 'vitest';
import { obs, q, rand, redirect } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule, { extension } from './redirect-uri-not-exact-match';

const AS = 'https://as.example/authorize';
const areqUrl = (redirectUri: string, state: string, clientId = 'c1', as = AS) =>
  `${as}?${q({ response_type: 'code', client_id: clientId, redirect_uri: redirectUri, state, code_challenge: rand(`cc${state}`, 43), code_challenge_method: 'S256' })}`;
/** a whole flow: authorization request answered 302 with a code at the redirect URI */
const flow = (redirectUri: string, seed: string, clientId = 'c1', as = AS) => {
  const state = rand(seed);
  const sep = redirectUri.includes('?') ? '&' : '?';
  return redirect(areqUrl(redirectUri, state, clientId, as), `${redirectUri}${sep}code=${rand(`code${seed}`)}&state=${state}`, { initiator: new URL(redirectUri).origin }, { initiator: new URL(as).origin });
};
/** a flow the AS rejected: error at the redirect URI */
const rejected = (redirectUri: string, seed: string) => {
  const state = rand(seed);
  const sep = redirectUri.includes('?') ? '&' : '?';
  return redirect(areqUrl(redirectUri, state), `${redirectUri}${sep}error=invalid_request&state=${state}`, {}, { initiator: 'https://as.example' });
};
/** only the authorization request (the AS showed an error page or the capture stopped) */
const requestOnly = (redirectUri: string, seed: string) => [obs(areqUrl(redirectUri, rand(seed)), { status: 200 })];

testRule(rule, {
  valid: [
    {
      name: 'one redirect URI used twice',
      observations: () => [...flow('https://app.example/callback', 'a'), ...flow('https://app.example/callback', 'b')],
    },
    {
      name: 'two exact registrations side by side (/callback, /silent-renew)',
      observations: () => [...flow('https://app.example/callback', 'a'), ...flow('https://app.example/silent-renew', 'b')],
    },
    {
      name: 'the extended URI was rejected by the AS (error, no code)',
      observations: () => [...flow('https://app.example/callback', 'a'), ...rejected('https://app.example/callback/evil', 'b')],
    },
    {
      name: 'the extended URI was only requested, never answered with a code',
      observations: () => [...flow('https://app.example/callback', 'a'), ...requestOnly('https://app.example/callback/evil', 'b')],
    },
    {
      name: 'the extended URI was requested first but never answered, then the plain one ran',
      observations: () => [...requestOnly('https://app.example/callback/evil', 'b'), ...flow('https://app.example/callback', 'a')],
    },
    {
      name: 'two clients (different client_id) with nested redirect URIs',
      observations: () => [...flow('https://app.example/cb', 'a', 'c1'), ...flow('https://app.example/cb/admin', 'b', 'c2')],
    },
    {
      name: 'the same client_id at two different ASes',
      observations: () => [...flow('https://app.example/cb', 'a', 'c1', 'https://as.example/authorize'), ...flow('https://app.example/cb/x', 'b', 'c1', 'https://other-as.test/authorize')],
    },
    {
      name: 'a trailing slash only (normalisation)',
      observations: () => [...flow('https://app.example/cb', 'a'), ...flow('https://app.example/cb/', 'b')],
    },
    {
      name: 'a path that merely starts with the same characters (/cb vs /cb2) is a sibling',
      observations: () => [...flow('https://app.example/cb', 'a'), ...flow('https://app.example/cb2', 'b')],
    },
    {
      name: 'a different query value is not an added query',
      observations: () => [...flow('https://app.example/cb?tenant=a', 'a'), ...flow('https://app.example/cb?tenant=b', 'b')],
    },
    {
      name: 'root and a page of the app (/ and /silent-check-sso.html): only low',
      observations: () => [...flow('https://app.example/', 'a'), ...flow('https://app.example/silent-check-sso.html', 'b')],
      allow: ['low'],
    },
  ],
  invalid: [
    {
      name: 'an extra path segment answered with a code',
      observations: () => [...flow('https://app.example/callback', 'a'), ...flow('https://app.example/callback/attacker', 'b')],
      expect: [{ severity: 'medium', variant: 'path', param: 'code', count: 1 }],
    },
    {
      name: 'an added query answered with a code',
      observations: () => [...flow('https://app.example/callback', 'a'), ...flow('https://app.example/callback?next=/x', 'b')],
      expect: [{ severity: 'medium', variant: 'query' }],
    },
    {
      name: 'a deeper subdomain answered with a code: high',
      observations: () => [...flow('https://app.example/callback', 'a'), ...flow('https://evil.app.example/callback', 'b')],
      expect: [{ severity: 'high', variant: 'subdomain' }],
    },
    {
      name: 'order reversed: the extended URI got a code first, the plain one is requested later',
      observations: () => [...flow('https://app.example/callback/attacker', 'b'), ...requestOnly('https://app.example/callback', 'a')],
      expect: [{ severity: 'medium', variant: 'path', param: 'redirect_uri' }],
    },
    {
      name: 'root plus a page: reported low (root-path)',
      observations: () => [...flow('https://app.example/', 'a'), ...flow('https://app.example/silent-check-sso.html', 'b')],
      expect: [{ severity: 'low', variant: 'root-path' }],
    },
  ],
});

describe('extension', () => {
  it('recognises prefix-shaped deltas only', () => {
    expect(extension('https://a.example/cb', 'https://a.example/cb/x')).toEqual({ host: false, path: true, query: false });
    expect(extension('https://a.example/cb?x=1', 'https://a.example/cb?x=1&y=2')).toEqual({ host: false, path: false, query: true });
    expect(extension('https://a.example/cb', 'https://b.a.example/cb')).toEqual({ host: true, path: false, query: false });
    expect(extension('https://a.example/cb', 'http://a.example/cb/x')).toBeUndefined();
    expect(extension('https://a.example:8443/cb', 'https://a.example/cb/x')).toBeUndefined();
    expect(extension('https://a.example/cb', 'https://xa.example/cb')).toBeUndefined();
    expect(extension('https://a.example/cb/x', 'https://a.example/cb')).toBeUndefined();
    expect(extension('com.example.app:/oauth2redirect', 'com.example.app:/oauth2redirect/x')).toEqual({ host: false, path: true, query: false });
  });
});
