/**
 * The one pass over a URL shared by the classifier and the rules' prefilter (src/core/observe/url-scan.ts)
 * must answer exactly what the scans it replaced answered: the classifier's OAuth-parameter
 * expression (OAUTH_PARAM) and the prefilter's own walk over the URL's names. Random URLs built
 * from the characters and names that matter (separators, `=`, `%`, digits, OAuth-ish names in
 * any case, `sess`/`connect`/`link_token` shapes, more names than the pass keeps), and every
 * observation of the example and fixture HARs, classified with the pass and with the expression.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { classify, NO_HINTS, NOT_PLAIN, OAUTH_PARAM, otherMessage, PLAIN_MERGED, plainOtherKind, useReferenceScan, type ClassifyHints } from '../src/core/classify/classify';
import type { OAuthMessage } from '../src/core/classify/message';
import { feedHarEntries } from '../src/core/observe/har-feed';
import type { Observation } from '../src/core/observe/observation';
import { MAX_SPANS, newUrlScan, scanNames, scanOf, scanUrl } from '../src/core/observe/url-scan';
import { allRules } from '../src/core/rules/index';
import { RulePrefilter } from '../src/core/rules/prefilter';
import { defineRule } from '../src/core/rules/types';
import { fixtureHars, seededRandom } from './support/equivalence';


const OAUTH = ['client_id', 'code', 'access_token', 'id_token', 'id_token_hint', 'post_logout_redirect_uri', 'error', 'response', 'state', 'iss', 'grant_type', 'request_uri', 'refresh_token', 'client_secret', 'code_verifier', 'assertion', 'client_assertion', 'sid', 'ticket', 'handoff', 'binding', 'link_token', 'linktoken'];
const SHAPES = ['sess', 'xsess', 'sessx', 'a_sess_b', 'session_id', 'connect', 'connection_id', 'connect_token', 'conn', 'link__token', 'link_tok', 'sesss', 'ses', 'ssess'];
const ANY_NAMES = [...new Set(allRules.flatMap((r) => [...(r.meta.prefilter?.urlParams ?? []), ...(r.meta.prefilter?.refererParams ?? [])]))];
const BITS = ['?', '&', '#', '=', '==', '%', '%5F', '%41', '_', 'a', 'Z', '0', '9', '-', '.', '/', '+', ';', ' ', 'é', 'ſ', 'K'];

const randomCase = (r: () => number, s: string) => [...s].map((c) => (r() < 0.3 ? c.toUpperCase() : c)).join('');

function randomUrl(r: () => number): string {
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)];
  let s = pick(['https://x.example/p', 'https://x.example/a&code=1/b', 'http://h/', '', '?', '/path?x=1']);
  const n = Math.floor(r() * (r() < 0.05 ? 90 : 14));
  for (let i = 0; i < n; i++) {
    const k = r();
    if (k < 0.25) s += pick(['?', '&', '#']) + randomCase(r, pick(OAUTH)) + (r() < 0.8 ? '=' : '') + (r() < 0.7 ? 'v' : '');
    else if (k < 0.4) s += pick(['?', '&', '#', '']) + randomCase(r, pick(SHAPES)) + pick(['=', '=x', '', '&']);
    else if (k < 0.55) s += pick(['?', '&', '#']) + pick(ANY_NAMES) + pick(['=', '=v', '=&', '=#', '']);
    else if (k < 0.65) s += '&' + pick(ANY_NAMES).replace(/_/g, '%5F') + '=v';
    else if (k < 0.7) s += pick(['?client_id=c&response_type=code&redirect_uri=https%3A%2F%2Fc.example%2Fcb', '&id_token_hint=x', '#access_token=t&state=s', '&sid=1&iss=https%3A%2F%2Fi', '&post_logout_redirect_uri=x']);
    else s += pick(BITS);
  }
  return s;
}

describe('the shared URL pass', () => {
  it('finds an OAuth-ish parameter name exactly where the classifier expression does', () => {
    const r = seededRandom(10);
    let yes = 0;
    for (let i = 0; i < 40_000; i++) {
      const u = randomUrl(r);
      const want = OAUTH_PARAM.test(u);
      if (want) yes += 1;
      expect(scanUrl(u).oauthName, u).toBe(want);
    }
    // both answers are exercised, many times
    expect(yes).toBeGreaterThan(5_000);
    expect(yes).toBeLessThan(35_000);
  });

  it('gives the prefilter the same URL parameter bits as its own scan', () => {
    // the rules' own declarations, and one rule per declared name so that every name has a bit
    const names = [...ANY_NAMES, 'access_token', 'code', 'sid'];
    const perName = names.slice(0, 30).map((n) =>
      defineRule({ meta: { id: n, title: n, severity: 'low', confidence: 'strong', references: [], description: n, tier: 2, on: 'any', vantage: ['HAR'], prefilter: { urlParams: [n] } }, check: () => {} }),
    );
    const filters = [new RulePrefilter(allRules.filter((x) => x.meta.on === 'any')), new RulePrefilter(perName)];
    const r = seededRandom(11);
    let some = 0;
    for (let i = 0; i < 20_000; i++) {
      const u = randomUrl(r);
      for (const f of filters) {
        const own = f.urlBits(u, false);
        if (own !== 0) some += 1;
        expect(f.urlBits(u), u).toBe(own);
      }
    }
    expect(some).toBeGreaterThan(2_000);
  });

  it('answers by observation as by URL, whatever was asked in between (the record is shared)', () => {
    const r = seededRandom(13);
    const fresh = (u: string) => {
      const x = scanNames(u, newUrlScan());
      return [x.oauthName, x.overflow, [...x.spans.slice(0, x.count * 3)]];
    };
    const seen = (x: ReturnType<typeof scanUrl>) => [x.oauthName, x.overflow, [...x.spans.slice(0, x.count * 3)]];
    const o = { url: '' };
    for (let i = 0; i < 5_000; i++) {
      const k = r();
      // the same observation asked again, its URL changed, another URL asked in between
      if (k < 0.3) o.url = randomUrl(r);
      else if (k < 0.5) expect(seen(scanUrl(randomUrl(r).slice(1)))).toBeDefined();
      expect(seen(scanOf(o)), o.url).toEqual(fresh(o.url));
      expect(seen(scanUrl(o.url)), o.url).toEqual(fresh(o.url));
    }
  });

  it('falls back to a scan of its own when a URL has more names than it keeps', () => {
    const many = 'https://x.example/?' + Array.from({ length: MAX_SPANS + 5 }, (_, i) => `p${i}=1`).join('&') + '&access_token=x';
    const s = scanNames(many, newUrlScan());
    expect(s.overflow).toBe(true);
    expect(s.count).toBe(MAX_SPANS);
    expect(s.oauthName).toBe(true);
    const f = new RulePrefilter(allRules.filter((x) => x.meta.on === 'any'));
    expect(f.urlBits(many)).toBe(f.urlBits(many, false));
    expect(f.urlBits(many)).not.toBe(0);
  });
});

// ------------------------------------------------------------------ classify, with and without the pass

const harFiles = fixtureHars;

const view = (m: OAuthMessage) => ({
  kind: m.kind,
  url: m.url?.href,
  query: m.query.entries,
  fragment: m.fragment.entries,
  form: m.form.entries,
  params: m.params.entries,
  sources: [...m.sources],
  paramsKnown: m.paramsKnown,
  responseMode: m.responseMode,
  endpoint: m.endpoint,
  json: m.json,
});

/** hints of a store that saw a 401 naming some metadata URLs (the MCP classifier then answers for them) */
const NAMED: ClassifyHints = { ...NO_HINTS, namedResourceMetadata: (url) => url.includes('/cb') || url.includes('jwks'), registrationEndpoints: () => new Set(['https://h.example/oauth/token']) };

