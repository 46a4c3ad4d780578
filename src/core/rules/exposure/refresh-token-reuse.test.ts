import { post, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './refresh-token-reuse';

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
      name: 'DPoP-bound public client without rotation is only info',
      observations: () => [refresh(rand('rd'), 1, { access_token: rand('a1'), token_type: 'DPoP' }, {}, { DPoP: rand('proof', 100) }), refresh(rand('rd'), 300, { access_token: rand('a2'), token_type: 'DPoP' }, {}, { DPoP: rand('proof2', 100) })],
      allow: ['info'],
    },
  ],
  invalid: [
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
  ],
});
