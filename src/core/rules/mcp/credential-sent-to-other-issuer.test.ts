import { obs, rand } from '../../testing/builders';
import { AS, AS2, jwt, mcpFlow, refresh, switchAs } from '../../testing/mcp-scenarios';
import { testRule } from '../../testing/rule-tester';
import rule from './credential-sent-to-other-issuer';

const RT = rand('rt-1');
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const assertion = (aud: string, jti: string) => jwt({ iss: 'agent-1', sub: 'agent-1', aud, jti, iat: 1_768_471_200, exp: 1_768_471_260 });
const clientCredentials = (as: string, a: string, status = 200) =>
  obs(`${as}/token`, { type: 'fetch', method: 'POST', form: { grant_type: 'client_credentials', client_assertion_type: JWT_BEARER, client_assertion: a, resource: 'https://mcp.example.com/mcp' }, status, responseBody: status === 200 ? { access_token: rand(a), token_type: 'Bearer' } : { error: 'invalid_client' } });

testRule(rule, {
  valid: [
    { name: 'a refresh at the AS that issued the token', observations: () => [...mcpFlow({ refreshToken: RT }), refresh(AS, RT)] },
    { name: 'the resource switches AS and the client registers afresh there', observations: () => [...mcpFlow({ refreshToken: RT, clientSecret: rand('sec1') }), ...switchAs({ to: AS2 }), ...mcpFlow({ as: AS2, seed: 'second', cachedDiscovery: true, clientSecret: rand('sec2') })] },
    {
      name: 'token exchange (RFC 8693) at another AS: a credential sent on purpose',
      observations: () => [
        ...mcpFlow({ refreshToken: RT, clientSecret: rand('sec1') }),
        obs(`${AS2}/token`, { type: 'fetch', method: 'POST', form: { grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: RT, subject_token_type: 'urn:ietf:params:oauth:token-type:refresh_token', client_id: 'x', client_secret: rand('sec-at-as2') }, responseBody: { access_token: rand('x-at'), issued_token_type: 'urn:ietf:params:oauth:token-type:access_token', token_type: 'Bearer' } }),
      ],
    },
    { name: 'the same client key at two ASes, each assertion for its own AS (assertion-key-shared-across-as, not this rule)', observations: () => [clientCredentials(AS, assertion(`${AS}/token`, 'j1')), clientCredentials(AS2, assertion(`${AS2}/token`, 'j2'))] },
    { name: 'the same issuer under a second host of its site (G2)', observations: () => [...mcpFlow({ refreshToken: RT }), refresh('https://login.auth.example.com', RT)] },
    { name: 'a Client ID Metadata Document id used at two issuers', observations: () => [...mcpFlow({ registration: null, clientId: 'https://client.example.com/meta.json' }), ...switchAs({ to: AS2 }), ...mcpFlow({ as: AS2, seed: 'b', registration: null, clientId: 'https://client.example.com/meta.json', cachedDiscovery: true })] },
  ],
  invalid: [
    { name: 'the SEP-2352 flaw: after the switch the client refreshes at the new AS', observations: () => [...mcpFlow({ refreshToken: RT }), ...switchAs({ to: AS2 }), refresh(AS2, RT, { status: 400 })], expect: [{ severity: 'critical', variant: 'refresh_token', param: 'refresh_token', message: /issued by https:\/\/auth\.example\.com/ }] },
    { name: 'the client secret of one AS sent to another', observations: () => [...mcpFlow({ refreshToken: RT, clientSecret: rand('sec1') }), ...switchAs({ to: AS2 }), refresh(AS2, rand('other-rt'), { clientSecret: rand('sec1'), status: 401 })], expect: [{ severity: 'critical', variant: 'client_secret' }] },
    { name: 'a client assertion minted for the first AS presented at the second', observations: () => [clientCredentials(AS, assertion(`${AS}/token`, 'j1')), ...switchAs({ to: AS2 }), clientCredentials(AS2, assertion(`${AS}/token`, 'j2'), 401)], expect: [{ severity: 'critical', variant: 'client_assertion', param: 'client_assertion' }] },
    { name: 'one registered client_id reused at another issuer', observations: () => [...mcpFlow({ clientId: 'dcr-one' }), ...switchAs({ to: AS2 }), ...mcpFlow({ as: AS2, seed: 'b', registration: null, clientId: 'dcr-one', cachedDiscovery: true })], expect: [{ severity: 'medium', variant: 'client-id' }] },
  ],
});
