/** Shared attack and benign scenarios for the group A rule tests (built with the test builders). */
import type { Observation } from '../observe/observation';
import { obs, q, rand, redirect } from './builders';

export const P = 'https://platform.example';
export const HONEST = 'https://honest-as.example';
export const ATTACKER = 'https://attacker-as.example';

export function areq(as: string, p: Record<string, string | undefined>, _init: Parameters<typeof obs>[1] = {}): string {
  return `${as}/authorize?${q({ response_type: 'code', code_challenge: rand('cc' + (p.state ?? ''), 43), code_challenge_method: 'S256', ...p })}`;
}

/** draft-02 §2.2.1 COAT: per-tool redirect URIs; the attacker AS bounces with the same state. */
export function coat(opts: { iss?: boolean; state?: string } = {}): Observation[] {
  const S = opts.state ?? rand('coat-state');
  const a1 = areq(ATTACKER, { client_id: 'platform-at-attacker', redirect_uri: `${P}/cb/attacker-tool`, state: S });
  const a2 = areq(HONEST, { client_id: 'platform-at-honest', redirect_uri: `${P}/cb/honest-tool`, state: S });
  const code = rand('honest-code');
  const resp = `${P}/cb/honest-tool?${q({ code, state: S, ...(opts.iss !== false ? { iss: HONEST } : {}) })}`;
  return [
    obs(`${P}/connect/attacker-tool`, { location: a1, referer: `${P}/tools` }),
    obs(a1, { location: a2 }),
    obs(a2, { referer: `${ATTACKER}/` }),
    ...redirect(`${HONEST}/login`, resp, { method: 'POST', form: { user: 'alice' } }),
  ];
}

/** RFC 9700 §4.4.1 classic mix-up: one shared redirect URI, client_id swapped. */
export function mixup(opts: { iss?: boolean } = {}): Observation[] {
  const S = rand('mixup-state');
  const a1 = areq(ATTACKER, { client_id: 'client-at-attacker', redirect_uri: `${P}/cb`, state: S });
  const a2 = areq(HONEST, { client_id: 'client-at-honest', redirect_uri: `${P}/cb`, state: S });
  const resp = `${P}/cb?${q({ code: rand('c2'), state: S, ...(opts.iss !== false ? { iss: HONEST } : {}) })}`;
  return [
    obs(`${P}/login/attacker`, { location: a1 }),
    obs(a1, { location: a2, referer: `${P}/login` }),
    obs(a2, { referer: `${ATTACKER}/` }),
    ...redirect(`${HONEST}/login`, resp, { method: 'POST', form: { user: 'alice' } }),
  ];
}

/** A clean code flow with PKCE at the honest AS, response with iss. */
export function clean(opts: { iss?: boolean; cb?: string } = {}): Observation[] {
  const S = rand('clean-state');
  const cb = opts.cb ?? `${P}/cb/honest-tool`;
  const a1 = areq(HONEST, { client_id: 'platform-at-honest', redirect_uri: `${P}/cb/honest-tool`, state: S });
  return [
    obs(`${P}/connect/honest-tool`, { location: a1 }),
    obs(a1, { referer: `${P}/tools` }),
    ...redirect(`${HONEST}/login`, `${cb}?${q({ code: rand('clean-code'), state: S, ...(opts.iss !== false ? { iss: HONEST } : {}) })}`, { method: 'POST', form: { user: 'alice' } }),
  ];
}

/**
 * A stateless client (Auth.js defaults, the MCP SDK, many passport setups): PKCE only, or (`key:
 * 'nonce'`) an OIDC client with a nonce and no PKCE. An authorization request with neither state
 * nor, unless given, a nonce.
 */
export function statelessAreq(as: string, p: Record<string, string | undefined>): string {
  return `${as}/authorize?${q({ response_type: 'code', code_challenge_method: p.code_challenge ? 'S256' : undefined, ...p })}`;
}

/**
 * COAT (`mode: 'coat'`, per-tool redirect URIs) or the classic mix-up (`'mixup'`, one shared
 * redirect URI) against a stateless client: the attacker AS bounces with the client's
 * code_challenge (or, `key: 'nonce'`, its nonce) instead of a state. The response carries no state.
 */
