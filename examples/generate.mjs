#!/usr/bin/env node
// Writes examples/coat-attack.har and examples/clean-flow.har: HAR 1.2 captures (as Chrome's
// "Save all as HAR" writes them) of a tool-connection platform, platform.example, that lets users
// connect third-party tools over OAuth. Secrets are random but seeded, so a rerun gives the same files.
//   node examples/generate.mjs
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';

// ---------------------------------------------------------------- seeded randomness (xorshift128+)
function rng(seed) {
  let s0 = BigInt.asUintN(64, BigInt(seed) * 0x9e3779b97f4a7c15n + 1n);
  let s1 = BigInt.asUintN(64, s0 ^ 0xbf58476d1ce4e5b9n);
  return () => {
    let x = s0;
    const y = s1;
    s0 = y;
    x = BigInt.asUintN(64, x ^ (x << 23n));
    s1 = BigInt.asUintN(64, x ^ y ^ (x >> 17n) ^ (y >> 26n));
    return Number(BigInt.asUintN(53, s1 + y)) / 2 ** 53;
  };
}
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
function make(seed) {
  const r = rng(seed);
  const b64 = (n) => Array.from({ length: n }, () => B64[Math.floor(r() * 64)]).join('');
  const hex = (n) => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(r() * 16)]).join('');
  return { r, b64, hex };
}
const s256 = (v) => createHash('sha256').update(v).digest('base64url');

// ---------------------------------------------------------------- HAR building
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36';
const qs = (o) => new URLSearchParams(o).toString();

