import { obs, q, rand, redirect } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import { fakeJwt } from '../../tokens/jwt-builder';
import rule from './implicit-grant';

const AS = 'https://as.example/authorize';
const CB = 'https://app.example/cb';

testRule(rule, {
  valid: [
    {
      name: 'code flow with PKCE',
      observations: () => [obs(`${AS}?${q({ response_type: 'code', client_id: 'c1', redirect_uri: CB, state: rand('s'), code_challenge: rand('cc', 43), code_challenge_method: 'S256' })}`)],
    },
    {
      name: 'Keycloak response_mode=fragment delivers a code, not a token',
      observations: () => [
        obs(`https://sso.example.com/realms/r/protocol/openid-connect/auth?${q({ response_type: 'code', response_mode: 'fragment', client_id: 'spa', redirect_uri: CB, state: rand('k') })}`),
        ...redirect('https://sso.example.com/realms/r/login-actions/authenticate', `${CB}#${q({ state: rand('k'), code: rand('code') })}`),
      ],
    },
    {
      name: 'PAR request: parameters unknown',
      observations: () => [obs(`${AS}?${q({ client_id: 'c1', request_uri: 'urn:ietf:params:oauth:request_uri:abc' })}`)],
    },
    {
      name: 'a page mentioning response_type=token in a non-OAuth URL',
      observations: () => [obs(`https://docs.example/search?${q({ query: 'response_type=token' })}`)],
    },
    {
      name: 'hybrid "code id_token" (no access token in the front channel)',
      observations: () => [obs(`${AS}?${q({ response_type: 'code id_token', response_mode: 'form_post', client_id: 'c1', redirect_uri: CB, state: rand('s'), nonce: rand('n'), scope: 'openid' })}`)],
    },
    {
      name: 'response_type=none (OAuth 2.0 Multiple Response Types §4)',
      observations: () => [obs(`${AS}?${q({ response_type: 'none', client_id: 'c1', redirect_uri: CB, state: rand('s') })}`)],
    },
    {
      name: 'an id_token (no access token) in a fragment response',
      observations: () => [
        obs(`${AS}?${q({ response_type: 'code id_token', client_id: 'c1', redirect_uri: CB, state: rand('s'), nonce: rand('n'), scope: 'openid' })}`),
        ...redirect('https://as.example/login', `${CB}#${q({ state: rand('s'), code: rand('c'), id_token: rand('idt', 200) })}`),
      ],
    },
  ],
  invalid: [
    {
      name: 'response_type=token',
      observations: () => [obs(`${AS}?${q({ response_type: 'token', client_id: 'c1', redirect_uri: CB, state: rand('s') })}`)],
      expect: [{ severity: 'high', param: 'response_type' }],
    },
    {
      name: 'response_type="id_token token" (hybrid with token)',
      observations: () => [obs(`${AS}?${q({ response_type: 'id_token token', client_id: 'c1', redirect_uri: CB, state: rand('s'), nonce: rand('n'), scope: 'openid' })}`)],
      expect: [{ severity: 'high' }],
    },
    {
      name: 'id_token alone is low',
      observations: () => [obs(`${AS}?${q({ response_type: 'id_token', client_id: 'c1', redirect_uri: CB, state: rand('s'), nonce: rand('n'), scope: 'openid' })}`)],
      expect: [{ severity: 'low', variant: 'id-token-only' }],
    },
    {
      name: 'access_token in a fragment without a visible request',
      observations: () => redirect('https://as.example/login', `${CB}#${q({ access_token: rand('at'), token_type: 'Bearer', state: rand('s2') })}`),
      expect: [{ variant: 'fragment-delivery', param: 'access_token' }],
    },
    {
      name: 'response_type "token id_token" in the other order, "+"-encoded space',
      observations: () => [obs(`${AS}?response_type=token+id_token&${q({ client_id: 'c1', redirect_uri: CB, state: rand('s'), nonce: rand('n'), scope: 'openid' })}`)],
      expect: [{ severity: 'high', param: 'response_type' }],
    },
    {
      name: 'hybrid "code token"',
      observations: () => [obs(`${AS}?${q({ response_type: 'code token', client_id: 'c1', redirect_uri: CB, state: rand('s') })}`)],
      expect: [{ severity: 'high' }],
    },
    {
      name: 'authorization request sent as a form POST navigation',
      observations: () => [obs(AS, { method: 'POST', form: { response_type: 'token', client_id: 'c1', redirect_uri: CB, state: rand('s') } })],
      expect: [{ severity: 'high', param: 'response_type' }],
    },
    {
      name: 'JAR: response_type=token inside a signed request object',
      observations: () => [obs(`${AS}?${q({ client_id: 'c1', request: fakeJwt({ alg: 'RS256' }, { response_type: 'token', client_id: 'c1', redirect_uri: CB, state: rand('s') }) })}`)],
      expect: [{ severity: 'high' }],
    },
    {
      name: 'access_token in a committed fragment that is not recognisable as a response (no state, no known flow)',
      observations: () => [obs(`https://app.example/#${q({ access_token: rand('at9'), token_type: 'Bearer', expires_in: '3600' })}`, { navigationOnly: true })],
      expect: [{ variant: 'fragment-delivery', param: 'access_token' }],
    },
    {
      name: 'the request asked for code only, but the AS answered with an access token in the fragment',
      observations: () => {
        const s = rand('s3');
        return [obs(`${AS}?${q({ response_type: 'code', client_id: 'c1', redirect_uri: CB, state: s })}`), ...redirect('https://as.example/login', `${CB}#${q({ access_token: rand('at3'), state: s })}`)];
      },
      expect: [{ variant: 'fragment-delivery' }],
    },
  ],
});
