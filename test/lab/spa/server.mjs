// A single-page app that does its own token exchange (public client, code + PKCE S256) against a
// real oidc-provider, both on 127.0.0.1 (two ports: two origins). It is what only DevTools sees:
// the SPA fetches the AS metadata and JWKS and POSTs to the token endpoint from the page, so the
// token response (ID token, access token) exists only in the page's network log.
// Used by test/e2e/devtools.e2e.test.ts; the lab's https scenarios live in lab/index.mjs.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import Provider from 'oidc-provider';

export const SPA_CLIENT_ID = 'spa-lab';
const PAGE = readFileSync(new URL('./spa.html', import.meta.url), 'utf8');

/**
 * Login and consent auto-completed for the fixed test user `alice` (every scope and claim asked for,
 * resource scopes included): what a user clicking through would do.
 * @param {import('oidc-provider').default} provider @param {http.IncomingMessage} req @param {http.ServerResponse} res
 */
export async function finishInteraction(provider, req, res) {
  const details = await provider.interactionDetails(req, res);
  /** @type {any} */
  let result;
  if (details.prompt.name === 'login') result = { login: { accountId: 'alice' } };
  else {
    const grant = details.grantId ? await provider.Grant.find(details.grantId) : new provider.Grant({ accountId: 'alice', clientId: String(details.params.client_id) });
    const d = /** @type {any} */ (details.prompt.details);
    if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
    if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
    if (d.missingResourceScopes) for (const [ind, sc] of Object.entries(d.missingResourceScopes)) grant.addResourceScope(ind, /** @type {string[]} */ (sc).join(' '));
    result = { consent: { grantId: await grant.save() } };
  }
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: true });
}

/** @param {http.Server} s @param {number} port */
function listen(s, port) {
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => resolve(/** @type {import('node:net').AddressInfo} */ (s.address()).port));
  });
}

/**
 * @param {{ files?: Record<string, { type: string, body: () => string | Buffer }> }} [opts]
 *   extra files the SPA origin serves (e.g. a recorded HAR for the panel's ?har= mode)
 */
export async function startSpaLab(opts = {}) {
  const asServer = http.createServer();
  const spaServer = http.createServer();
  const asPort = await listen(asServer, 0);
  const spaPort = await listen(spaServer, 0);
  const issuer = `http://127.0.0.1:${asPort}`;
  const spa = `http://127.0.0.1:${spaPort}`;

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'spa-lab-rs256', alg: 'RS256', use: 'sig' };
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: SPA_CLIENT_ID,
        redirect_uris: [`${spa}/cb`],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'none',
      },
    ],
    jwks: { keys: [jwk] },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: [randomBytes(16).toString('hex')], long: { sameSite: 'lax' }, short: { sameSite: 'lax' } },
    scopes: ['openid', 'email'],
    claims: { openid: ['sub'], email: ['email'] },
    ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub, email: `${sub}@lab.example` }) }),
  });
  /** @type {string[]} */
  const errors = [];
  for (const ev of ['server_error', 'authorization.error', 'grant.error']) provider.on(ev, (_ctx, err) => errors.push(`${ev}: ${err?.message}`));
  const koa = provider.callback();

  asServer.on('request', async (req, res) => {
    if (!req.url?.startsWith('/interaction/')) return koa(req, res);
    try {
      await finishInteraction(provider, req, res);
    } catch (e) {
      errors.push(`interaction: ${/** @type {any} */ (e)?.message}`);
      res.statusCode = 400;
      res.end('interaction failed');
    }
  });

  spaServer.on('request', (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const extra = opts.files?.[path];
    if (extra) {
      res.writeHead(200, { 'content-type': extra.type, 'access-control-allow-origin': '*', 'cache-control': 'no-store' });
      return void res.end(extra.body());
    }
    if (path === '/' || path === '/cb') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      return void res.end(PAGE.replace('__CONFIG__', JSON.stringify({ issuer, clientId: SPA_CLIENT_ID, redirectUri: `${spa}/cb` })));
    }
    res.writeHead(404).end();
  });

  return {
    issuer,
    spa,
    errors,
    async close() {
      asServer.closeAllConnections?.();
      spaServer.closeAllConnections?.();
      await Promise.all([new Promise((r) => asServer.close(() => r(undefined))), new Promise((r) => spaServer.close(() => r(undefined)))]);
    },
  };
}
