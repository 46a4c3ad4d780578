import { post, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './refresh-token-not-rotated';

const TOKEN = 'https://as.example/oauth/token';
const refresh = (rt: string, response: object | undefined, extra: Record<string, string> = {}, headers?: Record<string, string>, status = 200) =>
  post(TOKEN, { grant_type: 'refresh_token', refresh_token: rt, client_id: 'spa', ...extra }, { status, responseBody: response, headers });

testRule(rule, {
  valid: [
    {
      name: 'rotated: a new refresh token in the response',
      observations: () => [refresh(rand('r1'), { access_token: rand('a1'), token_type: 'Bearer', refresh_token: rand('r2') })],
    },
    {
      name: 'confidential client (client_secret_post) without rotation',
      observations: () => [refresh(rand('r3'), { access_token: rand('a1') }, { client_secret: rand('sec') })],
    },
    {
      name: 'confidential client (HTTP Basic) without rotation',
      observations: () => [refresh(rand('r4'), { access_token: rand('a1') }, {}, { Authorization: `Basic ${btoa('c1:secret')}` })],
    },
    {
      name: 'confidential client (private_key_jwt) without rotation',
      observations: () => [refresh(rand('r5'), { access_token: rand('a1') }, { client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: rand('ca', 200) })],
    },
    {
      name: 'DPoP proof header (RFC 9449): sender-constrained',
      observations: () => [refresh(rand('r6'), { access_token: rand('a1'), token_type: 'DPoP' }, {}, { DPoP: rand('proof', 120) })],
    },
    {
      name: 'token_type DPoP in the response (proof header stripped from the capture)',
      observations: () => [refresh(rand('r7'), { access_token: rand('a1'), token_type: 'DPoP' })],
    },
    {
      name: 'the AS rejected the refresh (400 invalid_grant)',
      observations: () => [refresh(rand('r8'), { error: 'invalid_grant' }, {}, undefined, 400)],
    },
    {
      name: 'no response body visible (sanitized HAR)',
      observations: () => [refresh(rand('r9'), undefined)],
    },
    {
      name: 'an authorization_code grant without a refresh token is not this rule',
      observations: () => [post(TOKEN, { grant_type: 'authorization_code', code: rand('c1'), client_id: 'spa', code_verifier: rand('v', 64) }, { status: 200, responseBody: { access_token: rand('a1') } })],
    },
  ],
  invalid: [
    {
      name: 'public client: the 2xx response carries no new refresh token',
      observations: () => [refresh(rand('n1'), { access_token: rand('a1'), token_type: 'Bearer', expires_in: 3600 })],
      expect: [{ severity: 'medium', variant: 'no-new-token', param: 'refresh_token' }],
    },
    {
      name: 'public client: the same refresh token is returned',
      observations: () => [refresh(rand('n2'), { access_token: rand('a1'), refresh_token: rand('n2') })],
      expect: [{ severity: 'medium', variant: 'same-token-returned' }],
    },
    {
      name: 'a Bearer Authorization header is not client authentication',
      observations: () => [refresh(rand('n3'), { access_token: rand('a1') }, {}, { Authorization: `Bearer ${rand('at')}` })],
      expect: [{ variant: 'no-new-token' }],
    },
    {
      name: 'the same unrotated token refreshed twice: one finding',
      observations: () => [refresh(rand('n4'), { access_token: rand('a1') }), refresh(rand('n4'), { access_token: rand('a2') })],
      expect: [{ count: 1 }],
    },
  ],
});
