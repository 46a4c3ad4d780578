import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classify } from '../classify/classify';
import { Engine } from '../engine';
import { obs, q, rand, resetBuilders } from '../testing/builders';
import { observationFromHarEntry } from './from-har';
import { feedHarEntries, HarFeed, HeaderPool, harWarnings, OrderCheck, slimObservation, timeOrder } from './har-feed';
import type { Observation } from './observation';

const root = join(import.meta.dirname, '../../..');
const harFiles = ['examples', 'test/fixtures/providers', 'test/fixtures/har'].flatMap((d) =>
  readdirSync(join(root, d))
    .filter((f) => f.endsWith('.har'))
    .map((f) => join(root, d, f)),
);
const entriesOf = (file: string) => (JSON.parse(readFileSync(file, 'utf8')) as { log: { entries: unknown[] } }).log.entries;

describe('timeOrder (entries in startedDateTime order, stable)', () => {
  it('an ordered capture needs no reordering', () => {
    expect(timeOrder([1, 2, 2, 5])).toBeUndefined();
    expect(timeOrder([1, undefined, 3, undefined])).toBeUndefined();
    expect(timeOrder([])).toBeUndefined();
  });
  it('sorts by time, file order breaking ties', () => {
    expect(timeOrder([5, 1, 3, 1])).toEqual([1, 3, 2, 0]);
  });
  it('entries without a time keep their file position', () => {
    // slots 1 and 3 are untimed: they stay; the timed entries 0, 2, 4 (times 9, 4, 1) fill 0, 2, 4
    expect(timeOrder([9, undefined, 4, undefined, 1])).toEqual([4, 1, 2, 3, 0]);
  });
  it('OrderCheck flags the first entry earlier than one before it, ignoring untimed ones', () => {
    const c = new OrderCheck();
    const at = (time: number, timeUnknown = false) => ({ ...obs('https://x.example/'), time, timeUnknown });
    expect(c.inOrder(at(10))).toBe(true);
    expect(c.inOrder(at(0, true))).toBe(true);
    expect(c.inOrder(at(10))).toBe(true);
    expect(c.inOrder(at(9))).toBe(false);
  });
  it('names the entries without a parseable time', () => {
    expect(harWarnings({ untimed: [] })).toEqual([]);
    expect(harWarnings({ untimed: [3, 7] })[0]).toMatch(/entries 3, 7 have no parseable startedDateTime/);
  });
});

describe('slimObservation drops only response bodies the core never reads', () => {
  it('classification is the same with and without the dropped bodies, on every fixture entry', () => {
    let dropped = 0;
    let kept = 0;
    for (const file of harFiles) {
      entriesOf(file).forEach((e, i) => {
        const o = observationFromHarEntry(e, { input: 0, entry: i });
        const s = slimObservation(o);
        if (o.responseBody !== undefined) {
          if (s.responseBody === '' && o.responseBody !== '') dropped++;
          else kept++;
        }
        const a = classify(o);
        const b = classify(s);
        expect([b.kind, b.endpoint, b.json, [...b.params.entries]], `${file} entry ${i}`).toEqual([a.kind, a.endpoint, a.json, [...a.params.entries]]);
        // a PAR-shaped form POST answered 201 with a body that is no JSON stays no pushed request
        const par = { ...o, method: 'POST', status: 201, requestBody: { form: [['response_type', 'code'], ['redirect_uri', 'https://app.example/cb']] as [string, string][] } };
        if (o.responseBody !== undefined) expect(classify(slimObservation(par)).kind, `${file} entry ${i}`).toBe(classify(par).kind);
      });
    }
    expect(dropped).toBeGreaterThan(0);
    expect(kept).toBeGreaterThan(0);
  });
  it('keeps metadata, JWKS and token responses; drops an HTML page and a plain API GET', () => {
    const json = JSON.stringify({ issuer: 'https://as.example', keys: [] });
    expect(slimObservation(obs('https://as.example/.well-known/openid-configuration', { responseBody: json })).responseBody).toBe(json);
    expect(slimObservation(obs('https://as.example/jwks.json', { responseBody: json })).responseBody).toBe(json);
    expect(slimObservation(obs('https://as.example/token', { method: 'POST', form: { grant_type: 'x' }, responseBody: json })).responseBody).toBe(json);
    expect(slimObservation(obs('https://app.example/', { responseBody: '<html>' })).responseBody).toBe('');
    expect(slimObservation(obs('https://app.example/api/items', { type: 'fetch', responseBody: json })).responseBody).toBe('');
  });
});

