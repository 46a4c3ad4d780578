// Real OAuth/OIDC client libraries in the browser (#8.4), each against oidc-provider shaped like the
// provider it expects, on one https server on 127.0.0.1 that dispatches on the Host header (the
// lab's certificate, *.example mapped to 127.0.0.1 as in lab/README.md). The app and the providers
// it runs itself are one site (`corp.example`, as with a custom domain): their session cookies reach
// the hidden iframes of silent renewal, which browsers that block third-party cookies require.
//
// | host | what |
// | --- | --- |
// | `authjs.corp.example` | Auth.js itself (@auth/core) with two providers and its defaults: PKCE only, no state, one callback per provider (authjs-rp.mjs, #12) |
// | `app.corp.example` | the single-page apps: `/<lib>/` pages that load the library's own browser bundle from node_modules |
// | `rp.corp.example` | a server-side web app on openid-client (Node): confidential client, code + PKCE, state, nonce, `iss` checked, the token request from the server; and under `/api/auth/` a stateless PKCE-only app with two providers shaped like Auth.js's defaults (stateless-rp.mjs, #12) |
// | `idp.corp.example` | plain OIDC (oidc-client-ts, openid-client): issuer `https://idp.corp.example:P` |
// | `sso.corp.example` | Keycloak-shaped (keycloak-js): issuer `…/realms/lab`, endpoints `…/protocol/openid-connect/{auth,token,certs,userinfo,logout}` |
// | `login.corp.example` | Auth0-shaped (@auth0/auth0-spa-js): issuer `https://login.corp.example:P/` (trailing slash), `/authorize`, `/oauth/token`, `/.well-known/jwks.json` |
// | `login.ms.example` | Entra-shaped (@azure/msal-browser, protocolMode OIDC): issuer `…/<tenant>/v2.0`, `/<tenant>/oauth2/v2.0/{authorize,token}`, `/<tenant>/discovery/v2.0/keys`, response_mode=fragment |
// | `evil.example` | an attacker's AS: its authorization endpoint bounces the browser to the honest AS with the same state, nonce and PKCE challenge (COAT: the honest connection's redirect URI; mix-up: the same one); `/coat/stateless/auth` does it to the stateless app (no state: the code_challenge is what it relays) |
//
// Login and consent are auto-completed for a fixed user (as in lab/honest-as.mjs).
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Provider from 'oidc-provider';
import { createMemoryAdapter } from 'oidc-provider/lib/adapters/memory_adapter.js';
import { listenHttps } from '../../../lab/cert.mjs';
import * as oidcClient from 'openid-client';
import { labRequest } from '../../../lab/net.mjs';
import { finishInteraction } from '../spa/server.mjs';
import { createStatelessRp } from './stateless-rp.mjs';
import { createAuthjsRp } from './authjs-rp.mjs';

const mod = (p) => fileURLToPath(new URL(`../../../node_modules/${p}`, import.meta.url));
export const LIB_HOSTS = ['rp.corp.example', 'authjs.corp.example', 'app.corp.example', 'idp.corp.example', 'sso.corp.example', 'login.corp.example', 'login.ms.example', 'evil.example'];
/** the Entra-shaped provider's tenant */
export const TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';
/** the browser bundles the app pages load (each library's own build, as an app would ship it) */
const BUNDLES = {
  'oidc-client-ts.js': () => mod('oidc-client-ts/dist/browser/oidc-client-ts.min.js'),
  'keycloak.js': () => mod('keycloak-js/lib/keycloak.js'),
  'auth0-spa-js.js': () => mod('@auth0/auth0-spa-js/dist/auth0-spa-js.production.js'),
  'msal-browser.js': () => mod('@azure/msal-browser/lib/msal-browser.min.js'),
};
const PAGE = readFileSync(new URL('./app.html', import.meta.url), 'utf8');

/**
 * One oidc-provider mounted at `prefix` of its host.
 * @param {{ issuer: string, prefix: string, routes?: Record<string,string>, clients: any[], responseTypes?: string[], credentialedCors?: boolean, jwtAccessTokens?: boolean, webMessage?: boolean }} o
 */
