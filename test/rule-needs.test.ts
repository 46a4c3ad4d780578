/**
 * The engine's dispatch on OAuth messages (src/core/rules/needs.ts) does not call a rule when the
 * message carries none of what the rule declared in `meta.needs`. It must never skip one the rule
 * would have reported on (or remembered something of): every rule table, every HAR of examples/ and
 * test/fixtures, and random OAuth flows built to trip the token, nonce and assertion rules give the
 * same findings, in the same order, with the dispatch and with every rule run on every message.
 */
import { describe, expect, it } from 'vitest';
import { Engine } from '../src/core/engine';
import type { OAuthMessage } from '../src/core/classify/message';
import type { Header, Observation } from '../src/core/observe/observation';
import { HEADER_BITS } from '../src/core/observe/raw';
import type { Finding } from '../src/core/report/finding';
import { allRules } from '../src/core/rules/index';
import { NeedsDispatch } from '../src/core/rules/needs';
import type { Rule } from '../src/core/rules/types';
import { itMatchesOnTablesAndHars, seededRandom } from './support/equivalence';

(globalThis as { __collectRuleCasesOnly?: boolean }).__collectRuleCasesOnly = true;
for (const [path, load] of Object.entries(import.meta.glob('../src/core/rules/*/*.test.ts'))) if (!path.endsWith('group-a.test.ts')) await load();
(globalThis as { __collectRuleCasesOnly?: boolean }).__collectRuleCasesOnly = false;


const shape = (fs: readonly Finding[]) => fs.map((f) => ({ ruleId: f.ruleId, severity: f.severity, flowId: f.flowId, message: f.message, variant: f.variant, evidence: f.evidence, fingerprint: f.fingerprint }));

function findings(observations: readonly Observation[], needs: boolean, rules?: Rule[]): { findings: ReturnType<typeof shape>; errors: string[] } {
  const e = new Engine({ needs, rules });
  for (const o of observations) e.push(o);
  e.finish();
  return { findings: shape(e.findings), errors: e.errors.map((x) => `${x.ruleId}: ${x.message}`) };
}

// ------------------------------------------------------------------ random OAuth flows

const b64url = (s: string) => Buffer.from(s).toString('base64url');
const jwt = (header: object, payload: object, sig = 'c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU') => `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}.${sig}`;

