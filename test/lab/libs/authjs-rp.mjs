// Auth.js itself (@auth/core, issue #12): a web app with two providers and Auth.js's defaults —
// `checks: ['pkce']` (no state, no nonce), one callback per provider (`/api/auth/callback/<id>`),
// the PKCE verifier in Auth.js's own encrypted cookie, the provider of a callback taken from its
// path. `honest` is the lib lab's plain OIDC provider (type `oidc`, discovery); `evil` is an OAuth
// provider whose authorization endpoint (evil.example `/coat/authjs/auth`) bounces the browser to
// the honest provider with the app's code_challenge, the honest client_id and the honest callback.
//
// | path | what |
// | --- | --- |
// | `/start?provider=<id>` | a page that fetches `/api/auth/csrf` and submits Auth.js's sign-in form (POST `/api/auth/signin/<id>`), as Auth.js's own sign-in page does |
// | `/api/auth/*` | Auth.js (`Auth(request, config)`), the Node request turned into a web Request |
// | `/done`, `/failed` | where Auth.js sends the browser after the callback: `#result[data-outcome]` |
import { randomBytes } from 'node:crypto';
import { Auth, customFetch } from '@auth/core';
import { labRequest } from '../../../lab/net.mjs';

/**
 * @param {{ origin: string, honestIssuer: string, evil: string, secret: string, ca: string }} o
 */
export function createAuthjsRp({ origin, honestIssuer, evil, secret, ca }) {
  /** Auth.js's HTTP (discovery, token, userinfo) through the lab's client (*.example on loopback) */
  const labFetch = async (/** @type {any} */ input, /** @type {any} */ init = {}) => {
    const req = input instanceof Request ? input : undefined;
    const url = req ? req.url : String(input);
    const headers = Object.fromEntries(new Headers(init.headers ?? req?.headers).entries());
    const body = init.body !== undefined ? String(init.body) : req && req.method !== 'GET' ? await req.text() : undefined;
    const r = await labRequest(url, { method: init.method ?? req?.method ?? 'GET', headers, body, ca });
    return new Response(r.status === 204 || r.status === 304 ? null : r.body, { status: r.status, headers: r.headers });
  };
  /** what each callback did (for tests); Auth.js's own error log */
  const outcomes = [];
  const logged = [];
  /** @type {import('@auth/core').AuthConfig} */
  const config = {
    logger: { error: (e) => logged.push(`${e?.name ?? 'Error'}: ${e?.message ?? e}`), warn: () => {}, debug: () => {} },
    basePath: '/api/auth',
    secret: randomBytes(32).toString('hex'),
    trustHost: true,
    pages: { error: '/failed' },
    providers: [
      { id: 'honest', name: 'Honest tool', type: 'oidc', issuer: honestIssuer, clientId: 'authjs-app', clientSecret: secret, authorization: { params: { scope: 'openid email' } }, [customFetch]: labFetch },
      {
        id: 'evil',
        name: 'Evil tool',
        type: 'oauth',
        clientId: 'authjs-at-evil',
        clientSecret: secret,
        authorization: { url: `${evil}/coat/authjs/auth`, params: { scope: 'openid email' } },
        token: `${evil}/token`,
        userinfo: `${evil}/userinfo`,
        [customFetch]: labFetch,
      },
    ],
  };
  const START = `<!doctype html><title>Auth.js app</title><main id="result" data-outcome="pending">signing in…</main>
<form method="post"><input type="hidden" name="csrfToken"><input type="hidden" name="callbackUrl" value="/done"></form>
<script>
const p = new URLSearchParams(location.search).get('provider');
fetch('/api/auth/csrf').then((r) => r.json()).then(({ csrfToken }) => {
  const f = document.forms[0];
  f.action = '/api/auth/signin/' + encodeURIComponent(p);
  f.csrfToken.value = csrfToken;
  f.submit();
});
</script>`;
  const html = (/** @type {import('node:http').ServerResponse} */ res, body) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(body);
  };
  /** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
  async function handle(req, res) {
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname === '/start') return html(res, START);
    if (url.pathname === '/done') {
      outcomes.push({ ok: true });
      return html(res, '<!doctype html><title>done</title><main id="result" data-outcome="connected">connected</main>');
    }
    if (url.pathname === '/failed') {
      outcomes.push({ ok: false, error: url.searchParams.get('error') });
      return html(res, `<!doctype html><title>failed</title><main id="result" data-outcome="failed">${String(url.searchParams.get('error')).replace(/[<>&"]/g, '')}</main>`);
    }
    if (!url.pathname.startsWith('/api/auth/')) {
      res.statusCode = 404;
      return res.end();
    }
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
    const method = req.method ?? 'GET';
    const request = new Request(url, { method, headers, body: method === 'GET' || method === 'HEAD' ? undefined : Buffer.concat(chunks) });
    const response = await Auth(request, config);
    /** @type {Record<string, string | string[]>} */
    const out = {};
    response.headers.forEach((v, k) => {
      if (k !== 'set-cookie') out[k] = v;
    });
    const cookies = response.headers.getSetCookie();
    if (cookies.length) out['set-cookie'] = cookies;
    res.writeHead(response.status, out);
    res.end(Buffer.from(await response.arrayBuffer()));
  }
  return { handle, outcomes, logged };
}
