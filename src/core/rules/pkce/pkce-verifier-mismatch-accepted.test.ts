import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { obs, post, q, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import { base64url, pkceS256, sha256 } from '../../util/sha256';
import { isBase64urlOfDigest, verifierMatches, type SentChallenge } from '../support/token-exchange';
import rule from './pkce-verifier-mismatch-accepted';

const AS = 'https://as.example/authorize';
const CB = 'https://app.example/cb';
const TOKEN = 'https://as.example/token';
const V = rand('verifier', 64);
const OTHER = rand('other-verifier', 64);
const hex = (v: string) => {
  // the hex digest the way a wrong client computes it (same digest as pkceS256)
  const b = atob(pkceS256(v).replace(/-/g, '+').replace(/_/g, '/'));
  return [...b].map((c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('');
};
const tokens = { access_token: rand('at'), token_type: 'Bearer', expires_in: 300 };

/** authorization request with these PKCE parameters → callback → token request with `verifier` */
function flow(pkce: Record<string, string | undefined>, verifier: string | undefined, init: Parameters<typeof post>[2] = { responseBody: tokens }, tokenUrl = TOKEN) {
  const state = rand('s');
  const code = rand('code');
  return [
    obs(`${AS}?${q({ response_type: 'code', client_id: 'spa', redirect_uri: CB, state, scope: 'openid', ...pkce })}`),
    obs(`${CB}?${q({ state, code })}`, { initiator: 'https://as.example' }),
    post(tokenUrl, { grant_type: 'authorization_code', code, client_id: 'spa', redirect_uri: CB, ...(verifier !== undefined ? { code_verifier: verifier } : {}) }, init),
  ];
}

testRule(rule, {
  valid: [
    { name: 'S256, verifier matches, 200 with tokens', observations: () => flow({ code_challenge: pkceS256(V), code_challenge_method: 'S256' }, V) },
    { name: 'plain, verifier = challenge', observations: () => flow({ code_challenge: V, code_challenge_method: 'plain' }, V) },
    { name: 'no method (plain default), verifier = challenge', observations: () => flow({ code_challenge: V }, V) },
    { name: 'no method but an S256 challenge (Salesforce: AS may assume S256)', observations: () => flow({ code_challenge: pkceS256(V) }, V) },
    { name: 'mismatch rejected by the AS (400 invalid_grant)', observations: () => flow({ code_challenge: pkceS256(V), code_challenge_method: 'S256' }, OTHER, { status: 400, responseBody: { error: 'invalid_grant' } }) },
    { name: 'mismatch answered 200 with an error body (GitHub style)', observations: () => flow({ code_challenge: pkceS256(V), code_challenge_method: 'S256' }, OTHER, { status: 200, responseBody: { error: 'bad_verification_code' } }) },
    { name: 'mismatch, 200 but no body visible (sanitized HAR)', observations: () => flow({ code_challenge: pkceS256(V), code_challenge_method: 'S256' }, OTHER, { status: 200 }) },
    { name: 'hex-encoded S256 challenge of the same verifier (client bug, pkce-s256-malformed)', observations: () => flow({ code_challenge: hex(V), code_challenge_method: 'S256' }, V) },
    { name: 'no challenge sent (pkce-downgrade-accepted, not this)', observations: () => flow({}, OTHER) },
    { name: 'unknown method S512: cannot judge', observations: () => flow({ code_challenge: rand('x', 86), code_challenge_method: 'S512' }, OTHER) },
    { name: 'PAR request_uri without its pushed body: challenge unknown', observations: () => {
      const code = rand('code');
      return [
        obs(`${AS}?${q({ client_id: 'spa', request_uri: 'urn:ietf:params:oauth:request_uri:vm1' })}`),
        obs(`${CB}?${q({ state: rand('s'), code })}`, { initiator: 'https://as.example' }),
        post(TOKEN, { grant_type: 'authorization_code', code, client_id: 'spa', code_verifier: OTHER }, { responseBody: tokens }),
      ];
    } },
    { name: 'token request for a code of no known flow', observations: () => [post(TOKEN, { grant_type: 'authorization_code', code: rand('stray'), code_verifier: OTHER }, { responseBody: tokens })] },
    { name: 'refresh grant carrying a verifier is not a code redemption', observations: () => {
      const [a, b] = flow({ code_challenge: pkceS256(V), code_challenge_method: 'S256' }, V);
      return [a, b, post(TOKEN, { grant_type: 'refresh_token', refresh_token: rand('rt'), code_verifier: OTHER }, { responseBody: tokens })];
    } },
    { name: 'retry with the same state and a fresh challenge: the verifier matches the second request', observations: () => {
      const state = rand('s');
      const code = rand('code');
      return [
        obs(`${AS}?${q({ response_type: 'code', client_id: 'spa', redirect_uri: CB, state, code_challenge: pkceS256(OTHER), code_challenge_method: 'S256' })}`),
        obs(`${AS}?${q({ response_type: 'code', client_id: 'spa', redirect_uri: CB, state, code_challenge: pkceS256(V), code_challenge_method: 'S256', prompt: 'login' })}`),
        obs(`${CB}?${q({ state, code })}`, { initiator: 'https://as.example' }),
        post(TOKEN, { grant_type: 'authorization_code', code, client_id: 'spa', redirect_uri: CB, code_verifier: V }, { responseBody: tokens }),
      ];
    } },
  ],
  invalid: [
    { name: 'S256, wrong verifier, 200 with tokens', observations: () => flow({ code_challenge: pkceS256(V), code_challenge_method: 'S256' }, OTHER), expect: [{ severity: 'critical', variant: 'mismatch', param: 'code_verifier' }] },
    { name: 'the evidence also points at the challenge of the authorization request', observations: () => flow({ code_challenge: pkceS256(V), code_challenge_method: 'S256' }, OTHER), expect: [{ param: 'code_challenge', count: 1 }] },
    { name: 'plain, verifier ≠ challenge, 200 with tokens', observations: () => flow({ code_challenge: V, code_challenge_method: 'plain' }, OTHER), expect: [{ severity: 'critical', variant: 'mismatch', message: /method plain/ }] },
    { name: 'S256 challenge redeemed with the challenge itself as verifier', observations: () => flow({ code_challenge: pkceS256(V), code_challenge_method: 'S256' }, pkceS256(V)), expect: [{ severity: 'critical', variant: 'challenge-as-verifier' }] },
    { name: 'only an ID token in the reply still counts as accepted', observations: () => flow({ code_challenge: pkceS256(V), code_challenge_method: 'S256' }, OTHER, { status: 200, responseBody: { id_token: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln', token_type: 'Bearer' } }), expect: [{ variant: 'mismatch' }] },
    { name: 'PAR whose pushed body (DT/HAR) had the challenge', observations: () => {
      const code = rand('code');
      const state = rand('s');
      return [
        post('https://as.example/par', { client_id: 'spa', redirect_uri: CB, response_type: 'code', state, code_challenge: pkceS256(V), code_challenge_method: 'S256' }, { status: 201, responseBody: { request_uri: 'urn:ietf:params:oauth:request_uri:vm2', expires_in: 60 } }),
        obs(`${AS}?${q({ client_id: 'spa', request_uri: 'urn:ietf:params:oauth:request_uri:vm2' })}`),
        obs(`${CB}?${q({ state, code })}`, { initiator: 'https://as.example' }),
        post(TOKEN, { grant_type: 'authorization_code', code, client_id: 'spa', code_verifier: OTHER }, { responseBody: tokens }),
      ];
    }, expect: [{ severity: 'critical', variant: 'mismatch' }] },
    { name: 'verifier sent as JSON (Auth0-style token request)', observations: () => {
      const state = rand('s');
      const code = rand('code');
      return [
        obs(`${AS}?${q({ response_type: 'code', client_id: 'spa', redirect_uri: CB, state, code_challenge: pkceS256(V), code_challenge_method: 'S256' })}`),
        obs(`${CB}?${q({ state, code })}`, { initiator: 'https://as.example' }),
        obs(TOKEN, { type: 'fetch', method: 'POST', body: JSON.stringify({ grant_type: 'authorization_code', code, client_id: 'spa', redirect_uri: CB, code_verifier: OTHER }), headers: { 'Content-Type': 'application/json' }, responseBody: tokens }),
      ];
    }, expect: [{ variant: 'mismatch' }] },
  ],
});

describe('verifierMatches without building the S256 string', () => {
  it('isBase64urlOfDigest(s, d) is s === base64url(d), for the encoding, its near misses and any string', () => {
    const near = fc.tuple(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.nat(), fc.constantFrom('A', '-', '_', 'z', '=', '')).map(([d, at, c]) => {
      const u = base64url(d);
      const i = at % 44;
      return [d, `${u.slice(0, i)}${c}${u.slice(i + 1)}`] as const;
    });
    const exact = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((d) => [d, base64url(d)] as const);
    const any = fc.tuple(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.string({ minLength: 40, maxLength: 46 })).map(([d, s]) => [d, s] as const);
    fc.assert(
      fc.property(fc.oneof(exact, near, any), ([d, s]) => {
        expect(isBase64urlOfDigest(s, d)).toBe(s === base64url(d));
      }),
      { numRuns: 5000 },
    );
  });

  it('verifierMatches answers as with pkceS256 (4d5723d), one verifier against several challenges', () => {
    /** the function before (4d5723d), as the reference */
    const old = (verifier: string, c: SentChallenge): string => {
      const m = c.method ? c.method.toLowerCase() : undefined;
      if (m !== undefined && m !== 'plain' && m !== 's256') return 'unknown-method';
      if (c.challenge === verifier) return m === 's256' ? 'challenge-as-verifier' : 'match';
      if (c.challenge === pkceS256(verifier)) return 'match';
      const d = sha256(verifier);
      const u = base64url(d);
      const std = u.replace(/-/g, '+').replace(/_/g, '/');
      let hx = '';
      for (const b of d) hx += b.toString(16).padStart(2, '0');
      const b64hex = btoa(hx);
      const encodings = [u, `${u}=`, std, `${std}=`, std.replace(/\+/g, ' '), `${std.replace(/\+/g, ' ')}=`, hx, hx.toUpperCase(), b64hex, b64hex.replace(/=+$/, '')];
      return encodings.includes(c.challenge) ? 'match' : 'mismatch';
    };
    const verifier = fc.oneof(fc.string({ minLength: 1, maxLength: 90 }), fc.constantFrom(V, OTHER));
    const challengeOf = (v: string) =>
      fc.oneof(
        fc.constant(pkceS256(v)),
        fc.constant(v),
        fc.constant(hex(v)),
        fc.constant(`${pkceS256(v)}=`),
        fc.constant(pkceS256(v).replace(/-/g, '+').replace(/_/g, '/')),
        fc.constant(pkceS256(`${v}x`)),
        fc.string({ maxLength: 50 }),
      );
    const method = fc.constantFrom(undefined, '', 'S256', 's256', 'plain', 'PLAIN', 'RS256');
    fc.assert(
      fc.property(
        verifier.chain((v) => fc.tuple(fc.constant(v), fc.array(fc.tuple(challengeOf(v), method), { minLength: 1, maxLength: 4 }))),
        ([v, cs]) => {
          for (const [challenge, m] of cs) {
            const c = { challenge, method: m, request: undefined as unknown as SentChallenge['request'] };
            expect(verifierMatches(v, c)).toBe(old(v, c));
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
