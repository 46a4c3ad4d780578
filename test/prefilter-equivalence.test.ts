/**
 * The engine's prefilter (src/core/rules/prefilter.ts) skips an 'any' rule on a non-OAuth message
 * when the message shows nothing the rule declared in `meta.prefilter`. It must never skip one the
 * rule would have reported on (or remembered something of): every rule table, every HAR of
 * examples/ and test/fixtures, and random observations built to trip the 'any' rules give the same
 * findings, in the same order, with the prefilter and with every 'any' rule run on every message.
 */
import { describe, expect, it } from 'vitest';
import { Engine } from '../src/core/engine';
import type { Header, Observation, ResourceType } from '../src/core/observe/observation';
import type { Finding } from '../src/core/report/finding';
import { allRules } from '../src/core/rules/index';
import type { Rule } from '../src/core/rules/types';
import { itMatchesOnTablesAndHars, seededRandom } from './support/equivalence';

(globalThis as { __collectRuleCasesOnly?: boolean }).__collectRuleCasesOnly = true;
for (const [path, load] of Object.entries(import.meta.glob('../src/core/rules/*/*.test.ts'))) if (!path.endsWith('group-a.test.ts')) await load();
(globalThis as { __collectRuleCasesOnly?: boolean }).__collectRuleCasesOnly = false;


const shape = (fs: readonly Finding[]) => fs.map((f) => ({ ruleId: f.ruleId, severity: f.severity, flowId: f.flowId, message: f.message, variant: f.variant, evidence: f.evidence }));

function findings(observations: readonly Observation[], prefilter: boolean, rules?: Rule[]): ReturnType<typeof shape> {
  const e = new Engine({ prefilter, rules });
  for (const o of observations) e.push(o);
  e.finish();
  return shape(e.findings);
}

// ------------------------------------------------------------------ random observations

const b64url = (s: string) => Buffer.from(s).toString('base64url');
const jwt = (header: object, payload: object, sig = 'c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU') => `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}.${sig}`;

const ANY_NAMES = [...new Set(allRules.flatMap((r) => [...(r.meta.prefilter?.urlParams ?? []), ...(r.meta.prefilter?.refererParams ?? []), ...(r.meta.prefilter?.bodyFields ?? [])]))];
const PLAIN_NAMES = ['v', 'page', 'sid', 'cid', 'q', 'ref', 'lang', 'token', 'tokens', 'session', 'x_access_token', 'access_token_x', 'codes'];
const TYPES: ResourceType[] = ['main_frame', 'sub_frame', 'script', 'xhr', 'fetch', 'image', 'stylesheet', 'other'];

