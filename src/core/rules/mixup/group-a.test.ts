/**
 * The group A rules together: each attack raises the findings detectors.md §1.A names, and each
 * benign look-alike of the FP sections and §3 raises none of them at medium or above.
 */
import { describe, expect, it } from 'vitest';
import type { Observation } from '../../observe/observation';
import type { Finding } from '../../report/finding';
import { obs, q, rand, resetBuilders, run } from '../../testing/builders';
import { mixupRules } from './index';
import { frontChannelLogout, googleWithIss, keycloakBrokeringToGoogle, reloadCallback, restartAtAnotherProvider, parFlow, formPostFlow } from '../../testing/mixup-fixtures';
import { areq, ATTACKER, clean, coat, HONEST, mixup, P } from '../../testing/mixup-scenarios';

const IDS = new Set(mixupRules.map((r) => r.meta.id));
const SERIOUS = new Set(['critical', 'high', 'medium']);

function groupA(observations: Observation[]): Finding[] {
  return run(observations, { rules: mixupRules }).findings.filter((f) => IDS.has(f.ruleId));
}

function show(fs: Finding[]): string {
  return JSON.stringify(fs.map((f) => `${f.ruleId} ${f.severity}/${f.confidence} ${f.variant ?? ''}: ${f.message}`), null, 1);
}

function md(issuer: string, iss = true): Observation {
  return obs(`${issuer}/.well-known/openid-configuration`, {
    type: 'fetch',
    responseBody: { issuer, authorization_endpoint: `${issuer}/authorize`, token_endpoint: `${issuer}/token`, authorization_response_iss_parameter_supported: iss },
  });
}

describe('group A: attacks', () => {
  it('COAT on the code grant → coat-context-switch (critical) and callback-context-mismatch (high)', () => {
    resetBuilders();
    const fs = groupA(coat());
    expect(fs.filter((f) => f.ruleId === 'coat-context-switch' && f.severity === 'critical'), show(fs)).toHaveLength(1);
    expect(fs.filter((f) => f.ruleId === 'callback-context-mismatch' && f.severity === 'high'), show(fs)).toHaveLength(1);
    expect(fs.filter((f) => f.ruleId === 'mixup-as-switch'), show(fs)).toHaveLength(0);
    expect(fs.filter((f) => f.ruleId === 'unsolicited-callback'), show(fs)).toHaveLength(0);
  });

  it('classic mix-up with one redirect URI and ASes that send iss (metadata seen) → mixup-as-switch + mixup-iss-mismatch, both critical', () => {
    resetBuilders();
    const fs = groupA([md(ATTACKER), md(HONEST), ...mixup()]);
    expect(fs.filter((f) => f.ruleId === 'mixup-as-switch' && f.severity === 'critical'), show(fs)).toHaveLength(1);
    expect(fs.filter((f) => f.ruleId === 'mixup-iss-mismatch' && f.severity === 'critical' && f.confidence === 'strong'), show(fs)).toHaveLength(1);
    expect(fs.filter((f) => f.ruleId === 'coat-context-switch' || f.ruleId === 'callback-context-mismatch'), show(fs)).toHaveLength(0);
  });

  it('classic mix-up without metadata: iss mismatch is high and heuristic (origin fallback)', () => {
    resetBuilders();
    const fs = groupA(mixup());
    expect(fs.filter((f) => f.ruleId === 'mixup-as-switch'), show(fs)).toHaveLength(1);
    expect(fs.filter((f) => f.ruleId === 'mixup-iss-mismatch' && f.severity === 'high' && f.confidence === 'heuristic'), show(fs)).toHaveLength(1);
  });

  it('mix-up whose honest AS sends no iss → mixup-iss-missing (cross-AS flow)', () => {
    resetBuilders();
    const fs = groupA(mixup({ iss: false }));
    expect(fs.filter((f) => f.ruleId === 'mixup-iss-missing' && f.variant === 'cross-as-flow'), show(fs)).toHaveLength(1);
  });

  it("forged callback with the attacker's code and a state no request issued → unsolicited-callback (high)", () => {
    resetBuilders();
    const forged = `${P}/cb?${q({ code: rand('attacker-code'), state: rand('never-issued') })}`;
    const fs = groupA([...clean(), obs(`${ATTACKER}/lure`, { at: 200, location: forged }), obs(forged)]);
    expect(fs.filter((f) => f.ruleId === 'unsolicited-callback' && f.severity === 'high'), show(fs)).toHaveLength(1);
  });
});

