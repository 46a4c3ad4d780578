import { obs, q, rand, redirect } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
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
  ],
});