describe('HeaderPool', () => {
  it('shares equal headers between observations, keeps every value, and stays bounded', () => {
    const pool = new HeaderPool(2);
    const mk = (v: string) => [{ name: 'accept', value: '*/*' }, { name: 'x-id', value: v }];
    const a = slimObservation(obs('https://x.example/a', { headers: Object.fromEntries(mk('1').map((h) => [h.name, h.value])) }), pool);
    const b = slimObservation(obs('https://x.example/b', { headers: Object.fromEntries(mk('2').map((h) => [h.name, h.value])) }), pool);
    const c = slimObservation(obs('https://x.example/c', { headers: Object.fromEntries(mk('3').map((h) => [h.name, h.value])) }), pool);
    expect(b.requestHeaders[0]).toBe(a.requestHeaders[0]);
    expect(c.requestHeaders[0]).toBe(a.requestHeaders[0]);
    expect([a, b, c].map((o) => o.requestHeaders.map((h) => h.value))).toEqual([['*/*', '1'], ['*/*', '2'], ['*/*', '3']]);
    // full after two distinct headers: the third distinct one is kept as it is, not pooled
    const d = slimObservation(obs('https://x.example/d', { headers: { 'x-id': '3' } }), pool);
    expect(d.requestHeaders[0]).not.toBe(c.requestHeaders[1]);
    expect(d.requestHeaders[0]).toEqual(c.requestHeaders[1]);
  });
});

// ---------------------------------------------------------------- §0.2: the Location is the ARESP

