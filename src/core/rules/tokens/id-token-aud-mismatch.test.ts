import { obs, post, q, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import { fakeJwt } from '../../tokens/jwt-builder';
import rule from './id-token-aud-mismatch';

const AS = 'https://as.example/authorize';
const CB = 'https://app.example/cb';
const TOKEN = 'https://as.example/token';
const now = 1768471200;
const idt = (c: Record<string, unknown>) => fakeJwt({ alg: 'RS256', kid: 'k1' }, { iss: 'https://as.example', sub: 'u1', iat: now, exp: now + 300, nonce: 'n-1', ...c });

function frontChannel(token: string) {
  return [
    obs(`${AS}?${q({ response_type: 'code id_token', response_mode: 'form_post', client_id: 'c1', redirect_uri: CB, state: rand('s'), nonce: 'n-1', scope: 'openid' })}`),
    obs(CB, { method: 'POST', form: { state: rand('s'), code: rand('c'), id_token: token } }),
  ];
}

function codeFlow(token: string, tokenReq: Record<string, string> = {}, init = {}) {
  return [
    obs(`${AS}?${q({ response_type: 'code', client_id: 'c1', redirect_uri: CB, state: rand('s'), nonce: 'n-1', scope: 'openid' })}`),
    obs(`${CB}?${q({ state: rand('s'), code: rand('c') })}`, { initiator: 'https://as.example' }),
    post(TOKEN, { grant_type: 'authorization_code', code: rand('c'), redirect_uri: CB, ...tokenReq }, { responseBody: { access_token: rand('at'), token_type: 'Bearer', expires_in: 300, id_token: token }, ...init }),
  ];
}

testRule(rule, {
  valid: [
    { name: 'aud = client_id (front channel)', observations: () => frontChannel(idt({ aud: 'c1' })) },
    { name: 'aud = [client_id] with azp = client_id (token response)', observations: () => codeFlow(idt({ aud: ['c1', 'api'], azp: 'c1' })) },
    { name: 'aud mismatch but no client_id known anywhere', observations: () => [post(TOKEN, { grant_type: 'authorization_code', code: rand('zz') }, { responseBody: { access_token: rand('at'), id_token: idt({ aud: 'other' }) } })] },
    {
      name: 'Google cross-client token (aud = client_id, azp = another client of the project) is low only',
      observations: () => frontChannel(idt({ aud: 'c1', azp: 'c1-android' })),
      allow: ['low'],
    },
    {
      name: 'error response carries no ID token to check',
      observations: () => codeFlow(idt({ aud: 'other' }), {}, { status: 400 }),
    },
    { name: 'one-element aud array with the client_id, no azp', observations: () => frontChannel(idt({ aud: ['c1'] })) },
    { name: 'azp = client_id with a single aud', observations: () => codeFlow(idt({ aud: 'c1', azp: 'c1' })) },
    {
      name: 'brokered flow: the upstream ID token at the broker endpoint is checked against the broker\'s client_id',
      observations: () => {
        const s1 = rand('b1');
        const s2 = rand('b2');
        const broker = 'https://sso.example.com/realms/r/broker/google/endpoint';
        return [
          obs(`https://sso.example.com/realms/r/protocol/openid-connect/auth?${q({ response_type: 'code', client_id: 'c1', redirect_uri: CB, state: s1, nonce: 'n-1', scope: 'openid' })}`),
          obs(`https://accounts.google.com/o/oauth2/v2/auth?${q({ response_type: 'code id_token', response_mode: 'form_post', client_id: 'kc-google', redirect_uri: broker, state: s2, nonce: 'n-2', scope: 'openid' })}`, { referer: 'https://sso.example.com/' }),
          obs(broker, { method: 'POST', form: { state: s2, code: rand('gc'), id_token: idt({ iss: 'https://accounts.google.com', aud: 'kc-google', nonce: 'n-2' }) } }),
        ];
      },
    },
  ],
  invalid: [
    { name: 'front-channel ID token issued to another client', observations: () => frontChannel(idt({ aud: 'attacker-client' })), expect: [{ severity: 'high', variant: 'aud-lacks-client', param: 'id_token' }] },
    { name: 'token response ID token issued to another client (flow linked by code)', observations: () => codeFlow(idt({ aud: ['x', 'y'] })), expect: [{ severity: 'high', variant: 'aud-lacks-client' }] },
    { name: 'azp names another client with a multi-valued aud', observations: () => codeFlow(idt({ aud: ['c1', 'c2'], azp: 'c2' })), expect: [{ severity: 'high', variant: 'azp-mismatch' }] },
    { name: 'multi-valued aud without azp → low', observations: () => frontChannel(idt({ aud: ['c1', 'c2'] })), expect: [{ severity: 'low', variant: 'multi-aud-no-azp' }] },
    { name: 'Google-style cross-client shape → low', observations: () => frontChannel(idt({ aud: 'c1', azp: 'c9' })), expect: [{ severity: 'low', variant: 'azp-other-client' }] },
    {
      name: 'client_id from the token request parameter when no flow is linked',
      observations: () => [post(TOKEN, { grant_type: 'authorization_code', code: rand('c7'), client_id: 'c1' }, { responseBody: { access_token: rand('at'), id_token: idt({ aud: 'c2' }) } })],
      expect: [{ severity: 'high', message: /"c1"/ }],
    },
    {
      name: 'client_id from HTTP Basic client authentication',
      observations: () => [post(TOKEN, { grant_type: 'refresh_token', refresh_token: rand('rt') }, { headers: { Authorization: `Basic ${btoa('c1:secret')}` }, responseBody: { access_token: rand('at'), id_token: idt({ aud: 'c2' }) } })],
      expect: [{ severity: 'high', message: /"c1"/ }],
    },
    { name: 'ID token without aud', observations: () => frontChannel(idt({})), expect: [{ severity: 'high', variant: 'aud-missing' }] },
    {
      name: 'implicit fragment response with an ID token for another client',
      observations: () => {
        const s = rand('im');
        return [
          obs(`${AS}?${q({ response_type: 'id_token token', client_id: 'c1', redirect_uri: CB, state: s, nonce: 'n-1', scope: 'openid' })}`),
          obs(`${CB}#${q({ state: s, access_token: rand('a'), id_token: idt({ aud: 'c2' }) })}`, { navigationOnly: true }),
        ];
      },
      expect: [{ severity: 'high', variant: 'aud-lacks-client' }],
    },
    {
      name: 'refresh_token grant response with an ID token for another client',
      observations: () => [post(TOKEN, { grant_type: 'refresh_token', refresh_token: rand('rt'), client_id: 'c1' }, { responseBody: { access_token: rand('at'), id_token: idt({ aud: 'c3' }) } })],
      expect: [{ severity: 'high', variant: 'aud-lacks-client' }],
    },
    { name: 'client_id differs only in case (client_id is case-sensitive)', observations: () => frontChannel(idt({ aud: 'C1' })), expect: [{ severity: 'high', variant: 'aud-lacks-client' }] },
    { name: 'aud of the wrong type (a number)', observations: () => frontChannel(idt({ aud: 12345 })), expect: [{ severity: 'high', variant: 'aud-missing' }] },
  ],
});