function makeProvider({ issuer, prefix, routes, clients, responseTypes, credentialedCors, jwtAccessTokens, webMessage }) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: `k-${randomBytes(4).toString('hex')}`, alg: 'RS256', use: 'sig' };
  const provider = new Provider(issuer, {
    clients,
    adapter: createMemoryAdapter(0),
    jwks: { keys: [jwk] },
    responseTypes: responseTypes ?? ['code'],
    pkce: { required: () => true },
    routes,
    features: {
      devInteractions: { enabled: false },
      // logout with id_token_hint: the confirmation form is submitted by the page itself (a user's click)
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = `<!doctype html><title>logout</title>${form}<script>document.forms[0].insertAdjacentHTML('beforeend','<input type="hidden" name="logout" value="yes">');document.forms[0].submit()</script>`;
        },
      },
      // Auth0's silent authentication: prompt=none in a hidden iframe, response_mode=web_message
      ...(webMessage ? { webMessageResponseMode: { enabled: true, ack: 'individual-draft-01' } } : {}),
      // Keycloak's access tokens are JWTs (keycloak-js decodes them)
      ...(jwtAccessTokens
        ? {
            resourceIndicators: {
              enabled: true,
              defaultResource: () => `${issuer}/api`,
              useGrantedResource: () => true,
              getResourceServerInfo: () => ({ scope: 'api', audience: `${issuer}/api`, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } }),
            },
          }
        : {}),
    },
    interactions: { url: (_ctx, interaction) => `${prefix}/interaction/${interaction.uid}` },
    // the session cookie reaches the AS inside the app's hidden iframes (silent renew), as real providers set it
    cookies: { keys: [randomBytes(16).toString('hex')], long: { sameSite: 'none', secure: true }, short: { sameSite: 'none', secure: true } },
    clientBasedCORS: () => true,
    scopes: ['openid', 'email', 'profile', 'offline_access'],
    claims: { openid: ['sub'], email: ['email'], profile: ['name'] },
    ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600, RefreshToken: 3600 },
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub, email: `${sub}@lab.example`, name: 'Alice' }) }),
  });
  provider.proxy = false;
  const koa = provider.callback();
  /** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
  async function handle(req, res) {
    const url = req.url ?? '/';
    if (!url.startsWith(prefix)) {
      res.statusCode = 404;
      return res.end();
    }
    if (url.startsWith(`${prefix}/interaction/`)) {
      return finishInteraction(provider, req, res);
    }
    // Keycloak answers credentialed CORS (keycloak-js fetches with credentials: 'include')
    const origin = req.headers.origin;
    if (credentialedCors && origin) {
      if (req.method === 'OPTIONS') {
        res.writeHead(204, { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true', 'access-control-allow-methods': 'GET, POST', 'access-control-allow-headers': String(req.headers['access-control-request-headers'] ?? 'content-type'), vary: 'Origin' });
        return res.end();
      }
      const writeHead = res.writeHead;
      res.writeHead = /** @type {any} */ (function (/** @type {any[]} */ ...a) {
        res.setHeader('access-control-allow-origin', origin);
        res.setHeader('access-control-allow-credentials', 'true');
        return writeHead.apply(res, /** @type {any} */ (a));
      });
    }
    // mounted like app.use(prefix, provider.callback()) in express
    if (prefix) {
      /** @type {any} */ (req).originalUrl = url;
      req.url = url.slice(prefix.length) || '/';
    }
    return koa(req, res);
  }
  return { provider, handle };
}

/**
 * A server-side web app on openid-client (v6): discovery, the authorization URL (PKCE S256, state,
 * nonce) and the code exchange with its own client secret, from the server; its session is a cookie.
 * @param {{ rp: string, issuer: string, secret: string, ca: string }} o
 */
