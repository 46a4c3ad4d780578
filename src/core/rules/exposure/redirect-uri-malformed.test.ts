import { describe, expect, it } from 'vitest';
import { obs, post, q, rand, redirect } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule, { malformations } from './redirect-uri-malformed';

const AS = 'https://as.example/authorize';
const areqUrl = (redirectUri: string, state: string) =>
  `${AS}?${q({ response_type: 'code', client_id: 'c1', redirect_uri: redirectUri, state, code_challenge: rand(`cc${state}`, 43), code_challenge_method: 'S256' })}`;
const requestOnly = (redirectUri: string, seed = 's') => [obs(areqUrl(redirectUri, rand(seed)), { status: 200, initiator: 'https://app.example' })];
/** the AS answered with a code at `landing` (what the browser navigated to) */
const answered = (redirectUri: string, landing: string, seed = 's') => {
  const state = rand(seed);
  return redirect(areqUrl(redirectUri, state), `${landing}?code=${rand(`c${seed}`)}&state=${state}`, { initiator: 'https://app.example' }, { initiator: 'https://as.example' });
};

testRule(rule, {
  valid: [
    { name: 'plain https redirect URI', observations: () => requestOnly('https://app.example/callback') },
    { name: 'redirect URI with its own query carrying an encoded URL (nested %25 in the query)', observations: () => requestOnly('https://app.example/cb?return=https%3A%2F%2Fapp.example%2Fa%253Fb') },
    { name: 'an @ in the path, not the authority', observations: () => requestOnly('https://app.example/@alice/callback') },
    { name: 'native custom scheme (RFC 8252)', observations: () => requestOnly('com.example.app:/oauth2redirect') },
    { name: 'loopback with a port', observations: () => requestOnly('http://127.0.0.1:51004/') },
    { name: 'a dot inside a segment name (/v1.2/cb, /.well-known-like/cb)', observations: () => requestOnly('https://app.example/v1.2/..cb/.x') },
    { name: '+ inside the query (decoded to a space) is not whitespace in the URI', observations: () => [obs(`${AS}?response_type=code&client_id=c1&state=${rand('s')}&redirect_uri=https://app.example/cb?x=a+b`, { status: 200 })] },
    { name: 'no code for the malformed URI (AS error page): never high, the request itself stays medium', observations: () => requestOnly('https://app.example/cb/../evil'), allow: ['medium'] },
  ],
  invalid: [
    { name: 'fragment', observations: () => requestOnly('https://app.example/cb#frag'), expect: [{ severity: 'medium', variant: 'fragment', param: 'redirect_uri' }] },
    { name: 'userinfo in the authority', observations: () => requestOnly('https://app.example@evil.example/cb'), expect: [{ variant: 'userinfo' }] },
    { name: 'userinfo with a password: shown without it', observations: () => requestOnly('https://app:hunter2secret@evil.example/cb'), expect: [{ variant: 'userinfo', message: /app:…@evil\.example(?![\s\S]*hunter2secret)/ }] },
    { name: 'backslash', observations: () => requestOnly('https://app.example\\@evil.example/cb'), expect: [{ variant: 'backslash' }] },
    { name: 'dot-segments', observations: () => requestOnly('https://app.example/cb/../evil'), expect: [{ variant: 'dot-segment' }] },
    { name: 'encoded dot-segments %2e%2e', observations: () => requestOnly('https://app.example/cb/%2e%2e/evil'), expect: [{ variant: 'dot-segment' }] },
    { name: '%25 double-encoding in the path', observations: () => requestOnly('https://app.example/cb%252f..%252fevil'), expect: [{ variant: 'double-encoding' }] },
    { name: 'CR/LF (encoded)', observations: () => requestOnly('https://app.example/cb%0d%0aSet-Cookie:x=1'), expect: [{ variant: 'crlf' }] },
    { name: 'whitespace in the path', observations: () => requestOnly('https://app.example/my cb'), expect: [{ variant: 'whitespace' }] },
    { name: 'wildcard host', observations: () => requestOnly('https://*.app.example/cb'), expect: [{ variant: 'wildcard' }] },
    {
      name: 'the AS answered a dot-segment redirect URI with a code: high',
      observations: () => answered('https://app.example/cb/../evil', 'https://app.example/evil'),
      expect: [{ severity: 'high', variant: 'dot-segment', param: 'code', count: 1 }, { severity: 'medium', count: 1 }],
    },
    {
      name: 'a pushed authorization request (PAR) with a malformed redirect URI',
      observations: () => [
        post('https://as.example/par', { response_type: 'code', client_id: 'c1', redirect_uri: 'https://app.example@evil.example/cb', state: rand('p'), code_challenge: rand('pc', 43), code_challenge_method: 'S256' }, { status: 201, responseBody: { request_uri: `urn:ietf:params:oauth:request_uri:${rand('ru')}`, expires_in: 60 } }),
      ],
      expect: [{ severity: 'medium', variant: 'userinfo' }],
    },
  ],
});

describe('malformations', () => {
  it('lists every problem of one URI', () => {
    expect(malformations('https://a@b.example/x/../y#f')).toEqual(['fragment', 'userinfo', 'dot-segment']);
    expect(malformations('https://app.example/callback')).toEqual([]);
    expect(malformations(' https://app.example/cb')).toEqual(['whitespace']);
  });
});
