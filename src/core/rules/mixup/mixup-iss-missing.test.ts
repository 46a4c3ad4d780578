import { obs, q, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './mixup-iss-missing';
import { areq, clean, HONEST, mixup, P } from './scenarios';

import { restartAtAnotherProvider } from './fixtures';

testRule(rule, {
  valid: [
    { name: 'a user restarting at another provider, response without iss: the client itself sent the state to both ASes', observations: () => restartAtAnotherProvider({ googleIss: false }) },
    { name: 'a clean flow with iss', observations: () => clean() },
    { name: 'a single-AS flow without iss from an AS not known to support RFC 9207', observations: () => clean({ iss: false }) },
    {
      name: 'GitHub (no iss support) without iss',
      observations: () => {
        const S = rand('gh');
        return [obs(`https://github.com/login/oauth/authorize?${q({ client_id: 'Iv1.x', redirect_uri: `${P}/gh/cb`, state: S })}`), obs(`${P}/gh/cb?${q({ code: rand('ghc'), state: S })}`)];
      },
    },
  ],
  invalid: [
    {
      name: 'AS1 advertises authorization_response_iss_parameter_supported, response lacks iss',
      observations: () => {
        const S = rand('md');
        return [
          obs(`${HONEST}/.well-known/openid-configuration`, { type: 'fetch', responseBody: { issuer: HONEST, authorization_endpoint: `${HONEST}/authorize`, authorization_response_iss_parameter_supported: true } }),
          obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: S }), { referer: `${P}/` }),
          obs(`${P}/cb?${q({ code: rand('mdc'), state: S })}`),
        ];
      },
      expect: [{ variant: 'as-supports-iss', severity: 'high' }],
    },
    { name: 'mix-up in progress and the response has no iss', observations: () => mixup({ iss: false }), expect: [{ variant: 'cross-as-flow' }] },
    {
      name: 'error responses count too (Keycloak sends iss on errors)',
      observations: () => {
        const S = rand('kerr');
        return [
          obs(`https://sso.example.com/realms/r/protocol/openid-connect/auth?${q({ client_id: 'c', response_type: 'code', redirect_uri: `${P}/cb`, state: S })}`),
          obs(`${P}/cb?${q({ error: 'access_denied', state: S })}`),
        ];
      },
      expect: [{ variant: 'as-supports-iss' }],
    },
  ],
});