function createServerSideRp({ rp, issuer, secret, ca }) {
  /** openid-client's HTTP through the lab's client (the lab certificate, *.example on loopback) */
  const labFetch = async (/** @type {string} */ url, /** @type {any} */ options) => {
    const headers = Object.fromEntries(new Headers(options.headers).entries());
    const r = await labRequest(String(url), { method: options.method, headers, body: options.body === undefined ? undefined : String(options.body), ca });
    return new Response(r.status === 204 || r.status === 304 ? null : r.body, { status: r.status, headers: r.headers });
  };
  /** @type {Promise<any> | undefined} */
  let config;
  const discover = () =>
    (config ??= oidcClient.discovery(new URL(issuer), 'openid-client-app', secret, undefined, { [oidcClient.customFetch]: labFetch }).then((c) => {
      c[oidcClient.customFetch] = labFetch;
      return c;
    }));
  /** session id → what the callback checks */
  const sessions = new Map();
  const page = (/** @type {import('node:http').ServerResponse} */ res, outcome, text) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(`<!doctype html><title>rp</title><main id="result" data-outcome="${outcome}">${text ?? outcome}</main>`);
  };
  /** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
  async function handle(req, res) {
    const url = new URL(req.url ?? '/', rp);
    const c = await discover();
    if (url.pathname === '/openid-client/') {
      const sid = randomBytes(16).toString('base64url');
      const s = { verifier: oidcClient.randomPKCECodeVerifier(), state: oidcClient.randomState(), nonce: oidcClient.randomNonce() };
      sessions.set(sid, s);
      const to = oidcClient.buildAuthorizationUrl(c, {
        redirect_uri: `${rp}/openid-client/cb`,
        scope: 'openid email',
        code_challenge: await oidcClient.calculatePKCECodeChallenge(s.verifier),
        code_challenge_method: 'S256',
        state: s.state,
        nonce: s.nonce,
      });
      res.writeHead(302, { location: to.href, 'set-cookie': `rp_sid=${sid}; Path=/; HttpOnly; Secure; SameSite=Lax`, 'cache-control': 'no-store' });
      return res.end();
    }
    if (url.pathname === '/openid-client/cb') {
      const sid = /(?:^|;\s*)rp_sid=([^;]+)/.exec(req.headers.cookie ?? '')?.[1] ?? '';
      const s = sessions.get(sid);
      sessions.delete(sid);
      if (!s) return page(res, 'failed', 'no session');
      try {
        const tokens = await oidcClient.authorizationCodeGrant(c, url, { pkceCodeVerifier: s.verifier, expectedState: s.state, expectedNonce: s.nonce, idTokenExpected: true });
        return page(res, tokens.access_token ? 'connected' : 'failed');
      } catch (e) {
        return page(res, 'failed', String(/** @type {any} */ (e)?.message ?? e));
      }
    }
    res.statusCode = 404;
    res.end();
  }
  return { handle };
}

/**
 * @param {{ port?: number }} [opts]
 */
