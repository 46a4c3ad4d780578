/**
 * Further group A scenarios shared by the group matrix test and the engine test: the §3 federation
 * fixture (Keycloak brokering to Google), a Google response with iss, a user restarting at another
 * provider, a front-channel logout iframe, reloads, PAR and form_post. Built with the test builders.
 */
import type { Observation } from '../observe/observation';
import { obs, q, rand } from './builders';
import { areq, HONEST, P } from './mixup-scenarios';

export const APP = 'https://app.example.com';
export const KC = 'https://sso.example.com/realms/myrealm';
export const GOOGLE_AUTH = 'https://accounts.google.com/o/oauth2/v2/auth';
export const GITHUB_AUTH = 'https://github.com/login/oauth/authorize';

/** §3 federation fixture: C → Keycloak (S1) → Google (own S2, broker callback) → broker → C with iss = Keycloak. */
export function keycloakBrokeringToGoogle(): Observation[] {
  const S1 = rand('kc-s1');
  const S2 = rand('kc-s2');
  const a1 = `${KC}/protocol/openid-connect/auth?${q({
    client_id: 'my-app',
    redirect_uri: `${APP}/callback`,
    state: S1,
    response_mode: 'query',
    response_type: 'code',
    scope: 'openid',
    nonce: rand('kc-n1'),
    code_challenge: rand('kc-cc', 43),
    code_challenge_method: 'S256',
  })}`;
  const g = `${GOOGLE_AUTH}?${q({
    response_type: 'code',
    client_id: '424911365001.apps.googleusercontent.com',
    scope: 'openid email',
    redirect_uri: `${KC}/broker/google/endpoint`,
    state: S2,
    nonce: rand('kc-n2'),
  })}`;
  const brokerResp = `${KC}/broker/google/endpoint?${q({ state: S2, iss: 'https://accounts.google.com', code: `4/0A${rand('g-code', 40)}`, scope: 'email openid', authuser: '0', prompt: 'consent' })}`;
  const appResp = `${APP}/callback?${q({ state: S1, session_state: 'f55fda9e-7d4a-4c3b-9a51-0b2a8e1c4d11', iss: KC, code: `${rand('kc-code')}.${rand('u1', 8)}` })}`;
  return [
    obs(`${APP}/login`, { location: a1 }),
    obs(a1, { referer: `${APP}/` }),
    obs(`${KC}/broker/google/login?${q({ client_id: 'my-app', tab_id: 'x1', session_code: rand('sc', 16) })}`, { referer: 'https://sso.example.com/', location: g }),
    obs(g, { referer: 'https://sso.example.com/' }),
    obs('https://accounts.google.com/signin/continue', { method: 'POST', form: { user: 'alice' }, location: brokerResp }),
    obs(brokerResp, { location: appResp }),
    obs(appResp),
  ];
}

/** A Google sign-in whose response carries the RFC 9207 iss (real-capture shape, §3). */
export function googleWithIss(): Observation[] {
  const S = rand('google-s');
  const a = `${GOOGLE_AUTH}?${q({ response_type: 'code', client_id: '424911365001.apps.googleusercontent.com', scope: 'openid email', redirect_uri: 'https://oauth2.example.com/code', state: S, nonce: rand('gn') })}`;
  const resp = `https://oauth2.example.com/code?${q({ state: S, iss: 'https://accounts.google.com', code: `4/0A${rand('gc', 40)}`, scope: 'email openid', authuser: '0', prompt: 'consent' })}`;
  return [obs('https://oauth2.example.com/login', { location: a }), obs(a), obs('https://accounts.google.com/signin/continue', { method: 'POST', form: { u: 'a' }, location: resp }), obs(resp)];
}

/**
 * The user starts at GitHub, goes back to the client and picks Google instead; the client reuses its
 * session state and has per-provider callbacks. AREQ2 is initiated by C, not by GitHub.
 */
export function restartAtAnotherProvider(opts: { googleIss?: boolean } = {}): Observation[] {
  const S = rand('restart-s');
  const gh = `${GITHUB_AUTH}?${q({ client_id: 'Iv1.gh', redirect_uri: `${P}/auth/github/callback`, scope: 'read:user', state: S })}`;
  const go = `${GOOGLE_AUTH}?${q({ response_type: 'code', client_id: 'p.apps.googleusercontent.com', redirect_uri: `${P}/auth/google/callback`, scope: 'openid email', state: S, nonce: rand('rn') })}`;
  const resp = `${P}/auth/google/callback?${q({ state: S, ...(opts.googleIss !== false ? { iss: 'https://accounts.google.com' } : {}), code: `4/0A${rand('rc', 40)}` })}`;
  return [
    obs(`${P}/login/github`, { location: gh }),
    obs(gh, { referer: `${P}/login` }),
    obs(`${P}/login`, { referer: 'https://github.com/' }),
    obs(`${P}/login/google`, { location: go, referer: `${P}/login` }),
    obs(go, { referer: `${P}/login` }),
    obs('https://accounts.google.com/signin/continue', { method: 'POST', form: { u: 'a' }, location: resp }),
    obs(resp),
  ];
}

/** After a clean flow, the OP loads the RP's front-channel logout URL in an iframe with iss + sid (G4). */
export function frontChannelLogout(clean: Observation[]): Observation[] {
  return [...clean, obs(`${P}/oidc/frontchannel?${q({ iss: HONEST, sid: '08a5019c-17e1-4977-8f42-65a12843ea02' })}`, { type: 'sub_frame', initiator: HONEST })];
}

/** G3: the callback of a clean flow reloaded, then re-requested from history (HAR: no transition, Referer C). */
export function reloadCallback(clean: Observation[]): Observation[] {
  const cb = clean[clean.length - 1].url;
  return [...clean, obs(cb, { transition: { type: 'reload', qualifiers: [] } }), obs(cb, { referer: `${P}/` })];
}

/** A PAR flow: request_uri only; the response is reached from the AS by a 302 (§0.3 adoption). */
export function parFlow(): Observation[] {
  const S = rand('par-s');
  const a = `${HONEST}/authorize?${q({ client_id: 'par-client', request_uri: 'urn:ietf:params:oauth:request_uri:6esc_11ACC5bwc014ltc14eY22c' })}`;
  const resp = `${P}/cb/par?${q({ code: rand('par-c'), state: S, iss: HONEST })}`;
  return [obs(`${P}/start`, { location: a }), obs(a), obs(`${HONEST}/login`, { method: 'POST', form: { u: 'a' }, location: resp }), obs(resp)];
}

/** response_mode=form_post: the AS's auto-submit page POSTs the response to the callback. */
export function formPostFlow(): Observation[] {
  const S = rand('fp-s');
  const a = areq(HONEST, { client_id: 'fp', redirect_uri: `${P}/auth/apple`, state: S, response_mode: 'form_post', response_type: 'code id_token', nonce: rand('fp-n') });
  return [
    obs(a, { referer: `${P}/` }),
    obs(`${HONEST}/consent`, { method: 'POST', form: { ok: '1' } }),
    obs(`${P}/auth/apple`, { method: 'POST', form: { state: S, code: rand('fp-c') }, initiator: HONEST }),
  ];
}
