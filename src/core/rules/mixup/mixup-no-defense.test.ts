import { obs, q, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './mixup-no-defense';
import { keycloakBrokeringToGoogle } from './fixtures';
import { areq, clean, HONEST, P } from './scenarios';

const OTHER = 'https://other-as.example';

/** C itself starts a flow at `as` with `cb`; the AS answers with a code (and iss when told). */
function login(as: string, cb: string, seed: string, iss = false) {
  const S = rand(seed);
  const resp = `${cb}?${q({ code: rand(seed + 'c'), state: S, ...(iss ? { iss: as } : {}) })}`;
  return [obs(areq(as, { client_id: 'c', redirect_uri: cb, state: S }), { referer: `${P}/login` }), obs(`${as}/login`, { method: 'POST', form: { u: 'a' }, location: resp }), obs(resp)];
}

testRule(rule, {
  valid: [
    { name: 'one AS only, without iss (that is not this rule)', observations: () => [...clean({ iss: false }), ...login(HONEST, `${P}/cb/honest-tool`, 'again')] },
    { name: 'two ASes through one redirect URI, both send iss', observations: () => [...login(HONEST, `${P}/cb`, 'a', true), ...login(OTHER, `${P}/cb`, 'b', true)] },
    { name: 'federation (G1): the brokered upstream flow is not the client starting a flow', observations: keycloakBrokeringToGoogle },
    {
      name: 'G2: two hosts of one AS site are one AS',
      observations: () => [...login('https://login.example-as.com', `${P}/cb`, 'g1'), ...login('https://auth.example-as.com', `${P}/cb`, 'g2')],
    },
    {
      name: 'per-issuer redirect URIs: info only',
      observations: () => [...login(HONEST, `${P}/cb/honest`, 'p1'), ...login(OTHER, `${P}/cb/other`, 'p2')],
      allow: ['info'],
    },
  ],
  invalid: [
    {
      name: 'two ASes through one redirect URI, responses without iss',
      observations: () => [...login(HONEST, `${P}/cb`, 'n1'), ...login(OTHER, `${P}/cb`, 'n2')],
      expect: [{ severity: 'medium', variant: 'shared-redirect-uri', count: 1 }],
    },
    {
      name: 'per-issuer redirect URIs without iss → info',
      observations: () => [...login(HONEST, `${P}/cb/honest`, 'i1'), ...login(OTHER, `${P}/cb/other`, 'i2')],
      expect: [{ severity: 'info', variant: 'per-issuer-redirect-uris' }],
    },
  ],
});
