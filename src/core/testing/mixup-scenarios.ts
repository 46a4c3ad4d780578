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
