import { obs, q, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './mixup-no-defense';
import { keycloakBrokeringToGoogle } from '../../testing/mixup-fixtures';
import { areq, clean, HONEST, P } from '../../testing/mixup-scenarios';

const OTHER = 'https://other-as.example';

/** C itself starts a flow at `as` with `cb`; the AS answers with a code (and iss when told). */
function login(as: string, cb: string, seed: string, iss = false) {
  const S = rand(seed);
  const resp = `${cb}${cb.includes('?') ? '&' : '?'}${q({ code: rand(seed + 'c'), state: S, ...(iss ? { iss: as } : {}) })}`;
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
    {
      name: 'two ASes through one redirect URI, responses carry ID tokens (OIDC hybrid) instead of iss',
      observations: () => {
        const b64 = (o: unknown) => btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
        const one = (as: string, seed: string) => {
          const S = rand(seed);
          const resp = `${P}/cb#${q({ code: rand(seed + 'c'), state: S, id_token: `${b64({ alg: 'RS256' })}.${b64({ iss: as, aud: 'c' })}.${rand(seed + 'sig', 43)}` })}`;
          return [obs(areq(as, { client_id: 'c', redirect_uri: `${P}/cb`, state: S, response_type: 'code id_token', nonce: rand(seed + 'n') }), { referer: `${P}/login` }), obs(`${as}/login`, { method: 'POST', form: { u: 'a' }, location: resp }), obs(resp, { navigationOnly: true })];
        };
        return [...one(HONEST, 'h1'), ...one(OTHER, 'h2')];
      },
    },
    {
      name: 'the second "flow" is started by AS1 (opener is an AS hop, not C) with a fresh state: not the client using two ASes',
      observations: () => {
        const S1 = rand('op1');
        const S2 = rand('op2');
        const r1 = `${P}/cb?${q({ code: rand('op1c'), state: S1 })}`;
        const a2 = areq(OTHER, { client_id: 'c', redirect_uri: `${P}/cb`, state: S2 });
        const r2 = `${P}/cb?${q({ code: rand('op2c'), state: S2 })}`;
        return [
          obs(areq(HONEST, { client_id: 'c', redirect_uri: `${P}/cb`, state: S1 }), { referer: `${P}/login` }),
          obs(`${HONEST}/login`, { method: 'POST', form: { u: 'a' }, location: r1 }),
          obs(r1),
          obs(`${HONEST}/promo`, { location: a2, referer: `${P}/home` }),
          obs(a2),
          obs(`${OTHER}/login`, { method: 'POST', form: { u: 'a' }, location: r2 }),
          obs(r2),
        ];
      },
    },
    {
      name: 'error responses only (no code or token) are not judged',
      observations: () => {
        const e = (as: string, seed: string) => {
          const S = rand(seed);
          return [obs(areq(as, { client_id: 'c', redirect_uri: `${P}/cb`, state: S }), { referer: `${P}/login` }), obs(`${P}/cb?${q({ error: 'access_denied', state: S })}`, { referer: `${as}/` })];
        };
        return [...e(HONEST, 'e1'), ...e(OTHER, 'e2')];
      },
    },
  ],
  invalid: [
    {
      name: 'one redirect path with a per-AS query parameter is still one redirect URI (scheme + host + path)',
      observations: () => [...login(HONEST, `${P}/cb?as=honest`, 'qa'), ...login(OTHER, `${P}/cb?as=other`, 'qb')],
      expect: [{ severity: 'medium', variant: 'shared-redirect-uri' }],
    },
    {
      name: 'one AS sends iss, the other does not: its responses fire',
      observations: () => [...login(HONEST, `${P}/cb`, 'm1', true), ...login(OTHER, `${P}/cb`, 'm2')],
      expect: [{ severity: 'medium', variant: 'shared-redirect-uri', message: /other-as\.example/ }],
    },
    {
      name: 'implicit: access tokens in the fragment from two ASes through one redirect URI (two tabs)',
      observations: () => {
        const one = (as: string, seed: string) => {
          const S = rand(seed);
          const resp = `${P}/spa#${q({ access_token: rand(seed + 'at'), token_type: 'Bearer', state: S })}`;
          const context = seed === 't1' ? 'tab:1' : 'tab:2';
          return [obs(areq(as, { client_id: 'c', redirect_uri: `${P}/spa`, state: S, response_type: 'token' }), { referer: `${P}/login`, context }), obs(`${as}/login`, { method: 'POST', form: { u: 'a' }, location: resp, context }), obs(resp, { navigationOnly: true, context })];
        };
        // two tabs: in one tab the second fragment response at the same callback is taken for a G3
        // replay of the first (the store's replay key drops the fragment; see the group report)
        return [...one(HONEST, 't1'), ...one(OTHER, 't2')];
      },
      expect: [{ severity: 'medium', variant: 'shared-redirect-uri' }],
    },
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
