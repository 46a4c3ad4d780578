// A second downstream client of the broker (#20 part 4, shared consent in brokered OAuth): a
// third-party app on its own site that signs users in through broker.example. `/login?client=<id>`
// starts a code flow (state, PKCE S256) as one of the broker's marketplace registrations:
//   marketplace-app          the broker reuses the platform's upstream registration, no consent page
//   marketplace-app-own      the broker has a separate upstream registration for it
//   marketplace-app-consent  the broker shows its own consent page naming it first
// `/cb` checks state and iss, redeems the code at the broker's token endpoint and shows the result.
import { createHash, randomBytes } from 'node:crypto';
import { escapeHtml } from './honest-as.mjs';
import { page, redirect } from './hand-as.mjs';
import { tokenRequest } from './net.mjs';

const rnd = (n = 32) => randomBytes(n).toString('base64url');
const s256 = (v) => createHash('sha256').update(v).digest('base64url');

export const MARKETPLACE_CLIENTS = ['marketplace-app', 'marketplace-app-own', 'marketplace-app-consent'];

/**
 * @param {{ origin: string, broker: string, secrets: Record<string,string>, record: (kind: string, value: unknown, where: string) => void, ca: string }} o
 */
export function createMarketplace({ origin, broker, secrets, record, ca }) {
  /** state → the pending sign-in */
  const pending = new Map();
  /** @type {{ client: string, outcome: string, time: number }[]} */
  const outcomes = [];

  /** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
  async function handle(req, res) {
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname === '/login') {
      const client = url.searchParams.get('client') ?? 'marketplace-app';
      if (!MARKETPLACE_CLIENTS.includes(client)) return page(res, '<h1>marketplace: unknown client</h1>', 400);
      const state = rnd();
      const verifier = rnd();
      record('state', state, 'marketplace');
      record('verifier', verifier, 'marketplace');
      pending.set(state, { client, verifier });
      const a = new URL(`${broker}/authorize`);
      a.searchParams.set('response_type', 'code');
      a.searchParams.set('client_id', client);
      a.searchParams.set('redirect_uri', `${origin}/cb`);
      a.searchParams.set('scope', 'openid email');
      a.searchParams.set('state', state);
      a.searchParams.set('code_challenge', s256(verifier));
      a.searchParams.set('code_challenge_method', 'S256');
      return redirect(res, a.href);
    }
    if (url.pathname === '/cb') {
      const p = url.searchParams;
      const ctx = pending.get(p.get('state') ?? '');
      pending.delete(p.get('state') ?? '');
      const done = (outcome, status = 200) => {
        outcomes.push({ client: ctx?.client ?? '?', outcome, time: Date.now() });
        return page(res, `<main id="result" data-outcome="${outcome}">${escapeHtml(ctx?.client ?? 'marketplace')}: ${outcome}</main>`, status);
      };
      if (!ctx) return done('unknown-state', 400);
      if (p.get('iss') !== broker) return done('wrong-iss', 400);
      const tr = await tokenRequest(`${broker}/token`, { grant_type: 'authorization_code', code: p.get('code') ?? '', redirect_uri: `${origin}/cb`, code_verifier: ctx.verifier }, { id: ctx.client, secret: secrets.marketplaceBroker }, ca);
      if (tr.status !== 200) return done('token-error', 502);
      return done('connected');
    }
    return page(res, `<h1>marketplace</h1><p>${escapeHtml(url.pathname)}: not here</p>`, 404);
  }
  return { handle, outcomes };
}