function capture(startIso) {
  let t = Date.parse(startIso);
  const entries = [];
  const add = (e) => {
    t += e.gap ?? 40;
    const reqHeaders = [
      { name: ':authority', value: new URL(e.url).host },
      { name: ':method', value: e.method ?? 'GET' },
      { name: ':path', value: new URL(e.url).pathname + new URL(e.url).search },
      { name: ':scheme', value: 'https' },
      { name: 'accept', value: e.accept ?? (e.type === 'document' ? 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' : '*/*') },
      { name: 'accept-language', value: 'en-GB,en;q=0.9' },
      ...(e.referer ? [{ name: 'referer', value: e.referer }] : []),
      ...(e.cookie ? [{ name: 'cookie', value: e.cookie }] : []),
      { name: 'sec-fetch-dest', value: e.type === 'document' ? 'document' : e.type === 'fetch' ? 'empty' : e.type },
      { name: 'sec-fetch-mode', value: e.type === 'document' ? 'navigate' : 'cors' },
      { name: 'sec-fetch-site', value: e.site ?? 'same-origin' },
      { name: 'user-agent', value: UA },
      ...(e.form ? [{ name: 'content-type', value: 'application/x-www-form-urlencoded' }, { name: 'origin', value: new URL(e.url).origin }] : []),
    ];
    const respHeaders = [
      { name: 'date', value: new Date(t).toUTCString() },
      { name: 'content-type', value: e.mime ?? (e.type === 'document' ? 'text/html; charset=utf-8' : 'application/javascript') },
      ...(e.location ? [{ name: 'location', value: e.location }] : []),
      ...(e.setCookie ? [{ name: 'set-cookie', value: e.setCookie }] : []),
      { name: 'cache-control', value: e.location || e.type === 'document' ? 'no-store' : 'public, max-age=31536000, immutable' },
      { name: 'strict-transport-security', value: 'max-age=63072000' },
    ];
    const body = e.form ? qs(e.form) : undefined;
    const wait = e.wait ?? 35;
    entries.push({
      _initiator: e.initiator ? { type: 'parser', url: e.initiator } : { type: 'other' },
      _priority: e.type === 'document' ? 'VeryHigh' : 'High',
      _resourceType: e.type,
      cache: {},
      connection: '443',
      pageref: e.page,
      request: {
        method: e.method ?? (e.form ? 'POST' : 'GET'),
        url: e.url,
        httpVersion: 'http/2.0',
        headers: reqHeaders,
        queryString: [...new URL(e.url).searchParams].map(([name, value]) => ({ name, value })),
        cookies: [],
        headersSize: -1,
        bodySize: body ? body.length : 0,
        ...(body ? { postData: { mimeType: 'application/x-www-form-urlencoded', text: body, params: Object.entries(e.form).map(([name, value]) => ({ name, value })) } } : {}),
      },
      response: {
        status: e.status ?? (e.location ? 302 : 200),
        statusText: '',
        httpVersion: 'http/2.0',
        headers: respHeaders,
        cookies: [],
        content: { size: e.text?.length ?? e.size ?? 0, mimeType: (e.mime ?? 'text/html').split(';')[0], ...(e.text !== undefined ? { text: e.text } : {}) },
        redirectURL: e.location ?? '',
        headersSize: -1,
        bodySize: -1,
        _transferSize: (e.size ?? 600) + 180,
        _error: null,
      },
      serverIPAddress: e.ip ?? '203.0.113.10',
      startedDateTime: new Date(t).toISOString(),
      time: wait + 3.2,
      timings: { blocked: 1.1, dns: -1, ssl: -1, connect: -1, send: 0.3, wait, receive: 1.8, _blocked_queueing: 0.6 },
    });
    t += wait;
  };
  return { entries, add, at: () => t };
}

function page(id, title, iso) {
  return { startedDateTime: iso, id, title, pageTimings: { onContentLoad: 412.3, onLoad: 655.9 } };
}

function har(pages, entries) {
  return { log: { version: '1.2', creator: { name: 'WebInspector', version: '537.36' }, pages, entries } };
}

const P = 'https://platform.example';
const HONEST = 'https://honest-as.example';
const ATTACKER = 'https://attacker-as.example';
const HONEST_CLIENT = 'plat-7Q2KX4MD'; // the platform's client at the honest AS
const ATTACKER_CLIENT = '666RVZJTA'; // the platform's client at the attacker's AS (the attacker registered the tool)

function toolsPage(c, session, ref) {
  c.add({ page: 'page_1', url: `${P}/settings/tools`, type: 'document', cookie: session, referer: ref, size: 18422 });
  c.add({ page: 'page_1', url: `${P}/assets/app.4f9c2e1b.js`, type: 'script', initiator: `${P}/settings/tools`, size: 214033, mime: 'application/javascript' });
  c.add({ page: 'page_1', url: `${P}/assets/app.77d0aa31.css`, type: 'stylesheet', initiator: `${P}/settings/tools`, size: 30211, mime: 'text/css' });
  c.add({ page: 'page_1', url: `${P}/api/tools?installed=1`, type: 'fetch', cookie: session, initiator: `${P}/assets/app.4f9c2e1b.js`, mime: 'application/json', text: JSON.stringify({ tools: [{ id: 'honest-tool', name: 'Honest Docs' }, { id: 'evil-tool', name: 'Quick Charts' }] }) });
  c.add({ page: 'page_1', url: `${P}/img/tools/quick-charts.png`, type: 'image', initiator: `${P}/settings/tools`, size: 5120, mime: 'image/png' });
}

// ---------------------------------------------------------------- COAT (draft-02 §2.2.1)
{
  const { b64, hex } = make(20260304);
  const session = `plat_sid=${b64(43)}`;
  const state = b64(43);
  const verifier = b64(64);
  const code = `hc_${b64(40)}`;
  const c = capture('2026-03-04T14:22:07.000Z');
  toolsPage(c, session, 'https://mail.example/');
  // 1. the victim connects "Quick Charts", whose AS the attacker runs; the platform keeps a per-tool redirect URI
  const areq1 = `${ATTACKER}/oauth/authorize?${qs({ response_type: 'code', client_id: ATTACKER_CLIENT, redirect_uri: `${P}/oauth/attack-cb`, scope: 'charts.read', state, code_challenge: s256(verifier), code_challenge_method: 'S256' })}`;
  c.add({ page: 'page_1', url: `${P}/settings/tools/evil-tool/connect`, type: 'document', cookie: session, referer: `${P}/settings/tools`, location: areq1, gap: 2300 });
  // 2. the attacker's AS sends the browser on to the honest AS with the same state and the honest tool's redirect URI
  const areq2 = `${HONEST}/authorize?${qs({ response_type: 'code', client_id: HONEST_CLIENT, redirect_uri: `${P}/oauth/honest-cb`, scope: 'docs.read docs.write', state, code_challenge: s256(verifier), code_challenge_method: 'S256' })}`;
  c.add({ page: 'page_1', url: areq1, type: 'document', site: 'cross-site', referer: `${P}/`, location: areq2, status: 303, ip: '198.51.100.66' });
  // 3. the honest AS shows its login and consent page: the user sees the honest tool and agrees
  c.add({ page: 'page_1', url: areq2, type: 'document', site: 'cross-site', referer: `${ATTACKER}/`, ip: '192.0.2.20', size: 9120 });
  c.add({ page: 'page_1', url: `${HONEST}/static/login.3b1e.css`, type: 'stylesheet', initiator: areq2, size: 8111, mime: 'text/css', ip: '192.0.2.20' });
  const txn = hex(32);
  c.add({ page: 'page_1', url: `${HONEST}/authorize/consent`, type: 'document', form: { txn, decision: 'allow', csrf: b64(32) }, referer: areq2, cookie: `has_sess=${b64(32)}`, location: `${P}/oauth/honest-cb?${qs({ code, state, iss: HONEST })}`, status: 302, gap: 6100, ip: '192.0.2.20' });
  // 4. the code for the victim's honest account comes back to the platform, which redeems it in the attack context
  c.add({ page: 'page_1', url: `${P}/oauth/honest-cb?${qs({ code, state, iss: HONEST })}`, type: 'document', site: 'cross-site', referer: `${HONEST}/`, cookie: session, location: `${P}/settings/tools?connected=evil-tool`, status: 302 });
  c.add({ page: 'page_1', url: `${P}/settings/tools?connected=evil-tool`, type: 'document', cookie: session, referer: `${HONEST}/`, size: 18630 });
  c.add({ page: 'page_1', url: `${P}/api/tools?installed=1`, type: 'fetch', cookie: session, initiator: `${P}/assets/app.4f9c2e1b.js`, mime: 'application/json', text: JSON.stringify({ tools: [{ id: 'evil-tool', name: 'Quick Charts', connected: true }] }) });
  const pages = [page('page_1', `${P}/settings/tools`, '2026-03-04T14:22:07.000Z')];
  writeFileSync(new URL('./coat-attack.har', import.meta.url), JSON.stringify(har(pages, c.entries), null, 2) + '\n');
}

// ---------------------------------------------------------------- the same platform, a clean connection
{
  const { b64, hex } = make(20260305);
  const session = `plat_sid=${b64(43)}`;
  const state = b64(43);
  const verifier = b64(64);
  const code = `hc_${b64(40)}`;
  const c = capture('2026-03-05T09:10:44.000Z');
  toolsPage(c, session, `${P}/`);
  const areq = `${HONEST}/authorize?${qs({ response_type: 'code', client_id: HONEST_CLIENT, redirect_uri: `${P}/oauth/honest-cb`, scope: 'docs.read docs.write', state, code_challenge: s256(verifier), code_challenge_method: 'S256' })}`;
  c.add({ page: 'page_1', url: `${P}/settings/tools/honest-tool/connect`, type: 'document', cookie: session, referer: `${P}/settings/tools`, location: areq, gap: 1800 });
  c.add({ page: 'page_1', url: areq, type: 'document', site: 'cross-site', referer: `${P}/`, ip: '192.0.2.20', size: 9120 });
  c.add({ page: 'page_1', url: `${HONEST}/static/login.3b1e.css`, type: 'stylesheet', initiator: areq, size: 8111, mime: 'text/css', ip: '192.0.2.20' });
  c.add({ page: 'page_1', url: `${HONEST}/authorize/consent`, type: 'document', form: { txn: hex(32), decision: 'allow', csrf: b64(32) }, referer: areq, cookie: `has_sess=${b64(32)}`, location: `${P}/oauth/honest-cb?${qs({ code, state, iss: HONEST })}`, status: 302, gap: 5200, ip: '192.0.2.20' });
  c.add({ page: 'page_1', url: `${P}/oauth/honest-cb?${qs({ code, state, iss: HONEST })}`, type: 'document', site: 'cross-site', referer: `${HONEST}/`, cookie: session, location: `${P}/settings/tools?connected=honest-tool`, status: 302 });
  c.add({ page: 'page_1', url: `${P}/settings/tools?connected=honest-tool`, type: 'document', cookie: session, referer: `${HONEST}/`, size: 18630 });
  const pages = [page('page_1', `${P}/settings/tools`, '2026-03-05T09:10:44.000Z')];
  writeFileSync(new URL('./clean-flow.har', import.meta.url), JSON.stringify(har(pages, c.entries), null, 2) + '\n');
}
console.log('wrote examples/coat-attack.har and examples/clean-flow.har');