/** a random sequence of OAuth flows (front channel, token requests, PAR, assertions, bearer calls) */
function randomFlows(seed: number): Observation[] {
  const r = seededRandom(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)];
  const maybe = (p: number) => r() < p;
  const word = (n: number) => Array.from({ length: n }, () => pick([...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-'])).join('');
  const T0 = Date.UTC(2026, 0, 15, 10, 0, 0);
  let n = 0;
  const mk = (url: string, o: Partial<Observation> = {}): Observation => ({
    id: `n${seed}-${++n}`,
    ref: { input: 0, entry: n },
    context: pick(['tab:1', 'tab:1', 'tab:2']),
    time: T0 + n * 900,
    url,
    method: 'GET',
    type: 'main_frame',
    requestHeaders: [],
    responseHeaders: [],
    status: 200,
    ...o,
  });
  const seq: Observation[] = [];
  const ases = ['https://as.example', 'https://login.other.example'];
  const clients = ['app-1', 'app-2'];
  const nonces = [word(12), word(12)];
  for (let flow = 0; flow < 4; flow++) {
    const as = pick(ases);
    const clientId = pick(clients);
    const cb = pick(['https://app.example/cb', 'https://app.example/cb2']);
    // a session id a pre-authorization hop may hand to the state (session fixation)
    const sid = word(pick([8, 24]));
    const state = maybe(0.85) ? (maybe(0.2) ? `${sid}.${word(12)}` : word(pick([6, 32]))) : undefined;
    const nonce = maybe(0.7) ? pick(nonces) : undefined;
    const code = word(30);
    const idToken = () =>
      jwt(
        maybe(0.15) ? { alg: 'none' } : maybe(0.15) ? { alg: 'RS256', jku: 'https://evil.example/k', kid: '../x' } : { alg: pick(['RS256', 'HS256', 'ES256']) },
        {
          iss: maybe(0.8) ? as : pick(ases),
          aud: maybe(0.8) ? clientId : pick([['app-1', 'app-2'], 'app-9']),
          ...(maybe(0.3) ? { azp: pick(clients) } : {}),
          ...(maybe(0.8) ? { nonce: maybe(0.8) ? (nonce ?? word(8)) : word(8) } : {}),
          ...(maybe(0.4) ? { at_hash: word(22), c_hash: word(22) } : {}),
          iat: 1768471200,
          exp: 1768471200 + pick([300, 3600, 86400 * 30]),
          sub: 'u',
        },
        maybe(0.1) ? '' : undefined,
      );
    const accessToken = () => (maybe(0.5) ? jwt({ alg: pick(['RS256', 'none']), typ: pick(['at+jwt', 'JWT']) }, { iss: as, aud: pick(['https://api.example', clientId]), iat: 1768471200, exp: 1768471200 + pick([600, 86400 * 7]), sub: 'u', ...(maybe(0.2) ? { nonce: word(6) } : {}) }) : word(40));
    const responseType = pick(['code', 'code', 'id_token', 'code id_token', 'id_token token', 'token']);
    const par = maybe(0.15);
    const q = new URLSearchParams({ client_id: clientId, response_type: responseType, redirect_uri: cb, scope: 'openid', ...(state ? { state } : {}), ...(nonce ? { nonce } : {}) });
    if (maybe(0.1)) q.set('request', jwt({ alg: pick(['none', 'RS256']) }, { iss: clientId, aud: as }));
    const authz = par ? `${as}/authorize?client_id=${clientId}&request_uri=urn:ietf:params:oauth:request_uri:${word(10)}` : `${as}/authorize?${q}`;
    if (par) {
      seq.push(mk(`${as}/par`, { method: 'POST', type: 'xhr', status: 201, requestBody: { form: [...q].map(([k, v]) => [k, v] as [string, string]) }, responseBody: JSON.stringify({ request_uri: 'urn:x', expires_in: 60 }), responseHeaders: [{ name: 'Content-Type', value: 'application/json' }] }));
    }
    const resp = new URLSearchParams({ ...(responseType.includes('code') ? { code } : {}), ...(state && maybe(0.9) ? { state: maybe(0.9) ? state : word(8) } : {}), ...(maybe(0.5) ? { iss: maybe(0.8) ? as : pick(ases) } : {}) });
    if (responseType.includes('id_token')) resp.set('id_token', idToken());
    if (responseType.includes('token') && !responseType.includes('id_token token') ? responseType === 'token' : responseType.includes('token')) resp.set('access_token', accessToken());
    if (resp.has('access_token') && maybe(0.5)) resp.set('expires_in', String(pick([300, 86400 * 10])));
    const fragment = responseType !== 'code' && maybe(0.8);
    const cbUrl = fragment ? `${cb}#${resp}` : `${cb}?${resp}`;
    const client = new URL(cb).origin;
    if (maybe(0.4)) {
      // a pre-authorization hop of the client (a GET, sometimes a POST) that redirects to the request
      const name = pick(['session_id', 'sid', 'next', 'link_token']);
      const setCookie = maybe(0.5) ? [{ name: 'Set-Cookie', value: `${pick(['sid', 'state', 'pref'])}=${pick([sid, word(20)])}; Path=/` }] : [];
      seq.push(mk(`${client}/connect?${name}=${sid}`, { method: maybe(0.8) ? 'GET' : 'POST', status: 302, location: authz, requestHeaders: maybe(0.4) ? [{ name: 'Cookie', value: `sid=${sid}` }] : [], responseHeaders: setCookie }));
    }
    if (maybe(0.3)) {
      // the login at the AS: a credential POST answered with a redirect to the callback (307/308 forward the body)
      const login = maybe(0.5) ? { form: [['username', 'u'], ['password', word(12)]] as [string, string][] } : { text: JSON.stringify({ user: 'u', otp: word(6) }) };
      seq.push(mk(`${as}/login`, { method: 'POST', status: pick([302, 303, 307, 308]), requestBody: login, location: pick([cbUrl, `${client}/after-login`]), requestHeaders: maybe(0.7) ? [{ name: 'Referer', value: authz }] : [] }));
    }
    seq.push(mk(authz, { status: 302, location: cbUrl }));
    const callback = mk(cbUrl, { requestHeaders: maybe(0.5) ? [{ name: 'Cookie', value: `sid=${word(10)}` }] : [], responseHeaders: maybe(0.2) ? [{ name: 'Referrer-Policy', value: 'unsafe-url' }] : [] });
    seq.push(callback);
    // without a random draw (the sequence stays as it was): the same callback answered again with a
    // redirect off the client's site (open-redirect-token-exfil), and, 6 s later, a request of the
    // callback document whose Referer still has the code (credential-in-history)
    if (flow === 1) seq.push({ ...callback, id: `${callback.id}-again`, time: callback.time + 100, status: 302, location: fragment ? 'https://evil.example/land' : `https://evil.example/land?c=${code}` });
    if (flow === 2 && !fragment) {
      n += 7;
      seq.push({ ...callback, id: `${callback.id}-later`, time: T0 + n * 900, url: `${client}/api/me`, type: 'xhr', status: 200, requestHeaders: [{ name: 'Referer', value: cbUrl }], responseHeaders: [] });
    }
    // the callback page's subresources and the next page: a third-party script, a Referer carrying the callback URL
    if (maybe(0.4)) seq.push(mk(pick(['https://cdn.other.example/a.js', `${client}/app.js`]), { type: 'script', initiator: client }));
    if (maybe(0.3)) seq.push(mk(pick(['https://tracker.example/p.gif', `${client}/img.png`, `${as}/x.png`]), { type: 'image', requestHeaders: [{ name: 'Referer', value: cbUrl }] }));
    if (maybe(0.3)) seq.push(mk(`${client}/home`, { requestHeaders: maybe(0.5) ? [{ name: 'Referer', value: cbUrl }] : [] }));
    if (responseType.includes('code')) {
      const form: [string, string][] = [['grant_type', 'authorization_code'], ['code', maybe(0.9) ? code : word(30)], ['redirect_uri', cb], ['client_id', clientId]];
      if (maybe(0.4)) form.push(['code_verifier', word(pick([20, 50]))]);
      if (maybe(0.3)) {
        form.push(['client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer']);
        form.push(['client_assertion', jwt({ alg: pick(['RS256', 'none']), ...(maybe(0.5) ? { typ: 'JWT' } : {}), 'x5t#S256': 'cXzIu58rVAG03SeH0gCmlbTuhVEfDWtgxRfd1cPORvg' }, { iss: clientId, sub: clientId, aud: pick([as, `${as}/token`, 'https://elsewhere.example', [as, 'x']]), jti: pick(['j1', word(8)]), exp: 1768471200 + pick([60, 86400]) })]);
      }
      const tokens = { access_token: accessToken(), token_type: 'Bearer', expires_in: pick([300, 86400 * 3]), ...(maybe(0.8) ? { id_token: idToken() } : {}), ...(maybe(0.5) ? { refresh_token: word(30) } : {}) };
      const headers: Header[] = maybe(0.2) ? [{ name: 'Authorization', value: `Basic ${Buffer.from(`${clientId}:s3cret`).toString('base64')}` }] : [];
      // the token request, sometimes with the secret in its URL, a Referer from the callback, or a JSON body
      const tokenUrl = maybe(0.1) ? `${as}/token?client_secret=${word(16)}` : `${as}/token`;
      if (maybe(0.3)) headers.push({ name: 'Referer', value: cbUrl });
      const body = maybe(0.1) ? { text: JSON.stringify(Object.fromEntries(form)) } : { form };
      seq.push(mk(tokenUrl, { method: 'POST', type: 'xhr', status: pick([200, 200, 400]), requestHeaders: headers, requestBody: body, responseBody: JSON.stringify(tokens), responseHeaders: [{ name: 'Content-Type', value: 'application/json' }] }));
      if (maybe(0.1)) seq.push(mk(`${as}/token`, { method: 'POST', type: 'xhr', requestBody: maybe(0.5) ? { form: [['grant_type', 'password'], ['username', 'u'], ['password', word(10)], ['client_id', clientId]] } : { text: JSON.stringify({ grant_type: 'password', username: 'u', client_id: clientId }) }, responseBody: JSON.stringify({ access_token: accessToken() }) }));
      if (maybe(0.3)) seq.push(mk(`${as}/token`, { method: 'POST', type: 'xhr', requestBody: { form: [['grant_type', 'urn:ietf:params:oauth:grant-type:jwt-bearer'], ['assertion', jwt({ alg: 'RS256' }, { iss: clientId, aud: pick([as, 'https://x.example']) })]] }, responseBody: JSON.stringify({ access_token: accessToken() }) }));
      if (maybe(0.4)) seq.push(mk(pick(['https://api.example/items', `${as}/userinfo`]), { type: 'xhr', requestHeaders: [{ name: 'Authorization', value: `${pick(['Bearer', 'DPoP'])} ${pick([tokens.access_token, tokens.id_token ?? word(10)])}` }] }));
    }
  }
  return seq;
}

describe('the OAuth-message dispatch skips no finding', () => {
  it('every declaration names what the engine can tell, and every kind list fits its facts', () => {
    const headerNames = Object.keys(HEADER_BITS);
    let declared = 0;
    for (const r of allRules) {
      const n = r.meta.needs;
      if (!n) continue;
      declared += 1;
      const names = [...(n.params ?? []), ...(n.json ?? []), ...(n.urlParams ?? []), ...(n.formParams ?? []), ...(n.refererParams ?? [])];
      const items =
        [...names, ...(n.requestHeaders ?? []), ...(n.statuses ?? []), ...(n.methods ?? []), ...(n.location ?? []), ...(n.bodyText ?? []), ...(n.kinds ?? []), ...(n.types ?? []), ...(n.contextMemo ?? [])].length +
        (n.jwt ? 1 : 0) +
        (n.paramsUnknown ? 1 : 0);
      expect(items, `${r.meta.id}: an empty declaration would skip the rule on every OAuth message`).toBeGreaterThan(0);
      for (const p of names) expect(p, r.meta.id).toMatch(/^[A-Za-z0-9_]+$/);
      for (const m of n.methods ?? []) expect(m, r.meta.id).toBe(m.toUpperCase());
      for (const s of [...(n.location ?? []), ...(n.bodyText ?? [])]) expect(s.length, r.meta.id).toBeGreaterThan(0);
      for (const h of n.requestHeaders ?? []) expect(headerNames, r.meta.id).toContain(h);
    }
    expect(declared).toBeGreaterThanOrEqual(10);
    // per message kind, the list the engine runs: every declaring rule got a mask (none fell back to always)
    const kinds = new Set(allRules.flatMap((r) => (r.meta.on === 'any' ? [] : r.meta.on)));
    const any = allRules.filter((r) => r.meta.on === 'any');
    for (const k of [...kinds, undefined]) {
      const list = k === undefined ? any : [...allRules.filter((r) => r.meta.on !== 'any' && r.meta.on.includes(k)), ...any];
      const d = NeedsDispatch.of(list);
      list.forEach((r, i) => {
        if (r.meta.needs) expect(d?.masks[i], `${k ?? 'any'}: ${r.meta.id}`).not.toBe(0);
      });
    }
  });

  itMatchesOnTablesAndHars(findings);

  it('random OAuth flows that trip the declaring rules give the same findings with and without it', () => {
    const fired = new Set<string>();
    for (let seed = 1; seed <= 200; seed++) {
      const seq = randomFlows(seed);
      const without = findings(seq, false);
      expect(findings(seq, true), `seed ${seed}`).toEqual(without);
      for (const f of without.findings) fired.add(f.ruleId);
    }
    // the generator reaches most of the declaring rules (else the comparison proves little)
    const declaring = allRules.filter((r) => r.meta.needs).map((r) => r.meta.id);
    const reached = declaring.filter((id) => fired.has(id));
    expect(reached.length, `declaring rules that fired: ${reached.join(', ')}`).toBeGreaterThanOrEqual(Math.ceil(declaring.length * 0.7));
  });

  it('context memo, kind and Referer items: a rule runs where it remembers the context, on its kinds, on a Referer from elsewhere', () => {
    const refererLeak = allRules.find((r) => r.meta.id === 'referer-leak')!;
    const d = NeedsDispatch.of([refererLeak])!;
    const msgs: OAuthMessage[] = [];
    const e = new Engine({ onMessage: (m) => msgs.push(m) });
    const cb = 'https://app.example/cb';
    const areq = `https://as.example/authorize?response_type=code&client_id=app-1&redirect_uri=${encodeURIComponent(cb)}&state=abcdefghijklmnopqrstuvwxyz`;
    const base = { ref: {}, context: 'tab:1', method: 'GET', type: 'main_frame' as const, status: 200, responseHeaders: [] as Header[] };
    const seq: Observation[] = [
      { ...base, id: 'm1', time: Date.UTC(2026, 0, 1), url: areq, requestHeaders: [] },
      { ...base, id: 'm2', time: Date.UTC(2026, 0, 1, 0, 0, 1), url: `${cb}?code=abcdefghijklmnop&state=abcdefghijklmnopqrstuvwxyz`, requestHeaders: [] },
      { ...base, id: 'm3', time: Date.UTC(2026, 0, 1, 0, 0, 2), url: areq, requestHeaders: [{ name: 'Referer', value: `https://as.example/login?state=abcdefghijklmnopqrstuvwxyz` }] },
      { ...base, id: 'm4', time: Date.UTC(2026, 0, 1, 0, 0, 3), url: areq, requestHeaders: [{ name: 'Referer', value: `${cb}?code=abcdefghijklmnop` }] },
    ];
    for (const o of seq) e.push(o);
    const [request, callback, sameOrigin, crossOrigin] = msgs;
    const none = () => undefined;
    const some = () => ({});
    expect([request.kind, callback.kind]).toEqual(['authorization-request', 'authorization-response']);
    // a navigation: only when the rule remembers the context (or, not told, on the declared types)
    expect(d.facts(request, 0, none)).toBe(0);
    expect(d.facts(request, 0, some)).toBe(d.masks[0]);
    expect(d.facts(request, 0)).toBe(d.masks[0]);
    // the callback: its kind
    expect(d.facts(callback, 0, none)).toBe(d.masks[0]);
    // a Referer with a secret: from another origin only
    expect(d.facts(sameOrigin, HEADER_BITS.referer, none)).toBe(0);
    expect(d.facts(crossOrigin, HEADER_BITS.referer, none)).toBe(d.masks[0]);
  });

  it('a rule that declares too little is caught by the comparison', () => {
    // jwt-alg-none declaring a parameter it does not read: the dispatch skips its finding
    const wrong = allRules.map((r) => (r.meta.id === 'jwt-alg-none' ? { ...r, meta: { ...r.meta, needs: { params: ['not_read'] } } } : r));
    const cb = 'https://app.example/cb';
    const seq = [
      { id: 'w1', ref: {}, context: 'tab:1', time: Date.UTC(2026, 0, 1), url: `https://as.example/authorize?response_type=id_token&client_id=app-1&redirect_uri=${encodeURIComponent(cb)}&state=abcdefghijklmnopqrstuvwxyz&nonce=n0nce`, method: 'GET', type: 'main_frame', requestHeaders: [], responseHeaders: [], status: 302, location: `${cb}#id_token=${jwt({ alg: 'none' }, { aud: 'app-1', nonce: 'n0nce' }, '')}&state=abcdefghijklmnopqrstuvwxyz` },
    ] satisfies Observation[];
    expect(findings(seq, false, wrong).findings.map((f) => f.ruleId)).toContain('jwt-alg-none');
    expect(findings(seq, true, wrong).findings.map((f) => f.ruleId)).not.toContain('jwt-alg-none');
  });
});
