// The vulnerable integration platform (draft-02 §2.2.1): several tools, each connection with its own
// redirect URI /cb/<tool>. It keeps state → tool context and, at ANY callback, redeems the code at
// the token endpoint of the tool the state names — not the tool whose redirect URI was hit, and
// without checking `iss`. That is exactly what COAT exploits. It also has a "log in with" page
// that uses ONE shared redirect URI (/cb) for two ASes (the classic mix-up setting, RFC 9700 §4.4),
// an SPA using the implicit grant, and it accepts unsolicited callbacks (CORF).
import { createHash, randomBytes } from 'node:crypto';
import { escapeHtml } from './honest-as.mjs';
import { page, redirect } from './hand-as.mjs';
import { tokenRequest } from './net.mjs';

const rnd = (n = 32) => randomBytes(n).toString('base64url');
const s256 = (v) => createHash('sha256').update(v).digest('base64url');

/**
 * @param {{ origin: string, honest: string, attacker: string, broker: string, secrets: Record<string,string>, record: (kind: string, value: unknown, where: string) => void, ca: string, providerShaped?: Record<'github'|'google', { authorize: string, token: string }> }} o
 */
export function createPlatform({ origin, honest, attacker, broker, secrets, record, ca, providerShaped }) {
  /** @type {Record<string, { label: string, authorize: string, token: string, client: { id: string, secret?: string }, redirectUri: string }>} */
  const tools = {
    honest: {
      label: 'Honest Calendar (honest-as)',
      authorize: `${honest}/auth`,
      token: `${honest}/token`,
      client: { id: 'platform-tool-honest', secret: secrets.platformHonest },
      redirectUri: `${origin}/cb/honest`,
    },
    attacker: {
      label: 'Evil Notes (a tool registered by the attacker)',
      authorize: `${attacker}/authorize`,
      token: `${attacker}/token`,
      client: { id: 'platform-at-attacker', secret: secrets.platformAttacker },
      redirectUri: `${origin}/cb/attacker`,
    },
    broker: {
      label: 'Brokered SSO (broker → honest-as)',
      authorize: `${broker}/authorize`,
      token: `${broker}/token`,
      client: { id: 'platform-at-broker', secret: secrets.platformBroker },
      redirectUri: `${origin}/cb/broker`,
    },
    // hand-written ASes in GitHub's and Google's callback shapes (lab/hand-as.mjs)
    ...(providerShaped
      ? {
          github: { label: 'GitHub-shaped (github.example)', authorize: providerShaped.github.authorize, token: providerShaped.github.token, client: { id: 'platform-at-github', secret: secrets.platformAttacker }, redirectUri: `${origin}/cb/github` },
          githubnoiss: { label: 'GitHub-shaped, old callback without iss (github.example)', authorize: providerShaped.github.authorize, token: providerShaped.github.token, client: { id: 'platform-at-github-noiss', secret: secrets.platformAttacker }, redirectUri: `${origin}/cb/githubnoiss` },
          google: { label: 'Google-shaped (google.example)', authorize: providerShaped.google.authorize, token: providerShaped.google.token, client: { id: 'platform-at-google.apps.googleusercontent.com', secret: secrets.platformAttacker }, redirectUri: `${origin}/cb/google` },
        }
      : {}),
  };
  /** "log in with …" through one shared redirect URI */
  const shared = {
    honest: { label: 'honest-as', authorize: `${honest}/auth`, token: `${honest}/token`, client: { id: 'platform-shared', secret: secrets.platformShared }, redirectUri: `${origin}/cb` },
    attacker: { label: 'attacker-as', authorize: `${attacker}/authorize`, token: `${attacker}/token`, client: { id: 'platform-shared-at-attacker', secret: secrets.platformAttacker }, redirectUri: `${origin}/cb` },
  };

  /** state → context; this map is the whole "session" of the vulnerable platform */
  const states = new Map();
  /** outcomes of callbacks, for tests and the lab log */
  const outcomes = [];

  /** @param {import('node:http').ServerResponse} res @param {{ label: string, authorize: string, client: { id: string }, redirectUri: string }} target @param {string} ctxName */
  function startFlow(res, target, ctxName) {
    const state = rnd();
    const verifier = rnd();
    const nonce = rnd(16);
    record('state', state, 'platform');
    record('verifier', verifier, 'platform');
    record('nonce', nonce, 'platform');
    states.set(state, { ctxName, target, verifier, time: Date.now() });
    const u = new URL(target.authorize);
    u.searchParams.set('response_type', 'code');
    u.searchParams.set('client_id', target.client.id);
    u.searchParams.set('redirect_uri', target.redirectUri);
    u.searchParams.set('scope', 'openid email');
    u.searchParams.set('state', state);
    u.searchParams.set('nonce', nonce);
    u.searchParams.set('code_challenge', s256(verifier));
    u.searchParams.set('code_challenge_method', 'S256');
    return redirect(res, u.href);
  }

  function indexPage() {
    const li = (href, text, id) => `<li><a id="${id}" href="${href}">${escapeHtml(text)}</a></li>`;
    return `<title>Lab platform</title><h1>platform.example — an integration platform (deliberately vulnerable)</h1>
<h2>Connect a tool (one redirect URI per tool)</h2><ul>
${li('/connect/honest', 'Connect Honest Calendar — clean flow', 'clean')}
${li('/connect/attacker', 'Connect Evil Notes — COAT: its AS bounces you to the honest AS with the same state', 'coat')}
${li('/connect/broker', 'Connect Brokered SSO — federation through a broker', 'brokered')}
</ul><h2>Log in with (one shared redirect URI)</h2><ul>
${li('/login/honest', 'Log in with honest-as', 'login-honest')}
${li('/login/attacker', 'Log in with attacker-as — classic mix-up', 'mixup')}
</ul><h2>Other</h2><ul>
${li('/spa/login', 'SPA using the implicit grant (token in the fragment)', 'implicit')}
${li(`${attacker}/forge?tool=attacker`, "Attacker's page: a forged callback with the attacker's own code (CORF)", 'forged')}
${li(`${attacker}/lure`, "Attacker's link: the SPA login with a return_to on the attacker's site (open redirect: the token rides in the re-attached fragment)", 'open-redirect')}
</ul>`;
  }

  /** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
  async function callback(req, res, url, pathTool) {
    const p = url.searchParams;
    const state = p.get('state') ?? '';
    const ctx = states.get(state);
    states.delete(state);
    if (p.has('error')) {
      outcomes.push({ path: url.pathname, outcome: 'as-error', error: p.get('error') });
      return page(res, `<main id="result" data-outcome="as-error"><h1>The AS said ${escapeHtml(p.get('error'))}</h1></main>`);
    }
    // VULNERABLE: the tool is taken from the state's context, not from the redirect URI that was
    // hit, and `iss` is never compared. Unknown state → trust the path (accepts unsolicited codes).
    const target = ctx ? ctx.target : pathTool ? tools[pathTool] : undefined;
    if (!target) return page(res, '<main id="result" data-outcome="unknown-tool">unknown tool</main>', 404);
    const tr = await tokenRequest(
      target.token,
      {
        grant_type: 'authorization_code',
        code: p.get('code') ?? '',
        redirect_uri: target.redirectUri,
        ...(ctx ? { code_verifier: ctx.verifier } : {}),
      },
      target.client,
      ca,
    ).catch((e) => ({ status: 0, json: { error: String(e?.message ?? e) } }));
    const ok = tr.status === 200 && typeof tr.json.access_token === 'string';
    const outcome = {
      path: url.pathname,
      solicited: !!ctx,
      context: ctx?.ctxName ?? `unsolicited:${pathTool}`,
      redeemedAt: target.token,
      outcome: ok ? 'connected' : 'token-error',
      error: ok ? undefined : tr.json.error,
    };
    outcomes.push(outcome);
    return page(
      res,
      `<title>Callback</title><main id="result" data-outcome="${outcome.outcome}" data-context="${escapeHtml(outcome.context)}">
<h1>${ok ? 'Connected' : 'Failed'}: ${escapeHtml(target.label)}</h1>
<p>Callback ${escapeHtml(url.pathname)}; the code was redeemed at ${escapeHtml(target.token)}${ok ? '' : ` (${escapeHtml(tr.json.error)})`}.</p>
<p><a href="/">back</a></p></main>`,
    );
  }

  /** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
  async function handle(req, res) {
    const url = new URL(req.url ?? '/', origin);
    const path = url.pathname;
    let m;
    if (path === '/' || path === '/index.html') return page(res, indexPage());
    if ((m = /^\/connect\/([a-z]+)$/.exec(path)) && tools[m[1]]) return startFlow(res, tools[m[1]], `tool:${m[1]}`);
    if ((m = /^\/login\/([a-z]+)$/.exec(path)) && shared[/** @type {'honest'|'attacker'} */ (m[1])]) return startFlow(res, shared[/** @type {'honest'|'attacker'} */ (m[1])], `login:${m[1]}`);
    if (path === '/cb') return callback(req, res, url, undefined);
    if ((m = /^\/cb\/([a-z]+)$/.exec(path))) return callback(req, res, url, m[1]);
    if (path === '/spa/login') {
      // VULNERABLE (open redirect, RFC 9700 §4.11.1): `return_to` is kept in a cookie unchecked, and
      // the callback sends the browser there with a redirect that has no fragment of its own, so the
      // browser re-attaches #access_token=… to it (RFC 9700 §4.1.2)
      const returnTo = url.searchParams.get('return_to');
      if (returnTo) res.setHeader('set-cookie', `spa_return=${encodeURIComponent(returnTo)}; Path=/spa; Secure; HttpOnly; SameSite=Lax`);
      const state = rnd();
      const nonce = rnd(16);
      record('state', state, 'platform');
      record('nonce', nonce, 'platform');
      const u = new URL(`${honest}/auth`);
      u.searchParams.set('response_type', 'id_token token');
      u.searchParams.set('client_id', 'platform-spa');
      u.searchParams.set('redirect_uri', `${origin}/spa/cb`);
      u.searchParams.set('scope', 'openid email');
      u.searchParams.set('state', state);
      u.searchParams.set('nonce', nonce);
      return redirect(res, u.href);
    }
    if (path === '/spa/cb') {
      const back = /(?:^|;\s*)spa_return=([^;]*)/.exec(req.headers.cookie ?? '')?.[1];
      if (back) {
        res.setHeader('set-cookie', 'spa_return=; Path=/spa; Secure; HttpOnly; SameSite=Lax; Max-Age=0');
        return redirect(res, decodeURIComponent(back));
      }
      return page(
        res,
        `<title>SPA</title><main id="result" data-outcome="pending">SPA callback</main>
<script>const h=new URLSearchParams(location.hash.slice(1));const m=document.getElementById('result');m.dataset.outcome=h.get('access_token')?'connected':'as-error';m.textContent=h.get('access_token')?'SPA got an access token from the fragment':'no token';</script>`,
      );
    }
    if (path === '/favicon.ico') {
      res.statusCode = 204;
      return res.end();
    }
    return page(res, `<h1>platform</h1><p>${escapeHtml(path)}: not here</p>`, 404);
  }

  return { handle, tools, outcomes, states };
}
