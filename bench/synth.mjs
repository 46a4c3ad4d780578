// Synthetic, realistic browsing traffic for the benchmarks: mostly non-OAuth subresources (scripts,
// styles, images, API calls, analytics beacons) with OAuth code flows (PKCE, state, nonce, `iss`,
// SPA token requests, refresh grants) mixed in. Deterministic (seeded).
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

function rng(seed) {
  let a = seed >>> 0;
  return () => {
    // mulberry32
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const b64json = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');

/** an AS signs with one key for a long time: the same `kid` in every token it issues */
const keyIdOf = (issuer) => createHash('sha256').update(issuer).digest('hex').slice(0, 16);

/**
 * A token response as an AS sends it: an RS256-signed access token and ID token whose payloads are
 * JSON claims (issuer, audience = the client (the access token's: the API it is for), times around `t`, the request's nonce, an `at_hash`
 * that matches), a random refresh token. The signatures are random bytes of an RS256 signature's
 * length (nothing in the benchmarks verifies them).
 */
function tokenSet({ issuer, kid = keyIdOf(issuer), clientId, nonce, sub, t, b64, hex, audience = 'https://api.example' }) {
  const iat = Math.floor(t / 1000);
  const header = b64json({ alg: 'RS256', typ: 'JWT', kid });
  const access_token = `${b64json({ alg: 'RS256', typ: 'at+jwt', kid })}.${b64json({ iss: issuer, sub, aud: audience, client_id: clientId, exp: iat + 300, iat, jti: hex(32), scope: 'openid profile email' })}.${b64(342)}`;
  const atHash = createHash('sha256').update(access_token).digest().subarray(0, 16).toString('base64url');
  const id_token = `${header}.${b64json({ iss: issuer, sub, aud: clientId, exp: iat + 300, iat, auth_time: iat - 2, nonce, at_hash: atHash, sid: `${hex(8)}-${hex(4)}-${hex(4)}`, email: 'user@example.com', email_verified: true, name: 'Test User' })}.${b64(342)}`;
  return { access_token, token_type: 'Bearer', expires_in: 300, refresh_token: b64(64), id_token, scope: 'openid profile email' };
}
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36';
const APPS = ['https://shop.example', 'https://news.example', 'https://app.example', 'https://crm.example', 'https://docs.example'];
const ASES = [
  { origin: 'https://accounts.idp.example', authz: '/o/oauth2/v2/auth', token: '/token' },
  { origin: 'https://login.corp.example', authz: '/oauth2/v2.0/authorize', token: '/oauth2/v2.0/token' },
  { origin: 'https://sso.example.com', issuer: 'https://sso.example.com/realms/main', authz: '/realms/main/protocol/openid-connect/auth', token: '/realms/main/protocol/openid-connect/token' },
];

/**
 * Yields HAR entries (objects) forever: page visits of ~25 requests; every `oauthEvery`-th visit
 * includes a login through an authorization server. With `oauthDense`, every entry is an OAuth
 * exchange instead (denseFlows below).
 */
export function* harEntries(seed = 1, { oauthEvery = 6, oauthDense = false, bearer = true } = {}) {
  const r = rng(seed);
  const pick = (a) => a[Math.floor(r() * a.length)];
  const b64 = (n) => {
    let s = '';
    for (let i = 0; i < n; i++) s += B64[Math.floor(r() * 64)];
    return s;
  };
  const hex = (n) => {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(r() * 16)];
    return s;
  };
  let t = Date.UTC(2026, 2, 1, 8, 0, 0);
  let visit = 0;
  // each app's API calls carry the access token of its latest login or refresh (a single-page app's
  // fetches); none before the app's first login. Draws nothing from the generator: with `bearer`
  // false the entries are otherwise identical.
  const accessTokenOf = new Map();
  const entry = (page, url, o = {}) => {
    t += 5 + Math.floor(r() * 60);
    const u = new URL(url);
    const reqHeaders = [
      { name: ':authority', value: u.host },
      { name: ':method', value: o.method ?? 'GET' },
      { name: ':path', value: u.pathname + u.search },
      { name: ':scheme', value: 'https' },
      { name: 'accept', value: o.type === 'document' ? 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' : '*/*' },
      { name: 'accept-encoding', value: 'gzip, deflate, br, zstd' },
      { name: 'accept-language', value: 'en-GB,en;q=0.9' },
      ...(o.referer ? [{ name: 'referer', value: o.referer }] : []),
      { name: 'sec-ch-ua', value: '"Chromium";v="142", "Not?A_Brand";v="24"' },
      { name: 'sec-fetch-dest', value: o.type === 'document' ? 'document' : o.type === 'fetch' || o.type === 'xhr' ? 'empty' : o.type },
      { name: 'sec-fetch-mode', value: o.type === 'document' ? 'navigate' : 'no-cors' },
      { name: 'sec-fetch-site', value: 'same-origin' },
      { name: 'user-agent', value: UA },
      ...(o.form ? [{ name: 'content-type', value: 'application/x-www-form-urlencoded' }] : []),
      ...(o.bearer ? [{ name: 'authorization', value: `Bearer ${o.bearer}` }] : []),
    ];
    const respHeaders = [
      { name: 'date', value: new Date(t).toUTCString() },
      { name: 'content-type', value: o.mime ?? 'text/html; charset=utf-8' },
      { name: 'content-length', value: String(o.text?.length ?? 1000) },
      { name: 'cache-control', value: 'public, max-age=600' },
      { name: 'server', value: 'envoy' },
      { name: 'x-request-id', value: hex(32) },
      ...(o.location ? [{ name: 'location', value: o.location }] : []),
    ];
    const body = o.form ? new URLSearchParams(o.form).toString() : undefined;
    return {
      _initiator: o.initiator ? { type: 'script', url: o.initiator } : { type: 'other' },
      _priority: 'High',
      _resourceType: o.type ?? 'document',
      cache: {},
      connection: String(1000 + Math.floor(r() * 9000)),
      pageref: page,
      request: {
        method: o.method ?? (body ? 'POST' : 'GET'),
        url,
        httpVersion: 'http/2.0',
        headers: reqHeaders,
        queryString: [...u.searchParams].map(([name, value]) => ({ name, value })),
        cookies: [],
        headersSize: -1,
        bodySize: body?.length ?? 0,
        ...(body ? { postData: { mimeType: 'application/x-www-form-urlencoded', text: body, params: Object.entries(o.form).map(([name, value]) => ({ name, value })) } } : {}),
      },
      response: {
        status: o.status ?? (o.location ? 302 : 200),
        statusText: '',
        httpVersion: 'http/2.0',
        headers: respHeaders,
        cookies: [],
        content: { size: o.text?.length ?? 1000, mimeType: (o.mime ?? 'text/html').split(';')[0], ...(o.text !== undefined ? { text: o.text } : {}) },
        redirectURL: o.location ?? '',
        headersSize: -1,
        bodySize: -1,
        _transferSize: 1200,
        _error: null,
      },
      serverIPAddress: '203.0.113.' + Math.floor(r() * 250),
      startedDateTime: new Date(t).toISOString(),
      time: 20 + r() * 80,
      timings: { blocked: 1.2, dns: -1, ssl: -1, connect: -1, send: 0.2, wait: 18.4, receive: 2.1, _blocked_queueing: 0.8 },
    };
  };
  const apiJson = () => JSON.stringify({ items: Array.from({ length: 8 + Math.floor(r() * 12) }, () => ({ id: hex(24), title: b64(20), price: Math.floor(r() * 10000) / 100, tags: [b64(6), b64(5)] })), next: `/api/v2/items?cursor=${b64(24)}` });

  if (oauthDense) {
    yield* denseFlowsOf(r, entry, b64, hex, pick, () => t, () => {
      t += 800 + Math.floor(r() * 1600); // one login a second or two: no flood
      return ++visit;
    });
    return;
  }
  for (;;) {
    visit += 1;
    const app = pick(APPS);
    const page = `page_${visit}`;
    const doc = `${app}/${pick(['products', 'articles', 'dashboard', 'accounts', 'search'])}/${hex(8)}?ref=${pick(['nav', 'home', 'mail'])}`;
    yield entry(page, doc, { type: 'document', text: `<!doctype html><html><head><title>${b64(12)}</title></head><body>${'<div class="row">'.repeat(40)}${b64(400)}</body></html>` });
    for (let i = 0; i < 8; i++) yield entry(page, `${app}/static/${pick(['js', 'css', 'img', 'fonts'])}/${b64(10)}.${hex(8)}.${pick(['js', 'css', 'png', 'woff2', 'svg'])}${r() < 0.3 ? `?v=${hex(6)}` : ''}`, { type: pick(['script', 'stylesheet', 'image', 'font']), initiator: doc, mime: 'application/javascript' });
    for (let i = 0; i < 4; i++) yield entry(page, `${app}/api/v2/items?page=${1 + Math.floor(r() * 9)}&limit=50&sort=-created&filter=${b64(8)}`, { type: 'fetch', initiator: `${app}/static/js/app.js`, mime: 'application/json', text: apiJson(), bearer: bearer ? accessTokenOf.get(app) : undefined });
    for (let i = 0; i < 2; i++)
      yield entry(page, `https://analytics.example/g/collect?v=2&tid=G-${b64(10)}&gtm=45je${hex(6)}&_p=${hex(10)}&cid=${hex(10)}.${hex(10)}&ul=en-gb&sr=1920x1080&en=${pick(['page_view', 'scroll', 'click'])}&dl=${encodeURIComponent(doc)}&dt=${b64(16)}&sid=${hex(10)}&sct=3&seg=1`, { type: 'ping', initiator: doc, mime: 'text/plain' });
    yield entry(page, `https://cdn.example/${b64(12)}/${hex(16)}.jpg?w=640&q=75&fm=webp`, { type: 'image', initiator: doc, mime: 'image/webp' });
    if (visit % oauthEvery !== 0) continue;
    // an OAuth / OIDC login: PKCE, state, nonce, iss, SPA token request, sometimes a refresh
    const as = pick(ASES);
    const clientId = `${app.slice(8, 12)}-${hex(12)}`;
    const cb = `${app}/auth/callback`;
    const state = b64(43);
    const nonce = b64(32);
    const verifier = b64(64);
    const areq = `${as.origin}${as.authz}?${new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: cb, scope: 'openid profile email', state, nonce, code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256' })}`;
    yield entry(page, `${app}/login?next=%2Fdashboard`, { type: 'document', location: areq });
    yield entry(page, areq, { type: 'document', referer: `${app}/`, text: `<html><form method=post action="/login">${b64(200)}</form></html>` });
    for (let i = 0; i < 3; i++) yield entry(page, `${as.origin}/assets/${b64(8)}.${hex(8)}.${pick(['js', 'css'])}`, { type: pick(['script', 'stylesheet']), initiator: areq, mime: 'application/javascript' });
    const code = b64(40);
    const cbUrl = `${cb}?${new URLSearchParams({ code, state, iss: as.issuer ?? as.origin, session_state: `${hex(8)}-${hex(4)}-${hex(4)}` })}`;
    yield entry(page, `${as.origin}/login`, { type: 'document', form: { username: 'user@example.com', password: b64(16), csrf: b64(32) }, referer: areq, location: cbUrl });
    yield entry(page, cbUrl, { type: 'document', referer: `${as.origin}/` });
    const sub = hex(24);
    const tokens = tokenSet({ issuer: as.issuer ?? as.origin, clientId, nonce, sub, t, b64, hex, audience: `${app}/api` });
    yield entry(page, `${as.origin}${as.token}`, { type: 'fetch', form: { grant_type: 'authorization_code', code, redirect_uri: cb, client_id: clientId, code_verifier: verifier }, initiator: `${app}/static/js/app.js`, mime: 'application/json', text: JSON.stringify(tokens) });
    accessTokenOf.set(app, tokens.access_token);
    if (r() < 0.5) {
      const refreshed = tokenSet({ issuer: as.issuer ?? as.origin, clientId, nonce, sub, t, b64, hex, audience: `${app}/api` });
      yield entry(page, `${as.origin}${as.token}`, { type: 'fetch', form: { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: clientId }, initiator: `${app}/static/js/app.js`, mime: 'application/json', text: JSON.stringify(refreshed) });
      accessTokenOf.set(app, refreshed.access_token);
    }
  }
}

/**
 * The OAuth-dense capture: every entry is an OAuth exchange of one of many distinct flows, each a
 * silent login of one of 24 apps at one of 40 authorization servers (the AS has a session: the
 * authorization request is answered with a 302 to the callback): the AS's metadata document (half
 * the flows), the authorization request, the callback page, the token request (JSON token
 * response), the JWKS (a third) and a refresh grant (a third). The bodies a detector reads
 * (metadata, JWKS, token responses) are most of the bytes; the callback page's HTML is the rest.
 */
function* denseFlowsOf(r, entry, b64, hex, pick, now, nextVisit) {
  const apps = Array.from({ length: 24 }, (_, k) => `https://app${k}.tenant${k % 5}.example`);
  const ases = Array.from({ length: 40 }, (_, k) => {
    const origin = `https://login${k}.idp${k % 7}.example`;
    const issuer = k % 3 === 0 ? `${origin}/realms/r${k}` : origin;
    const base = k % 3 === 0 ? `${issuer}/protocol/openid-connect` : `${origin}/oauth2`;
    const meta = {
      issuer,
      authorization_endpoint: `${base}/auth`,
      token_endpoint: `${base}/token`,
      introspection_endpoint: `${base}/token/introspect`,
      userinfo_endpoint: `${base}/userinfo`,
      end_session_endpoint: `${base}/logout`,
      jwks_uri: `${base}/certs`,
      registration_endpoint: `${base}/registrations`,
      revocation_endpoint: `${base}/revoke`,
      grant_types_supported: ['authorization_code', 'implicit', 'refresh_token', 'password', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code'],
      response_types_supported: ['code', 'none', 'id_token', 'token', 'id_token token', 'code id_token', 'code token', 'code id_token token'],
      response_modes_supported: ['query', 'fragment', 'form_post', 'query.jwt', 'fragment.jwt', 'form_post.jwt', 'jwt'],
      subject_types_supported: ['public', 'pairwise'],
      id_token_signing_alg_values_supported: ['PS384', 'ES384', 'RS384', 'HS256', 'HS512', 'ES256', 'RS256', 'HS384', 'ES512', 'PS256', 'PS512', 'RS512'],
      token_endpoint_auth_methods_supported: ['private_key_jwt', 'client_secret_basic', 'client_secret_post', 'tls_client_auth', 'client_secret_jwt'],
      claims_supported: ['aud', 'sub', 'iss', 'auth_time', 'name', 'given_name', 'family_name', 'preferred_username', 'email', 'acr'],
      scopes_supported: ['openid', 'profile', 'email', 'address', 'phone', 'offline_access', 'roles', 'web-origins'],
      code_challenge_methods_supported: ['plain', 'S256'],
      authorization_response_iss_parameter_supported: true,
      tls_client_certificate_bound_access_tokens: true,
    };
    const keys = { keys: [0, 1].map((i) => ({ kid: `${k}-${i}-${hex(16)}`, kty: 'RSA', alg: 'RS256', use: 'sig', n: b64(342), e: 'AQAB', x5t: b64(27) })) };
    return { origin, issuer, base, kid: keys.keys[0].kid, meta: JSON.stringify(meta), jwks: JSON.stringify(keys) };
  });
  const clients = new Map();
  for (;;) {
    const page = `page_${nextVisit()}`;
    const app = pick(apps);
    const as = pick(ases);
    const key = `${app} ${as.origin}`;
    if (!clients.has(key)) clients.set(key, `${app.slice(8, 12)}-${hex(12)}`);
    const clientId = clients.get(key);
    const cb = `${app}/auth/callback`;
    const spa = `${app}/static/js/app.js`;
    if (r() < 0.5) yield entry(page, `${as.issuer}/.well-known/openid-configuration`, { type: 'fetch', initiator: spa, mime: 'application/json', text: as.meta });
    const state = b64(43);
    const nonce = b64(32);
    const verifier = b64(64);
    const areq = `${as.base}/auth?${new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: cb, scope: 'openid profile email', state, nonce, code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256', prompt: 'none' })}`;
    const code = b64(40);
    const cbUrl = `${cb}?${new URLSearchParams({ code, state, iss: as.issuer, session_state: `${hex(8)}-${hex(4)}-${hex(4)}` })}`;
    yield entry(page, areq, { type: 'document', referer: `${app}/`, location: cbUrl, mime: 'text/html' });
    yield entry(page, cbUrl, { type: 'document', referer: `${app}/`, text: `<!doctype html><html><head><title>${b64(12)}</title><script src="/static/js/app.js"></script></head><body>${'<div class="row">'.repeat(20)}${b64(300)}</body></html>` });
    const sub = hex(24);
    const tokens = tokenSet({ issuer: as.issuer, kid: as.kid, clientId, nonce, sub, t: now(), b64, hex });
    yield entry(page, `${as.base}/token`, { type: 'fetch', form: { grant_type: 'authorization_code', code, redirect_uri: cb, client_id: clientId, code_verifier: verifier }, initiator: spa, mime: 'application/json', text: JSON.stringify(tokens) });
    if (r() < 0.33) yield entry(page, `${as.base}/certs`, { type: 'fetch', initiator: spa, mime: 'application/json', text: as.jwks });
    if (r() < 0.33)
      yield entry(page, `${as.base}/token`, { type: 'fetch', form: { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: clientId }, initiator: spa, mime: 'application/json', text: JSON.stringify(tokenSet({ issuer: as.issuer, kid: as.kid, clientId, nonce, sub, t: now(), b64, hex })) });
  }
}

/**
 * Write a HAR of at least `bytes` bytes, streaming (never holding it in memory). With
 * `shuffleBlock`, the entries are written out of time order: each run of that many entries in a
 * seeded random order (what a HAR viewer or merge tool may leave; the times stay as generated).
 */
export async function writeHar(path, bytes, seed = 7, { shuffleBlock = 0, oauthDense = false } = {}) {
  const out = createWriteStream(path);
  let written = 0;
  const write = async (s) => {
    written += Buffer.byteLength(s);
    if (!out.write(s)) await once(out, 'drain');
  };
  await write('{\n  "log": {\n    "version": "1.2",\n    "creator": { "name": "WebInspector", "version": "537.36" },\n    "pages": [],\n    "entries": [\n');
  let n = 0;
  const shuffle = rng(seed + 1);
  let block = [];
  let pending = 0; // bytes held in the block (so both orders stop after the same entries)
  const flush = async () => {
    pending = 0;
    for (let i = block.length - 1; i > 0; i--) {
      const j = Math.floor(shuffle() * (i + 1));
      [block[i], block[j]] = [block[j], block[i]];
    }
    for (const text of block) {
      await write((n ? ',\n' : '') + text);
      n += 1;
    }
    block = [];
  };
  for (const e of harEntries(seed, { oauthDense })) {
    if (shuffleBlock > 1) {
      const text = JSON.stringify(e);
      block.push(text);
      pending += Buffer.byteLength(text) + (n + block.length > 1 ? 2 : 0);
      if (written + pending >= bytes) break;
      if (block.length >= shuffleBlock) await flush();
      continue;
    }
    await write((n ? ',\n' : '') + JSON.stringify(e));
    n += 1;
    if (written >= bytes) break;
  }
  if (block.length) await flush();
  await write('\n    ]\n  }\n}\n');
  out.end();
  await once(out, 'finish');
  return { entries: n, bytes: written };
}
