// A stateless, PKCE-only, multi-provider web app on openid-client 6 (issue #12), shaped like
// Auth.js's defaults: `checks: ['pkce']` (no state, no nonce), one callback per provider
// (`/api/auth/callback/<provider>`), the PKCE verifier in a cookie, and the provider of a callback
// taken from its path. Two providers: `honest` (the plain OIDC provider of the lib lab, confidential
// client `stateless-app`) and `evil` (evil.example, whose authorization endpoint bounces the browser
// to the honest provider with the app's code_challenge, the honest client_id and the honest
// callback: COAT against a client that sends no state).
//
// | path | what |
// | --- | --- |
// | `/api/auth/signin/<provider>` | the app's 302 to the provider's authorization endpoint (code_challenge S256 only), the verifier in `authjs.pkce.code_verifier` |
// | `/api/auth/callback/<provider>` | the code exchange at that provider with the cookie's verifier (server to server), then `#result[data-outcome]` |
import * as oidcClient from 'openid-client';
import { labRequest } from '../../../lab/net.mjs';

/**
 * @param {{ rp: string, honestIssuer: string, evil: string, secret: string, ca: string }} o
 */
export function createStatelessRp({ rp, honestIssuer, evil, secret, ca }) {
  /** openid-client's HTTP through the lab's client (the lab certificate, *.example on loopback) */
  const labFetch = async (/** @type {string} */ url, /** @type {any} */ options) => {
    const headers = Object.fromEntries(new Headers(options.headers).entries());
    const r = await labRequest(String(url), { method: options.method, headers, body: options.body === undefined ? undefined : String(options.body), ca });
    return new Response(r.status === 204 || r.status === 304 ? null : r.body, { status: r.status, headers: r.headers });
  };
  /** @type {Record<string, Promise<any>>} */
  const configs = {};
  const provider = (/** @type {string} */ id) =>
    (configs[id] ??=
      id === 'honest'
        ? oidcClient.discovery(new URL(honestIssuer), 'stateless-app', secret, undefined, { [oidcClient.customFetch]: labFetch }).then((c) => {
            c[oidcClient.customFetch] = labFetch;
            return c;
          })
        : Promise.resolve(
            new oidcClient.Configuration(
              { issuer: evil, authorization_endpoint: `${evil}/coat/stateless/auth`, token_endpoint: `${evil}/token` },
              'stateless-at-evil',
              secret,
            ),
          ));
  const page = (/** @type {import('node:http').ServerResponse} */ res, outcome, text) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'set-cookie': 'authjs.pkce.code_verifier=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax' });
    res.end(`<!doctype html><title>stateless app</title><main id="result" data-outcome="${outcome}">${text ?? outcome}</main>`);
  };
  /** what each callback did (for tests) */
  const outcomes = [];

  /** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
  async function handle(req, res) {
    const url = new URL(req.url ?? '/', rp);
    const m = /^\/api\/auth\/(signin|callback)\/(honest|evil)$/.exec(url.pathname);
    if (!m) {
      res.statusCode = 404;
      return res.end();
    }
    const [, action, id] = m;
    const c = await provider(id);
    if (action === 'signin') {
      const verifier = oidcClient.randomPKCECodeVerifier();
      const to = oidcClient.buildAuthorizationUrl(c, {
        redirect_uri: `${rp}/api/auth/callback/${id}`,
        scope: 'openid email',
        code_challenge: await oidcClient.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      });
      res.writeHead(302, {
        location: to.href,
        'set-cookie': `authjs.pkce.code_verifier=${verifier}; Path=/; Max-Age=900; HttpOnly; Secure; SameSite=Lax`,
        'cache-control': 'no-store',
      });
      return res.end();
    }
    const verifier = /(?:^|;\s*)authjs\.pkce\.code_verifier=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    if (!verifier) return page(res, 'failed', 'no PKCE verifier cookie');
    try {
      // no expectedState: openid-client then requires the response to carry none (as Auth.js does)
      const tokens = await oidcClient.authorizationCodeGrant(c, url, { pkceCodeVerifier: verifier, idTokenExpected: id === 'honest' });
      outcomes.push({ provider: id, ok: true });
      return page(res, tokens.access_token ? 'connected' : 'failed', `connected to ${id}`);
    } catch (e) {
      outcomes.push({ provider: id, ok: false, error: String(/** @type {any} */ (e)?.message ?? e) });
      return page(res, 'failed', String(/** @type {any} */ (e)?.message ?? e));
    }
  }
  return { handle, outcomes };
}
