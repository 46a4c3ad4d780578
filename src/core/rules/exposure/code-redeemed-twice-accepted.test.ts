import { post, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './code-redeemed-twice-accepted';

const TOKEN = 'https://as.example/oauth/token';
const redeem = (code: string, at: number, status: number, response: object, url = TOKEN) =>
  post(url, { grant_type: 'authorization_code', code, client_id: 'spa', redirect_uri: 'https://app.example/cb', code_verifier: rand(`v${code}`, 64) }, { at, status, responseBody: response });

testRule(rule, {
  valid: [
    {
      name: 'one code, one redemption',
      observations: () => [redeem(rand('c1'), 1, 200, { access_token: rand('a1'), token_type: 'Bearer' })],
    },
    {
      name: 'the AS rejects the second redemption (invalid_grant)',
      observations: () => [redeem(rand('c2'), 1, 200, { access_token: rand('a1') }), redeem(rand('c2'), 10, 400, { error: 'invalid_grant' })],
    },
    {
      name: 'two different codes redeemed',
      observations: () => [redeem(rand('c3'), 1, 200, { access_token: rand('a1') }), redeem(rand('c4'), 10, 200, { access_token: rand('a2') })],
    },
    {
      name: 'the first attempt failed (network/5xx), only the retry succeeded',
      observations: () => [redeem(rand('c5'), 1, 503, { error: 'temporarily_unavailable' }), redeem(rand('c5'), 3, 200, { access_token: rand('a1') })],
    },
    {
      name: 'a 2xx without tokens (sanitized HAR, empty body) is not judged',
      observations: () => [redeem(rand('c6'), 1, 200, { access_token: rand('a1') }), post(TOKEN, { grant_type: 'authorization_code', code: rand('c6'), client_id: 'spa' }, { at: 20, status: 200 })],
    },
    {
      name: 'a refresh_token grant reusing the same value is another rule',
      observations: () => [
        post(TOKEN, { grant_type: 'refresh_token', refresh_token: rand('r1'), client_id: 'spa' }, { at: 1, status: 200, responseBody: { access_token: rand('a1'), refresh_token: rand('r2') } }),
        post(TOKEN, { grant_type: 'refresh_token', refresh_token: rand('r2'), client_id: 'spa' }, { at: 5, status: 200, responseBody: { access_token: rand('a2'), refresh_token: rand('r3') } }),
      ],
    },
  ],
  invalid: [
    {
      name: 'the same code exchanged twice, new tokens both times',
      observations: () => [redeem(rand('x1'), 1, 200, { access_token: rand('a1'), id_token: rand('i1', 80) }), redeem(rand('x1'), 30, 200, { access_token: rand('a2'), id_token: rand('i2', 80) })],
      expect: [{ severity: 'high', variant: 'reuse-accepted', param: 'code', count: 1 }],
    },
    {
      name: 'identical access token returned within 5 s: idempotent retry',
      observations: () => [redeem(rand('x2'), 1, 200, { access_token: rand('same') }), redeem(rand('x2'), 3, 200, { access_token: rand('same') })],
      expect: [{ severity: 'medium', variant: 'idempotent-retry' }],
    },
    {
      name: 'identical access token, but a minute later: still a reuse the AS accepted',
      observations: () => [redeem(rand('x3'), 1, 200, { access_token: rand('same') }), redeem(rand('x3'), 61, 200, { access_token: rand('same') })],
      expect: [{ severity: 'high', variant: 'reuse-accepted' }],
    },
    {
      name: 'a rejected attempt in between, then accepted again',
      observations: () => [redeem(rand('x4'), 1, 200, { access_token: rand('a1') }), redeem(rand('x4'), 5, 400, { error: 'invalid_grant' }), redeem(rand('x4'), 20, 201, { access_token: rand('a3') })],
      expect: [{ severity: 'high', count: 1 }],
    },
    {
      name: 'three accepted redemptions: two findings',
      observations: () => [redeem(rand('x5'), 1, 200, { access_token: rand('a1') }), redeem(rand('x5'), 20, 200, { access_token: rand('a2') }), redeem(rand('x5'), 40, 200, { access_token: rand('a3') })],
      expect: [{ severity: 'high', count: 2 }],
    },
    {
      name: 'ID token only (OIDC token response without access token) counts as tokens',
      observations: () => [redeem(rand('x6'), 1, 200, { id_token: rand('i1', 80) }), redeem(rand('x6'), 30, 200, { id_token: rand('i2', 80) })],
      expect: [{ severity: 'high' }],
    },
  ],
});