export async function startLibLab(opts = {}) {
  const { server, port, cert } = await listenHttps({ hosts: LIB_HOSTS, port: opts.port });
  const o = (host) => `https://${host}:${port}`;
  const app = o('app.corp.example');
  const origins = { authjs: o('authjs.corp.example'), rp: o('rp.corp.example'), app, idp: o('idp.corp.example'), kc: o('sso.corp.example'), auth0: o('login.corp.example'), ms: o('login.ms.example'), evil: o('evil.example') };
  const pub = (client_id, redirect_uris, extra = {}) => ({ client_id, redirect_uris, token_endpoint_auth_method: 'none', response_types: ['code'], grant_types: ['authorization_code', 'refresh_token'], post_logout_redirect_uris: [`${app}/`], ...extra });

  const rpSecret = randomBytes(24).toString('base64url');
  const statelessSecret = randomBytes(24).toString('base64url');
  const idp = makeProvider({
    issuer: origins.idp,
    prefix: '',
    clients: [
      pub('oidc-client-ts-app', [`${app}/oidc-client-ts/cb`, `${app}/oidc-client-ts/silent`]),
      { client_id: 'openid-client-app', client_secret: rpSecret, redirect_uris: [`${origins.rp}/openid-client/cb`], response_types: ['code'], grant_types: ['authorization_code'], token_endpoint_auth_method: 'client_secret_basic' },
      // the stateless app's honest provider (#12): one callback per provider, as Auth.js registers them
      { client_id: 'stateless-app', client_secret: statelessSecret, redirect_uris: [`${origins.rp}/api/auth/callback/honest`], response_types: ['code'], grant_types: ['authorization_code'], token_endpoint_auth_method: 'client_secret_basic' },
      { client_id: 'authjs-app', client_secret: statelessSecret, redirect_uris: [`${origins.authjs}/api/auth/callback/honest`], response_types: ['code'], grant_types: ['authorization_code'], token_endpoint_auth_method: 'client_secret_basic' },
    ],
  });
  const rp = createServerSideRp({ rp: origins.rp, issuer: origins.idp, secret: rpSecret, ca: cert });
  const stateless = createStatelessRp({ rp: origins.rp, honestIssuer: origins.idp, evil: origins.evil, secret: statelessSecret, ca: cert });
  const authjs = createAuthjsRp({ origin: origins.authjs, honestIssuer: origins.idp, evil: origins.evil, secret: statelessSecret, ca: cert });
  const kcIssuer = `${origins.kc}/realms/lab`;
  const kc = makeProvider({
    issuer: kcIssuer,
    prefix: '/realms/lab',
    routes: {
      authorization: '/protocol/openid-connect/auth',
      token: '/protocol/openid-connect/token',
      jwks: '/protocol/openid-connect/certs',
      userinfo: '/protocol/openid-connect/userinfo',
      end_session: '/protocol/openid-connect/logout',
    },
    responseTypes: ['code', 'id_token token'],
    credentialedCors: true,
    jwtAccessTokens: true,
    clients: [
      pub('keycloak-app', [`${app}/keycloak/cb`, `${app}/keycloak/cb/honest`], {
        response_types: ['code', 'id_token token'],
        grant_types: ['authorization_code', 'refresh_token', 'implicit'],
      }),
    ],
  });
  const auth0 = makeProvider({
    issuer: `${origins.auth0}/`,
    prefix: '',
    routes: { authorization: '/authorize', token: '/oauth/token', jwks: '/.well-known/jwks.json', userinfo: '/userinfo', end_session: '/v2/logout' },
    webMessage: true,
    clients: [pub('auth0-app', [`${app}/auth0/cb`])],
  });

  const ms = makeProvider({
    issuer: `${origins.ms}/${TENANT}/v2.0`,
    prefix: `/${TENANT}`,
    routes: {
      authorization: '/oauth2/v2.0/authorize',
      token: '/oauth2/v2.0/token',
      jwks: '/discovery/v2.0/keys',
      userinfo: '/oidc/userinfo',
      end_session: '/oauth2/v2.0/logout',
    },
    credentialedCors: true,
    clients: [pub('00001111-aaaa-2222-bbbb-3333cccc4444', [`${app}/msal/cb`])],
  });

  /** what the attacker's AS did (for tests) */
  const attacks = [];
  /** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
  function evil(req, res) {
    // /<mode>/<lib>/auth: bounce to the honest AS of that library with the same state, nonce, PKCE
    const url = new URL(req.url ?? '/', origins.evil);
    const m = /^\/(coat|mixup)\/(keycloak|stateless|authjs)\/auth$/.exec(url.pathname);
    if (!m) {
      res.statusCode = 404;
      return res.end();
    }
    const [, mode, lib] = m;
    if (lib === 'stateless' || lib === 'authjs') {
      // no state to relay: the app's code_challenge is what ties the honest response to its flow
      const next = new URL(`${origins.idp}/auth`);
      for (const [k, v] of url.searchParams) next.searchParams.set(k, v);
      next.searchParams.set('client_id', lib === 'authjs' ? 'authjs-app' : 'stateless-app');
      next.searchParams.set('redirect_uri', `${lib === 'authjs' ? origins.authjs : origins.rp}/api/auth/callback/honest`);
      attacks.push({ mode, state: url.searchParams.get('state'), codeChallenge: url.searchParams.get('code_challenge') });
      res.writeHead(302, { location: next.href, 'cache-control': 'no-store' });
      return res.end();
    }
    const next = new URL(`${kcIssuer}/protocol/openid-connect/auth`);
    for (const [k, v] of url.searchParams) next.searchParams.set(k, v);
    next.searchParams.set('client_id', 'keycloak-app');
    // COAT: the honest connection's redirect URI; mix-up: the one redirect URI the app shares
    next.searchParams.set('redirect_uri', mode === 'coat' ? `${app}/keycloak/cb/honest` : `${app}/keycloak/cb`);
    attacks.push({ mode, state: url.searchParams.get('state') });
    res.statusCode = 302;
    res.setHeader('location', next.href);
    res.setHeader('cache-control', 'no-store');
    res.end();
  }

  const errors = [];
  server.on('request', async (req, res) => {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    try {
      if (host === 'idp.corp.example') return await idp.handle(req, res);
      if (host === 'authjs.corp.example') return await authjs.handle(req, res);
      if (host === 'rp.corp.example') return await ((req.url ?? '').startsWith('/api/auth/') ? stateless.handle(req, res) : rp.handle(req, res));
      if (host === 'sso.corp.example') return await kc.handle(req, res);
      if (host === 'login.corp.example') return await auth0.handle(req, res);
      if (host === 'login.ms.example') {
        // Entra serves discovery under the issuer's path
        if (req.url === `/${TENANT}/v2.0/.well-known/openid-configuration`) req.url = `/${TENANT}/.well-known/openid-configuration`;
        return await ms.handle(req, res);
      }
      if (host === 'evil.example') return evil(req, res);
      if (host === 'app.corp.example') {
        const path = (req.url ?? '/').split('?')[0];
        const lib = /^\/lib\/([a-z0-9.-]+)$/.exec(path);
        if (lib && BUNDLES[lib[1]]) {
          res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' });
          return res.end(readFileSync(BUNDLES[lib[1]]()));
        }
        if (/^\/(oidc-client-ts|keycloak|auth0|msal)(\/|$)/.test(path)) {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
          return res.end(PAGE.replace('__CONFIG__', JSON.stringify({ ...origins, tenant: TENANT })));
        }
        if (path === '/') {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          return res.end('<!doctype html><title>app</title><main id="result" data-outcome="home">home</main>');
        }
      }
      res.statusCode = 404;
      res.end();
    } catch (e) {
      errors.push(String(/** @type {any} */ (e)?.stack ?? e));
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    }
  });
  for (const p of [idp, kc, auth0, ms]) for (const ev of ['server_error', 'authorization.error', 'grant.error']) p.provider.on(ev, (_ctx, err) => errors.push(`${ev}: ${err?.message} ${err?.error_description ?? ''}`));

  return {
    port,
    origins,
    errors,
    attacks,
    /** what each callback of the stateless app did */
    statelessOutcomes: stateless.outcomes,
    /** what each Auth.js callback did */
    authjsOutcomes: authjs.outcomes,
    /** what Auth.js logged as errors (a refused callback: InvalidCheck) */
    authjsLogged: authjs.logged,
    /** the page that starts a library's flow: `lib` and the page's options (`as`, `flow`); `stateless`: `as: 'coat'` starts at the evil provider */
    startUrl(lib, params = {}) {
      if (lib === 'authjs') return `${origins.authjs}/start?provider=${params.as === 'coat' ? 'evil' : 'honest'}`;
      if (lib === 'stateless') return `${origins.rp}/api/auth/signin/${params.as === 'coat' ? 'evil' : 'honest'}`;
      const u = new URL(`${lib === 'openid-client' ? origins.rp : app}/${lib}/`);
      for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
      return u.href;
    },
    async close() {
      server.closeAllConnections?.();
      await new Promise((r) => server.close(() => r(undefined)));
    },
  };
}
