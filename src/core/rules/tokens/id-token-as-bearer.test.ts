import { obs, q, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import { fakeJwt } from '../../tokens/jwt-builder';
import rule from './id-token-as-bearer';

const API = 'https://api.app.example/v1/me';
const call = (token: string, init = {}) => obs(API, { type: 'xhr', headers: { Authorization: `Bearer ${token}` }, ...init });
const idt = (extra: Record<string, unknown> = {}, header: Record<string, unknown> = { alg: 'RS256' }) =>
  fakeJwt(header, { iss: 'https://as.example', sub: 'u1', aud: 'c1', iat: 1, exp: 301, ...extra });
const areq = () => obs(`https://as.example/authorize?${q({ response_type: 'code', client_id: 'c1', redirect_uri: 'https://app.example/cb', state: rand('s'), scope: 'openid' })}`);

testRule(rule, {
  valid: [
    { name: 'an RFC 9068 access token (typ at+jwt)', observations: () => [call(idt({ nonce: 'n' }, { alg: 'RS256', typ: 'at+jwt' }))] },
    { name: 'a JWT access token for the API (aud = API, no nonce)', observations: () => [areq(), call(idt({ aud: 'https://api.app.example', scope: 'read' }))] },
    { name: 'an opaque bearer token', observations: () => [call(rand('opaque', 40))] },
    { name: 'a top-level navigation is not an API call', observations: () => [obs(API, { headers: { Authorization: `Bearer ${idt({ nonce: 'n' })}` } })] },
    { name: 'typ application/at+jwt', observations: () => [call(idt({ nonce: 'n' }, { alg: 'RS256', typ: 'application/at+jwt' }))] },
    { name: 'a JWE bearer token cannot be read', observations: () => [call('eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a2V5.aXY.Y2lwaGVy.dGFn')] },
    { name: 'Basic authentication is not a bearer token', observations: () => [areq(), call('x', { headers: { Authorization: `Basic ${btoa('c1:secret')}` } })] },
  ],
  invalid: [
    { name: 'ID token with a nonce as bearer', observations: () => [call(idt({ nonce: 'n-123' }))], expect: [{ severity: 'low', param: 'authorization', message: /nonce/ }] },
    { name: 'ID token whose aud is a flow client_id', observations: () => [areq(), call(idt())], expect: [{ severity: 'low', message: /client_id c1/ }] },
    { name: 'lower-case "bearer" scheme', observations: () => [obs(API, { type: 'fetch', headers: { authorization: `bearer ${idt({ nonce: 'n-9' })}` } })], expect: [{ severity: 'low' }] },
    { name: 'aud array containing a flow client_id', observations: () => [areq(), call(idt({ aud: ['c1', 'https://api.app.example'] }))], expect: [{ severity: 'low', message: /client_id c1/ }] },
    { name: 'typ "JWT" is not an access token type', observations: () => [call(idt({ nonce: 'n-2' }, { alg: 'RS256', typ: 'JWT' }))], expect: [{ severity: 'low' }] },
    {
      name: 'one finding per token, however many API calls carry it',
      observations: () => {
        const t = idt({ nonce: 'n-7' });
        return [call(t), obs('https://api.app.example/v1/items', { type: 'xhr', headers: { Authorization: `Bearer ${t}` } }), call(t)];
      },
      expect: [{ severity: 'low', message: /nonce/, count: 1 }],
    },
    {
      name: 'two ID tokens on API calls: a finding each',
      observations: () => [call(idt({ nonce: 'n-8' })), call(idt({ nonce: 'n-9' })), call(idt({ nonce: 'n-8' }))],
      expect: [{ severity: 'low', message: /nonce/, count: 2 }],
    },
    {
      name: 'HAR: the API call sits on a later page than the authorization request',
      observations: () => [obs(`https://as.example/authorize?${q({ response_type: 'code', client_id: 'c1', redirect_uri: 'https://app.example/cb', state: rand('s'), scope: 'openid' })}`, { context: 'har:0:page_1' }), call(idt(), { context: 'har:0:page_2' })],
      expect: [{ severity: 'low', message: /client_id c1/ }],
    },
  ],
});
