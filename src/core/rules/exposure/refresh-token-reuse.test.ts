import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RefreshUse } from '../../flows/store';
import { post, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule, { earlierAccepted } from './refresh-token-reuse';

const TOKEN = 'https://as.example/oauth/token';
const refresh = (rt: string, at: number, response: object, extra: Record<string, string> = {}, headers?: Record<string, string>) =>
  post(TOKEN, { grant_type: 'refresh_token', refresh_token: rt, client_id: 'spa', ...extra }, { at, status: 200, responseBody: response, headers });

testRule(rule, {
  valid: [
    {
      name: 'rotation: each refresh token used once',
      observations: () => [refresh(rand('r1'), 1, { access_token: rand('a1'), refresh_token: rand('r2') }), refresh(rand('r2'), 100, { access_token: rand('a2'), refresh_token: rand('r3') })],
    },
    {
      name: 'replay rejected by the AS',
      observations: () => [refresh(rand('r1'), 1, { access_token: rand('a1'), refresh_token: rand('r2') }), post(TOKEN, { grant_type: 'refresh_token', refresh_token: rand('r1'), client_id: 'spa' }, { at: 50, status: 400, responseBody: { error: 'invalid_grant' } })],
    },
    {
      name: 'confidential client without rotation',
      observations: () => [refresh(rand('rc'), 1, { access_token: rand('a1') }, { client_secret: rand('sec') }), refresh(rand('rc'), 500, { access_token: rand('a2') }, { client_secret: rand('sec') })],
    },
    {
      name: 'two concurrent requests (grace window)',
      observations: () => [refresh(rand('rx'), 1, { access_token: rand('a1'), refresh_token: rand('ry') }), { ...refresh(rand('rx'), 1, { access_token: rand('a2'), refresh_token: rand('rz') }), time: Date.UTC(2026, 0, 15, 10, 0, 1) + 300 }],
    },
    {
      name: 'a slow AS: the second request left before the first response arrived (3 s later), so they are concurrent',
      observations: () => [
        { ...refresh(rand('slow'), 1, { access_token: rand('a1'), refresh_token: rand('slow2') }), responseTime: Date.UTC(2026, 0, 15, 10, 0, 0) + 5000 },
        refresh(rand('slow'), 4, { access_token: rand('a2'), refresh_token: rand('slow3') }),
      ],
    },
    {
      name: 'DPoP-bound public client without rotation is only info',
      observations: () => [refresh(rand('rd'), 1, { access_token: rand('a1'), token_type: 'DPoP' }, {}, { DPoP: rand('proof', 100) }), refresh(rand('rd'), 300, { access_token: rand('a2'), token_type: 'DPoP' }, {}, { DPoP: rand('proof2', 100) })],
      allow: ['info'],
    },
    {
      name: 'the first use failed, only the second succeeded',
      observations: () => [post(TOKEN, { grant_type: 'refresh_token', refresh_token: rand('f1'), client_id: 'spa' }, { at: 1, status: 503, responseBody: { error: 'temporarily_unavailable' } }), refresh(rand('f1'), 30, { access_token: rand('a2'), refresh_token: rand('f2') })],
    },
    {
      name: 'confidential client (HTTP Basic) without rotation',
      observations: () => [refresh(rand('rb'), 1, { access_token: rand('a1') }, {}, { Authorization: `Basic ${btoa('c1:secret')}` }), refresh(rand('rb'), 900, { access_token: rand('a2') }, {}, { Authorization: `Basic ${btoa('c1:secret')}` })],
    },
    {
      name: 'confidential client (private_key_jwt) without rotation',
      observations: () => [
        refresh(rand('rj'), 1, { access_token: rand('a1') }, { client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: rand('ca1', 200) }),
        refresh(rand('rj'), 900, { access_token: rand('a2') }, { client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: rand('ca2', 200) }),
      ],
    },
    {
      name: 'different refresh tokens (two sessions) never collide',
      observations: () => [refresh(rand('u1'), 1, { access_token: rand('a1') }), refresh(rand('u2'), 100, { access_token: rand('a2') })],
    },
  ],
  invalid: [
    {
      name: 'a fast AS: the first response had arrived (50 ms) when the same token was sent again 400 ms later: a reuse, not concurrency',
      observations: () => [
        { ...refresh(rand('fast'), 1, { access_token: rand('a1'), refresh_token: rand('fast2') }), responseTime: Date.UTC(2026, 0, 15, 10, 0, 0) + 1050 },
        { ...refresh(rand('fast'), 1, { access_token: rand('a2'), refresh_token: rand('fast3') }), time: Date.UTC(2026, 0, 15, 10, 0, 0) + 1400 },
      ],
      expect: [{ variant: 'rotated-still-accepted' }],
    },
    {
      name: 'rotated, and the old refresh token is still accepted',
      observations: () => [refresh(rand('o1'), 1, { access_token: rand('a1'), refresh_token: rand('o2') }), refresh(rand('o1'), 60, { access_token: rand('a2'), refresh_token: rand('o3') })],
      expect: [{ severity: 'high', variant: 'rotated-still-accepted', param: 'refresh_token' }],
    },
    {
      name: 'public client, never rotated',
      observations: () => [refresh(rand('n1'), 1, { access_token: rand('a1') }), refresh(rand('n1'), 3600, { access_token: rand('a2') })],
      expect: [{ variant: 'not-rotated' }],
    },
    {
      name: 'confidential client: rotated, and the old refresh token is still accepted',
      observations: () => [refresh(rand('c1'), 1, { access_token: rand('a1'), refresh_token: rand('c2') }, { client_secret: rand('sec') }), refresh(rand('c1'), 120, { access_token: rand('a2'), refresh_token: rand('c3') }, { client_secret: rand('sec') })],
      expect: [{ severity: 'high', variant: 'rotated-still-accepted' }],
    },
    {
      name: 'public client: the "rotated" refresh token is the same value',
      observations: () => [refresh(rand('same'), 1, { access_token: rand('a1'), refresh_token: rand('same') }), refresh(rand('same'), 600, { access_token: rand('a2'), refresh_token: rand('same') })],
      expect: [{ severity: 'high', variant: 'not-rotated' }],
    },
    {
      name: 'replay accepted after a rejected attempt in between',
      observations: () => [
        refresh(rand('m1'), 1, { access_token: rand('a1'), refresh_token: rand('m2') }),
        post(TOKEN, { grant_type: 'refresh_token', refresh_token: rand('m1'), client_id: 'spa' }, { at: 50, status: 400, responseBody: { error: 'invalid_grant' } }),
        refresh(rand('m1'), 90, { access_token: rand('a3'), refresh_token: rand('m3') }),
      ],
      expect: [{ variant: 'rotated-still-accepted', count: 1 }],
    },
    {
      name: 'DPoP-bound refresh token replayed after rotation is info',
      observations: () => [refresh(rand('dr'), 1, { access_token: rand('a1'), token_type: 'DPoP', refresh_token: rand('dr2') }, {}, { DPoP: rand('p1', 100) }), refresh(rand('dr'), 300, { access_token: rand('a2'), token_type: 'DPoP', refresh_token: rand('dr3') }, {}, { DPoP: rand('p2', 100) })],
      expect: [{ severity: 'info', variant: 'rotated-still-accepted' }],
    },
  ],
});

describe('refresh-token-reuse: earlierAccepted', () => {
  // reference: the check before earlierAccepted (a filtered list, its first entry, some() over it)
  const concurrent = (first: RefreshUse, sentAt: number) => (first.responseTime !== undefined ? sentAt < first.responseTime : sentAt - first.time < 1000);
  function old(uses: RefreshUse[] | undefined, h: string, sentAt: number) {
    const earlier = (uses ?? []).filter((u) => (u.status ?? 0) >= 200 && (u.status ?? 0) < 300 && !concurrent(u, sentAt));
    if (earlier.length === 0) return undefined;
    return { first: earlier[0], rotated: earlier.some((u) => u.rotatedTo !== undefined && u.rotatedTo !== h) };
  }
  const use = fc.record(
    {
      ref: fc.record({ input: fc.constant(0), entry: fc.nat(50) }),
      time: fc.integer({ min: 0, max: 5000 }),
      responseTime: fc.integer({ min: 0, max: 6000 }),
      status: fc.constantFrom(0, 199, 200, 201, 299, 300, 400, 500),
      rotatedTo: fc.constantFrom('h1', 'h2', 'h3'),
      dpop: fc.boolean(),
      clientAuthenticated: fc.boolean(),
    },
    { requiredKeys: ['ref', 'time', 'dpop', 'clientAuthenticated'] },
  );
  it('answers as the filtered list did', () => {
    fc.assert(
      fc.property(fc.option(fc.array(use, { maxLength: 8 }), { nil: undefined }), fc.constantFrom('h1', 'h2'), fc.integer({ min: 0, max: 7000 }), (uses, h, at) => {
        const got = earlierAccepted(uses, h, at);
        const want = old(uses, h, at);
        expect(got).toEqual(want);
        if (got && want) expect(got.first).toBe(want.first);
      }),
      { numRuns: 5_000 },
    );
  });
});