function both(o: Observation, hints: ClassifyHints = NO_HINTS): [ReturnType<typeof view>, ReturnType<typeof view>] {
  useReferenceScan(true);
  const want = view(classify(o, hints));
  useReferenceScan(false);
  const got = view(classify(o, hints));
  // what the engine asks first: 'other' without building it, exactly when classify says so
  const plain = plainOtherKind(o, hints);
  if (plain !== NOT_PLAIN) expect(view(otherMessage(o, plain === PLAIN_MERGED)), o.url).toEqual(want);
  return [got, want];
}

describe('classify with the shared pass', () => {
  afterEach(() => useReferenceScan(false));

  it('classifies every example and fixture HAR observation as with the expression', () => {
    expect(harFiles.length).toBeGreaterThan(20);
    let n = 0;
    for (const f of harFiles) {
      const har = JSON.parse(readFileSync(f, 'utf8')) as { log?: { entries?: unknown[] } };
      feedHarEntries((har.log?.entries ?? []) as never, (o) => {
        n += 1;
        for (const hints of [NO_HINTS, NAMED]) {
          const [got, want] = both(o, hints);
          expect(got, `${f} ${o.url}`).toEqual(want);
        }
      });
    }
    expect(n).toBeGreaterThan(300);
  });

  it('classifies random observations as with the expression', () => {
    const r = seededRandom(12);
    const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)];
    const kinds = new Set<string>();
    for (let i = 0; i < 6_000; i++) {
      const url = 'https://h.example/' + pick(['', 'logout', 'oauth/token', 'cb', '.well-known/openid-configuration', '.well-known/oauth-protected-resource', 'jwks', 'certs']) + randomUrl(r).replace(/^[^?&#]*/, '');
      const o: Observation = {
        id: `o${i}`,
        ref: {},
        context: 'tab:1',
        time: 1_700_000_000_000 + i,
        url,
        method: pick(['GET', 'GET', 'POST']),
        type: pick(['main_frame', 'sub_frame', 'xhr', 'script', 'image']),
        requestHeaders: [],
        responseHeaders: [],
        status: pick([200, 302, 401, undefined]),
        ...(r() < 0.3 ? { responseBody: pick(['{"keys":[]}', '{}', 'x']) } : {}),
        ...(r() < 0.1 ? { responseHeaders: [{ name: 'WWW-Authenticate', value: 'Bearer resource_metadata="https://h.example/.well-known/oauth-protected-resource"' }] } : {}),
        ...(r() < 0.2 ? { location: 'https://c.example/cb?code=x&state=y' } : {}),
        ...(r() < 0.1 ? { requestBody: { form: [['grant_type', 'authorization_code'], ['code', 'c']] as [string, string][] } } : {}),
        ...(r() < 0.1 ? { navigationOnly: true } : {}),
      };
      const [got, want] = both(o, r() < 0.5 ? NO_HINTS : NAMED);
      kinds.add(want.kind);
      expect(got, url).toEqual(want);
    }
    // the random traffic reaches the classifier's main branches
    for (const k of ['other', 'authorization-request', 'authorization-response', 'token-request', 'end-session', 'pre-authorization', 'resource-challenge', 'resource-metadata', 'metadata']) expect(kinds).toContain(k);
  });
});