describe('group A: benign look-alikes raise nothing at medium or above', () => {
  const cases: [string, () => Observation[]][] = [
    ['a clean flow with iss', () => clean()],
    ['a clean flow without iss (AS support unknown)', () => clean({ iss: false })],
    ['Keycloak brokering to Google (§3 federation fixture, G1)', keycloakBrokeringToGoogle],
    ['Google-style response with iss', googleWithIss],
    ['a user restarting at another provider (initiated by C, per-provider callbacks)', () => restartAtAnotherProvider()],
    ['a user restarting at another provider, response without iss', () => restartAtAnotherProvider({ googleIss: false })],
    ['front-channel logout iframe with iss + sid (G4)', () => frontChannelLogout(clean())],
    [
      'third-party-initiated login (OIDC Core §4) and an RP discovery URL with iss (G4)',
      () => [
        obs(`${P}/oidc/initiate?${q({ iss: HONEST, login_hint: 'alice@example.com', target_link_uri: `${P}/home` })}`, { referer: `${HONEST}/portal` }),
        obs(`${P}/redirect_uri?${q({ iss: HONEST, target_link_uri: `${P}/home` })}`),
        obs(`${P}/redirect_uri?${q({ iss: HONEST })}`, { referer: `${HONEST}/` }),
      ],
    ],
    [
      'silent renewal in a hidden iframe answered with login_required (G5)',
      () => {
        const S = rand('silent');
        const a = areq(HONEST, { client_id: 'spa', redirect_uri: `${P}/silent-callback.html`, state: S, prompt: 'none' });
        const resp = `${P}/silent-callback.html?${q({ error: 'login_required', state: S, iss: HONEST })}`;
        return [obs(a, { type: 'sub_frame', initiator: P, location: resp }), obs(resp, { type: 'sub_frame' })];
      },
    ],
    ['reload and history re-request of the callback (G3)', () => reloadCallback(clean())],
    ['PAR flow: the response adopts the opaque flow', parFlow],
    ['form_post response', formPostFlow],
    [
      'G2: hand-off between two hosts of one site with identical parameters',
      () => {
        const S = rand('g2-s');
        const p = { client_id: 'c', redirect_uri: `${P}/cb`, state: S };
        const a1 = areq('https://login.example-as.com', p);
        const a2 = areq('https://auth.example-as.com', p);
        const resp = `${P}/cb?${q({ code: rand('g2-c'), state: S })}`;
        return [obs(a1, { location: a2, referer: `${P}/` }), obs(a2, { location: resp }), obs(resp)];
      },
    ],
    [
      'trailing slash and http→https differences on the callback',
      () => {
        const S = rand('slash');
        const a = areq(HONEST, { client_id: 'c', redirect_uri: 'http://platform.example/cb/', state: S });
        const resp = `${P}/cb?${q({ code: rand('slash-c'), state: S, iss: HONEST })}`;
        return [obs(a, { referer: `${P}/` }), obs(`${HONEST}/login`, { method: 'POST', form: { u: 'a' }, location: resp }), obs(resp)];
      },
    ],
    [
      'internal re-dispatch after the callback (same state, another path)',
      () => {
        const c = clean();
        const last = c[c.length - 1].url;
        return [...c, obs(last.replace('/cb/honest-tool', '/app/after-login'), { referer: `${P}/` })];
      },
    ],
    [
      'Entra multi-tenant (/common/) ID token naming the user tenant',
      () => {
        const S = rand('entra-s');
        const a = `https://login.microsoftonline.com/common/oauth2/v2.0/authorize?${q({ client_id: '00001111-aaaa-2222-bbbb-3333cccc4444', response_type: 'code id_token', response_mode: 'fragment', redirect_uri: `${P}/signin-oidc`, scope: 'openid', state: S, nonce: rand('entra-n') })}`;
        const idt = jwt({ iss: 'https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0', aud: '00001111-aaaa-2222-bbbb-3333cccc4444', nonce: rand('entra-n') });
        const resp = `${P}/signin-oidc#${q({ code: rand('entra-c'), id_token: idt, state: S })}`;
        return [obs(a, { referer: `${P}/` }), obs('https://login.microsoftonline.com/common/login', { method: 'POST', form: { u: 'a' }, location: resp }), obs(`${P}/signin-oidc`)];
      },
    ],
  ];
  for (const [name, build] of cases) {
    it(name, () => {
      resetBuilders();
      const fs = groupA(build()).filter((f) => SERIOUS.has(f.severity));
      expect(fs, show(fs)).toEqual([]);
    });
  }
});

function jwt(payload: Record<string, unknown>): string {
  const b64 = (o: unknown) => btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return `${b64({ alg: 'RS256', kid: 'k1' })}.${b64(payload)}.${rand('sig', 43)}`;
}