export function statelessTransplant(opts: { mode?: 'coat' | 'mixup'; key?: 'code_challenge' | 'nonce'; iss?: boolean; context?: string; seed?: string } = {}): Observation[] {
  const mode = opts.mode ?? 'coat';
  const seed = opts.seed ?? 'stateless';
  const context = opts.context;
  const key = opts.key ?? 'code_challenge';
  const bind = key === 'code_challenge' ? { code_challenge: rand(`${seed}-cc`, 43) } : { nonce: rand(`${seed}-nonce`), scope: 'openid' };
  const u1 = mode === 'coat' ? `${P}/cb/attacker-tool` : `${P}/cb`;
  const u2 = mode === 'coat' ? `${P}/cb/honest-tool` : `${P}/cb`;
  const a1 = statelessAreq(ATTACKER, { client_id: 'platform-at-attacker', redirect_uri: u1, ...bind });
  const a2 = statelessAreq(HONEST, { client_id: 'platform-at-honest', redirect_uri: u2, ...bind });
  const resp = `${u2}?${q({ code: rand(`${seed}-code`), ...(opts.iss !== false ? { iss: HONEST } : {}) })}`;
  return [
    obs(`${P}/connect/attacker-tool`, { location: a1, referer: `${P}/tools`, context }),
    obs(a1, { location: a2, context }),
    obs(a2, { referer: `${ATTACKER}/`, context }),
    ...redirect(`${HONEST}/login`, resp, { method: 'POST', form: { user: 'alice' }, context }),
  ];
}

/** A clean stateless flow (PKCE only) at the honest AS, response with iss. */
export function statelessClean(opts: { context?: string; seed?: string; cb?: string; iss?: boolean } = {}): Observation[] {
  const seed = opts.seed ?? 'stateless-clean';
  const context = opts.context;
  const a1 = statelessAreq(HONEST, { client_id: 'platform-at-honest', redirect_uri: `${P}/cb/honest-tool`, code_challenge: rand(`${seed}-cc`, 43) });
  return [
    obs(`${P}/connect/honest-tool`, { location: a1, context }),
    obs(a1, { referer: `${P}/tools`, context }),
    ...redirect(`${HONEST}/login`, `${opts.cb ?? `${P}/cb/honest-tool`}?${q({ code: rand(`${seed}-code`), ...(opts.iss !== false ? { iss: HONEST } : {}) })}`, { method: 'POST', form: { user: 'alice' }, context }),
  ];
}

/**
 * #12 guards shared by the COAT and mix-up switch rules: stateless (PKCE-only) look-alikes that must
 * stay benign (a clean flow, a fresh challenge per retry, other tabs, a broker's own upstream
 * challenge, a restart initiated by the client).
 */
export function statelessGuardCases(): { name: string; observations: () => Observation[] }[] {
  return [
    { name: 'stateless: a clean PKCE-only flow', observations: () => statelessClean() },
    {
      name: 'stateless: the relaying AS sends a fresh challenge (a retry with a fresh challenge is a new flow)',
      observations: () => {
        const a1 = statelessAreq(ATTACKER, { client_id: 'a', redirect_uri: `${P}/cb/attacker-tool`, code_challenge: rand('fresh1', 43) });
        const a2 = statelessAreq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb/honest-tool`, code_challenge: rand('fresh2', 43) });
        return [obs(a1, { location: a2, referer: `${P}/` }), obs(a2)];
      },
    },
    {
      name: 'stateless: two tabs with their own challenges, the second reached from the first tab\'s AS',
      observations: () => {
        const a1 = statelessAreq(ATTACKER, { client_id: 'a', redirect_uri: `${P}/cb/attacker-tool`, code_challenge: rand('tabA', 43) });
        const a2 = statelessAreq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb/honest-tool`, code_challenge: rand('tabB', 43) });
        return [obs(a1, { referer: `${P}/`, context: 'tab:1' }), obs(a2, { referer: `${ATTACKER}/`, context: 'tab:2' })];
      },
    },
    {
      name: 'stateless: the same challenge in another tab is never joined',
      observations: () => {
        const C = rand('two-tabs', 43);
        const a1 = statelessAreq(ATTACKER, { client_id: 'a', redirect_uri: `${P}/cb/attacker-tool`, code_challenge: C });
        const a2 = statelessAreq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb/honest-tool`, code_challenge: C });
        return [obs(a1, { referer: `${P}/`, context: 'tab:1' }), obs(a2, { referer: `${ATTACKER}/`, context: 'tab:2' })];
      },
    },
    {
      name: 'stateless G1: a broker\'s own upstream request with its own challenge and callback',
      observations: () => {
        const broker = 'https://broker.example';
        const a1 = statelessAreq(broker, { client_id: 'platform', redirect_uri: `${P}/cb/broker`, code_challenge: rand('b-down', 43) });
        const a2 = statelessAreq(HONEST, { client_id: 'broker', redirect_uri: `${broker}/endpoint`, code_challenge: rand('b-up', 43) });
        return [obs(a1, { location: a2, referer: `${P}/` }), obs(a2)];
      },
    },
    {
      name: 'stateless: the user restarts at another provider with the same challenge (the client issues AREQ2)',
      observations: () => {
        const C = rand('restart-cc', 43);
        return [
          obs(statelessAreq(ATTACKER, { client_id: 'a', redirect_uri: `${P}/cb/attacker-tool`, code_challenge: C }), { referer: `${P}/tools` }),
          obs(statelessAreq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb/honest-tool`, code_challenge: C }), { referer: `${P}/tools`, at: 20 }),
        ];
      },
    },
  ];
}
