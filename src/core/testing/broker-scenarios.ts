/**
 * Brokered sign-in chains (detectors.md G1, broker-consent-shared): a downstream client sends the
 * user to a broker, the broker sends them on to an upstream AS with its own state and its own
 * callback, and answers the downstream client when the upstream AS answered it.
 */
import type { Observation } from '../observe/observation';
import { obs, q, rand } from './builders';

export const BROKER = 'https://broker.example';
export const UPSTREAM = 'https://idp.example';

export interface ChainOptions {
  /** downstream client_id */
  client: string;
  /** downstream redirect URI */
  cb: string;
  /** the broker's client_id at the upstream AS */
  upstreamClient: string;
  broker?: string;
  upstream?: string;
  context?: string;
  seed?: string;
  /** the broker shows its own consent page (200) naming the downstream client, the user allows */
  brokerConsent?: boolean;
  /** the upstream AS shows a login/consent page (200), the user submits it */
  upstreamPage?: boolean;
  /** the upstream AS answers with an error (the user cancelled) */
  upstreamError?: boolean;
  /** downstream prompt=none (silent renewal) */
  promptNone?: boolean;
}

/** One brokered chain, from the downstream client's login link to its callback. */
export function brokeredChain(o: ChainOptions): Observation[] {
  const B = o.broker ?? BROKER;
  const UP = o.upstream ?? UPSTREAM;
  const seed = o.seed ?? `${o.client}-${o.upstreamClient}`;
  const ctx = { context: o.context };
  const app = new URL(o.cb).origin;
  const S = rand(`${seed}-s`);
  const US = rand(`${seed}-us`);
  const a = `${B}/authorize?${q({ response_type: 'code', client_id: o.client, redirect_uri: o.cb, state: S, code_challenge: rand(`${seed}-cc`, 43), code_challenge_method: 'S256', prompt: o.promptNone ? 'none' : undefined })}`;
  const ua = `${UP}/authorize?${q({ response_type: 'code', client_id: o.upstreamClient, redirect_uri: `${B}/broker/endpoint`, scope: 'openid email', state: US, nonce: rand(`${seed}-n`), code_challenge: rand(`${seed}-ucc`, 43), code_challenge_method: 'S256' })}`;
  const ur = `${B}/broker/endpoint?${o.upstreamError ? q({ error: 'access_denied', state: US, iss: UP }) : q({ code: rand(`${seed}-uc`), state: US, iss: UP })}`;
  const r = `${o.cb}?${q({ code: rand(`${seed}-c`), state: S, iss: B })}`;
  const out: Observation[] = [obs(`${app}/login`, { ...ctx, location: a })];
  if (o.brokerConsent) {
    const consent = `${B}/consent?${q({ id: rand(`${seed}-cid`, 12) })}`;
    out.push(obs(a, { ...ctx, referer: `${app}/`, location: consent }));
    out.push(obs(consent, { ...ctx, responseHeaders: { 'content-type': 'text/html' }, responseBody: `<h1>Allow ${o.client} to sign you in?</h1>` }));
    out.push(obs(`${B}/consent/allow`, { ...ctx, method: 'POST', form: { id: 'x', allow: '1' }, referer: consent, location: ua }));
  } else {
    out.push(obs(a, { ...ctx, referer: `${app}/`, location: ua }));
  }
  if (o.upstreamPage) {
    const login = `${UP}/signin?${q({ ui: rand(`${seed}-ui`, 12) })}`;
    out.push(obs(ua, { ...ctx, referer: `${B}/`, location: login }));
    out.push(obs(login, { ...ctx, responseHeaders: { 'content-type': 'text/html' }, responseBody: '<form>Sign in</form>' }));
    out.push(obs(`${UP}/signin/continue`, { ...ctx, method: 'POST', form: { user: 'alice' }, referer: login, location: ur }));
  } else {
    out.push(obs(ua, { ...ctx, referer: `${B}/`, location: ur }));
  }
  if (o.upstreamError) {
    out.push(obs(ur, { ...ctx, responseHeaders: { 'content-type': 'text/html' }, responseBody: 'sign-in cancelled' }));
    return out;
  }
  out.push(obs(ur, { ...ctx, location: r }));
  out.push(obs(r, ctx));
  return out;
}

/** The attack of draft-ietf-oauth-security-topics-update-03 §2.4 on three sites: c1 consented, c2 answered silently. */
export function sharedConsentAttack(over: Partial<ChainOptions> = {}): Observation[] {
  return [
    ...brokeredChain({ client: 'budget-app', cb: 'https://budget-app.example/cb', upstreamClient: 'broker-upstream', upstreamPage: true }),
    ...brokeredChain({ client: 'thirdparty-tool', cb: 'https://tool.thirdparty.example/oauth/cb', upstreamClient: 'broker-upstream', ...over }),
  ];
}