const AS = 'https://as.example';
const APP = 'https://app.example';
const md = { issuer: AS, authorization_endpoint: `${AS}/authorize`, token_endpoint: `${AS}/token`, authorization_response_iss_parameter_supported: true };
const browser = { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' };

/** A browser login whose AS answers with `iss` in the callback; the callback requested or not. */
function browserLogin(opts: { iss: string; requested: boolean; between?: number }): Observation[] {
  resetBuilders();
  const state = rand('feed-state');
  const code = rand('feed-code');
  const areq = `${AS}/authorize?${q({ response_type: 'code', client_id: 'app', redirect_uri: `${APP}/cb`, state, code_challenge: rand('cc', 43), code_challenge_method: 'S256' })}`;
  const cb = `${APP}/cb?${q({ code, state, iss: opts.iss })}`;
  const out = [
    obs(`${AS}/.well-known/oauth-authorization-server`, { type: 'fetch', responseBody: md, context: 'har:0' }),
    obs(areq, { headers: browser, context: 'har:0' }),
    obs(`${AS}/login`, { method: 'POST', form: { user: 'alice' }, location: cb, headers: browser, context: 'har:0' }),
  ];
  // subresources of the old page, started between the redirect and its follow-up
  for (let i = 0; i < (opts.between ?? 0); i++) out.push(obs(`${AS}/beacon?i=${i}`, { type: 'image', headers: { 'sec-fetch-dest': 'image', 'sec-fetch-site': 'same-origin' }, context: 'har:0' }));
  if (opts.requested) out.push(obs(cb, { headers: browser, referer: `${AS}/`, context: 'har:0' }));
  return out;
}

function viaFeed(list: Observation[]) {
  const engine = new Engine();
  const feed = new HarFeed((o) => engine.push(o));
  for (const o of list) feed.push(o);
  feed.end();
  engine.finish();
  return engine;
}

describe('HarFeed: an authorization response only a redirect Location holds (§0.2)', () => {
  it('an iss mismatch only in the AS\'s Location is found (the callback never requested)', () => {
    const engine = viaFeed(browserLogin({ iss: 'https://attacker.example', requested: false }));
    expect(engine.findings.filter((f) => f.ruleId === 'mixup-iss-mismatch')).toHaveLength(1);
    expect(engine.flows()[0].responses).toHaveLength(1);
  });
  it('the same capture fed without HarFeed has no response to judge (what the feed adds)', () => {
    const engine = new Engine();
    for (const o of browserLogin({ iss: 'https://attacker.example', requested: false })) engine.push(o);
    expect(engine.findings.filter((f) => f.ruleId === 'mixup-iss-mismatch')).toEqual([]);
  });
  it.each([0, 3])('the callback requested (%i subresources in between): the response is judged once', (between) => {
    const engine = viaFeed(browserLogin({ iss: 'https://attacker.example', requested: true, between }));
    expect(engine.findings.filter((f) => f.ruleId === 'mixup-iss-mismatch')).toHaveLength(1);
    expect(engine.findings.filter((f) => f.ruleId === 'code-replay')).toEqual([]);
    expect(engine.flows()[0].responses).toHaveLength(1);
    // and its evidence is the callback request, not the Location
    const f = engine.findings.find((x) => x.ruleId === 'mixup-iss-mismatch')!;
    expect(f.evidence.map((e) => e.entry)).toContain(3 + between);
  });
  it('a clean login where the callback is requested raises nothing more through the feed', () => {
    const list = browserLogin({ iss: AS, requested: true });
    const plain = new Engine();
    for (const o of list) plain.push(o);
    plain.finish();
    expect(viaFeed(list).findings.map((f) => f.ruleId)).toEqual(plain.findings.map((f) => f.ruleId));
  });
  it('command-line client captures: the Location is judged; a secret with no browser evidence is no finding', () => {
    const dir = join(root, 'test/fixtures/har');
    const run = (f: string) => {
      const engine = new Engine();
      const s = feedHarEntries(entriesOf(join(dir, f)), (o) => engine.push(o));
      engine.finish();
      return { engine, s };
    };
    const bad = run('cli-client-iss-mismatch-in-location.har').engine;
    expect(bad.findings.filter((f) => f.ruleId === 'mixup-iss-mismatch').map((f) => f.severity)).toEqual(['critical']);
    expect(bad.findings.find((f) => f.ruleId === 'mixup-iss-mismatch')!.evidence.map((e) => e.entry)).toContain(1);
    const good = run('cli-client-confidential-clean.har').engine;
    expect(good.findings.filter((f) => f.severity !== 'info' && f.severity !== 'low')).toEqual([]);
    expect(good.flows()[0].responses).toHaveLength(1);
    expect(good.findings.filter((f) => f.ruleId === 'client-secret-in-browser')).toEqual([]);
    // the same token request with an Origin header: a page sent it
    const entries = entriesOf(join(dir, 'cli-client-confidential-clean.har')) as { request: { headers: { name: string; value: string }[] } }[];
    entries[2].request.headers.push({ name: 'origin', value: 'https://app.example' });
    const engine = new Engine();
    feedHarEntries(entries, (o) => engine.push(o));
    expect(engine.findings.filter((f) => f.ruleId === 'client-secret-in-browser').map((f) => f.severity)).toEqual(['high']);
  });
  it("a command-line client's own request to the Location is no navigation: the Location is judged, once", () => {
    const entries = entriesOf(join(root, 'test/fixtures/har/cli-client-iss-mismatch-in-location.har')) as Record<string, any>[];
    const loc = entries[1].response.redirectURL as string;
    const follow = structuredClone(entries[1]);
    follow.request.url = loc;
    follow.startedDateTime = new Date(Date.parse(entries[1].startedDateTime) + 20).toISOString();
    follow.response = { status: 200, headers: [], content: { mimeType: 'text/plain', text: 'ok' }, redirectURL: '' };
    const engine = new Engine();
    feedHarEntries([entries[0], entries[1], follow, entries[2]], (o) => engine.push(o));
    engine.finish();
    expect(engine.findings.filter((f) => f.ruleId === 'mixup-iss-mismatch')).toHaveLength(1);
    expect(engine.flows()[0].responses).toHaveLength(1);
  });
  it("a Location no request can follow (a native app's custom scheme) is judged right after its redirect", () => {
    resetBuilders();
    const state = rand('app-state');
    const areq = `${AS}/authorize?${q({ response_type: 'code', client_id: 'app', redirect_uri: 'com.example.app:/oauth2redirect', state, code_challenge: rand('cc', 43), code_challenge_method: 'S256' })}`;
    const seen: Observation[] = [];
    const feed = new HarFeed((o) => seen.push(o));
    feed.push(obs(areq, { headers: browser, context: 'har:0' }));
    feed.push(obs(`${AS}/login`, { method: 'POST', form: { user: 'alice' }, location: `com.example.app:/oauth2redirect?${q({ code: rand('c'), state })}`, headers: browser, context: 'har:0' }));
    expect(seen.map((o) => o.url.split('?')[0])).toEqual([`${AS}/authorize`, `${AS}/login`, 'com.example.app:/oauth2redirect']);
    feed.end();
    expect(seen).toHaveLength(3);
  });
  it('an entry without a parseable time borrows the time of the one before and is named', () => {
    const entries = entriesOf(join(root, 'examples/clean-flow.har')) as Record<string, any>[];
    entries[4] = { ...entries[4], startedDateTime: 'yesterday' };
    const seen: Observation[] = [];
    const s = feedHarEntries(entries, (o) => seen.push(o));
    expect(s.untimed).toEqual([4]);
    const o4 = seen.find((o) => o.ref.entry === 4)!;
    expect(o4.time).toBe(seen[seen.indexOf(o4) - 1].time);
    expect(seen.map((o) => o.ref.entry).slice(0, 6)).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