/** a random observation sequence: one OAuth flow first (so Referer and memo rules have something to find), then noise */
function randomSequence(seed: number): Observation[] {
  const r = seededRandom(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)];
  const word = (n: number) => Array.from({ length: n }, () => pick([...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-'])).join('');
  const state = word(32);
  const code = word(40);
  const T0 = Date.UTC(2026, 0, 15, 10, 0, 0);
  let n = 0;
  const mk = (url: string, o: Partial<Observation> = {}): Observation => ({
    id: `r${seed}-${++n}`,
    ref: { input: 0, entry: n },
    context: 'tab:1',
    time: T0 + n * 700,
    url,
    method: 'GET',
    type: 'main_frame',
    requestHeaders: [],
    responseHeaders: [],
    status: 200,
    ...o,
  });
  const cb = 'https://app.example/cb';
  const authz = `https://as.example/authorize?response_type=code&client_id=app-1&redirect_uri=${encodeURIComponent(cb)}&state=${state}`;
  const seq: Observation[] = [mk(authz, { status: 302, location: `${cb}?code=${code}&state=${state}` }), mk(`${cb}?code=${code}&state=${state}`)];
  const tokens = [
    jwt({ alg: 'none' }, { sub: 'u', aud: 'app-1' }, ''),
    jwt({ alg: 'RS256', typ: 'JWT' }, { iss: 'https://as.example', aud: 'app-1', nonce: word(8), sub: 'u' }),
    jwt({ alg: 'RS256', typ: 'at+jwt' }, { iss: 'https://as.example', aud: 'https://api.other.example', sub: 'u' }),
  ];
  const value = () => pick(['', word(24), code, state, 'password', pick(tokens)]);
  const name = () => {
    const x = r();
    if (x < 0.45) {
      const nm = pick(ANY_NAMES);
      const y = r();
      // percent-encoded variants a server (and the URL parser) decode
      if (y < 0.15) return nm.replace('_', '%5F');
      if (y < 0.25) return `%${nm.charCodeAt(0).toString(16)}${nm.slice(1)}`;
      if (y < 0.3) return `x${nm}`;
      return nm;
    }
    return pick(PLAIN_NAMES);
  };
  const params = (k: number) => Array.from({ length: k }, () => `${name()}=${encodeURIComponent(value())}`).join('&');
  for (let i = 0; i < 60; i++) {
    const host = pick(['https://app.example', 'https://as.example', 'https://cdn.other.example', 'https://api.other.example']);
    let url = `${host}/${pick(['static/a.js', 'api/items', 'cb', 'page', 'img.png'])}`;
    if (r() < 0.6) url += `?${params(1 + Math.floor(r() * 3))}`;
    if (r() < 0.3) url += `#${r() < 0.3 ? '/route?' : ''}${params(1 + Math.floor(r() * 2))}`;
    const headers: Header[] = [];
    if (r() < 0.25) headers.push({ name: pick(['Authorization', 'authorization']), value: `${pick(['Bearer', 'DPoP', 'Basic'])} ${pick(tokens)}` });
    if (r() < 0.4) headers.push({ name: 'Referer', value: r() < 0.5 ? `${cb}?code=${code}&state=${state}` : `https://app.example/page?${params(2)}` });
    if (r() < 0.2) headers.push({ name: 'Cookie', value: `sid=${word(20)}` });
    const type = pick(TYPES);
    const status = pick([200, 200, 200, 302, 307, 308, 401]);
    const redirecting = status >= 300 && status < 400;
    const location = redirecting ? (r() < 0.5 ? `https://as.example/authorize?client_id=app-1&response_type=code&state=sess_${word(20)}&redirect_uri=${encodeURIComponent(cb)}` : `${host}/next#${params(1)}`) : undefined;
    const post = r() < 0.25;
    const body = post
      ? r() < 0.5
        ? { form: [[pick([...ANY_NAMES, 'username', 'password']), value()] as [string, string], ['password', word(10)] as [string, string]] }
        : { text: JSON.stringify({ [pick([...ANY_NAMES, 'q'])]: value() }), mimeType: 'application/json' }
      : undefined;
    seq.push(mk(url, { type, status, location, requestHeaders: headers, method: post ? 'POST' : 'GET', requestBody: body, initiator: r() < 0.5 ? host : undefined }));
  }
  return seq;
}

describe('the prefilter skips no finding', () => {
  itMatchesOnTablesAndHars(findings);

  it('random observations that trip the any rules give the same findings with and without it', () => {
    const fired = new Set<string>();
    for (let seed = 1; seed <= 150; seed++) {
      const seq = randomSequence(seed);
      const without = findings(seq, false);
      expect(findings(seq, true), `seed ${seed}`).toEqual(without);
      for (const f of without) fired.add(f.ruleId);
    }
    // the generator reaches most of the 'any' rules (else the comparison proves little)
    const anyIds = allRules.filter((r) => r.meta.on === 'any').map((r) => r.meta.id);
    expect(anyIds.filter((id) => fired.has(id)).length, `any rules that fired: ${[...fired].filter((id) => anyIds.includes(id)).join(', ')}`).toBeGreaterThanOrEqual(9);
  });

  it('a rule that declares too little is caught by the comparison', () => {
    // token-in-fragment declaring a parameter it does not read: the prefilter skips its findings
    const wrong = allRules.map((r) => (r.meta.id === 'token-in-fragment' ? { ...r, meta: { ...r.meta, prefilter: { urlParams: ['not_read'] } } } : r));
    const seq = [{ id: 'w1', ref: {}, context: 'tab:1', time: Date.UTC(2026, 0, 1), url: 'https://app.example/#access_token=abcdefghijklmnop', method: 'GET', type: 'script', requestHeaders: [], responseHeaders: [] } satisfies Observation];
    expect(findings(seq, false, wrong).map((f) => f.ruleId)).toContain('token-in-fragment');
    expect(findings(seq, true, wrong).map((f) => f.ruleId)).not.toContain('token-in-fragment');
  });
});
