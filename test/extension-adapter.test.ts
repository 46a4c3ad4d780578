/**
 * The background's pure parts: webRequest/webNavigation events → Observations (one per redirect
 * hop, Location fragments kept), what is persisted (no raw secret), and settings normalisation.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RequestAssembler, isOwnRequest, type RequestDetails } from '../src/background/adapter';
import { HarLog, redactObservation } from '../src/background/har-log';
import { loadState, SessionWriter, type SessionArea } from '../src/background/persist';
import { normalizeSettings } from '../src/background/settings';
import { Engine } from '../src/core/engine';
import { run } from '../src/core/testing/builders';

const T = 1_800_000_000_000;
const STATE = 'Qm9iIGxvdmVzIEFsaWNlIGFuZCBzZWNyZXRzIGZvcmV2ZXI';
const CODE = 'c0de-8f3b2a91d4e5f60718293a4b5c6d7e8f';
const TOKEN = 'at-7d1f0e2c3b4a59687766554433221100ffeeddcc';

function req(id: string, url: string, extra: Partial<RequestDetails> = {}): RequestDetails {
  return { requestId: id, url, method: 'GET', type: 'main_frame', tabId: 7, timeStamp: T, ...extra };
}

/** Play a redirect chain as Chrome reports it: one requestId, one onBeforeRedirect per hop. */
function chain(a: RequestAssembler, id: string, urls: string[], t0 = T) {
  const out = [];
  for (let i = 0; i < urls.length; i++) {
    a.start(req(id, urls[i], { timeStamp: t0 + i * 10 }));
    a.sendHeaders(req(id, urls[i], { requestHeaders: [{ name: 'User-Agent', value: 'x' }] }));
    if (i < urls.length - 1) {
      out.push(a.redirect(req(id, urls[i], { statusCode: 302, redirectUrl: urls[i + 1], responseHeaders: [{ name: 'Location', value: urls[i + 1] }] })));
    } else {
      a.headersReceived(req(id, urls[i], { statusCode: 200, responseHeaders: [] }));
      out.push(a.complete(req(id, urls[i], { statusCode: 200 })));
    }
  }
  return out.filter((o) => o !== undefined);
}

describe('RequestAssembler', () => {
  it('keeps a small raw JSON body (a token request sent as JSON) so the engine classifies it, with the response time', () => {
    const a = new RequestAssembler();
    const body = JSON.stringify({ grant_type: 'password', username: 'u', password: 'hunter2', client_id: 'c' });
    const url = 'https://as.example/oauth/token';
    a.start(req('j1', url, { method: 'POST', type: 'xmlhttprequest', requestBody: { raw: [{ bytes: new TextEncoder().encode(body).buffer as ArrayBuffer }] } }));
    a.sendHeaders(req('j1', url, { requestHeaders: [{ name: 'Content-Type', value: 'application/json' }] }));
    a.headersReceived(req('j1', url, { statusCode: 200, timeStamp: T + 120, responseHeaders: [] }));
    const o = a.complete(req('j1', url, { statusCode: 200, timeStamp: T + 130 }))!;
    expect(o.requestBody).toEqual({ text: body, mimeType: 'application/json' });
    expect(o.responseTime).toBe(T + 120);
    const { findings } = run([o]);
    expect(findings.map((f) => f.ruleId)).toContain('ropc-grant');
    // a big or binary body is not kept
    a.start(req('j2', url, { method: 'POST', type: 'xmlhttprequest', requestBody: { raw: [{ bytes: new Uint8Array(70 * 1024).buffer }] } }));
    expect(a.complete(req('j2', url, { statusCode: 200 }))!.requestBody).toBeUndefined();
    a.start(req('j3', url, { method: 'POST', type: 'xmlhttprequest', requestBody: { raw: [{ bytes: new Uint8Array([0xff, 0xfe, 0x00]).buffer }] } }));
    expect(a.complete(req('j3', url, { statusCode: 200 }))!.requestBody).toBeUndefined();
  });

  it('gives every hop of a redirect chain its own observation id (same requestId)', () => {
    const a = new RequestAssembler();
    const obs = chain(a, '42', ['https://app.example/login', `https://as.example/authorize?state=${STATE}`, 'https://as.example/login']);
    expect(obs.map((o) => o.id)).toEqual(['42.0', '42.1', '42.2']);
    expect(obs[0].location).toBe(`https://as.example/authorize?state=${STATE}`);
    expect(obs.every((o) => o.context === 'tab:7' && o.ref.requestId === '42')).toBe(true);
  });

  it('keeps the fragment of a Location header that redirectUrl lost', () => {
    const a = new RequestAssembler();
    a.start(req('1', 'https://as.example/decide'));
    const o = a.redirect(req('1', 'https://as.example/decide', { statusCode: 302, redirectUrl: 'https://app.example/cb', responseHeaders: [{ name: 'Location', value: `https://app.example/cb#access_token=${TOKEN}` }] }));
    expect(o?.location).toBe(`https://app.example/cb#access_token=${TOKEN}`);
  });

  it('turns form data into ordered pairs and ignores the extension\'s own requests', () => {
    const a = new RequestAssembler();
    a.start(req('2', 'https://app.example/cb', { method: 'POST', requestBody: { formData: { code: [CODE], state: [STATE] } } }));
    expect(a.complete(req('2', 'https://app.example/cb', { statusCode: 302 }))?.requestBody?.form).toEqual([['code', CODE], ['state', STATE]]);
    expect(isOwnRequest({ tabId: -1, url: 'https://x.example/' })).toBe(true);
    expect(isOwnRequest({ tabId: 3, url: 'https://x.example/', initiator: 'chrome-extension://abc' })).toBe(true);
    // every webRequest event of a request carries its initiator: the extension's own stay unseen
    a.start(req('3', 'https://x.example/', { initiator: 'chrome-extension://abc' }));
    expect(a.complete(req('3', 'https://x.example/', { initiator: 'chrome-extension://abc' }))).toBeUndefined();
    expect(a.complete(req('4', 'https://x.example/', { initiator: 'chrome-extension://abc' }))).toBeUndefined();
  });

  it('an event whose request started in a stopped worker is an observation of its own (URL, status, Location)', () => {
    // the old worker saw the chain's first hop; the new one gets the second hop's redirect alone,
    // then the third hop from its start
    const old = new RequestAssembler({ epoch: 'a' });
    const [first] = chain(old, '9', ['https://platform.example/connect', 'https://attacker-as.example/authorize?state=s']);
    const fresh = new RequestAssembler({ epoch: 'b' });
    const late = fresh.redirect(req('9', 'https://attacker-as.example/authorize?state=s', { statusCode: 302, redirectUrl: 'https://honest-as.example/authorize?state=s#f=1', responseHeaders: [{ name: 'Location', value: 'https://honest-as.example/authorize?state=s#f=1' }], initiator: 'https://platform.example' }));
    expect(late).toMatchObject({ url: 'https://attacker-as.example/authorize?state=s', status: 302, location: 'https://honest-as.example/authorize?state=s#f=1', initiator: 'https://platform.example', context: 'tab:7', requestHeaders: [] });
    fresh.start(req('9', 'https://honest-as.example/authorize?state=s'));
    const next = fresh.complete(req('9', 'https://honest-as.example/authorize?state=s', { statusCode: 200 }));
    // ids stay unique across the two worker instances although the requestId continues
    expect(new Set([first!.id, late!.id, next!.id]).size).toBe(3);
    expect([first!.id, late!.id, next!.id]).toEqual(['9.0@a', '9.0@b', '9.1@b']);
    // a completion or an error alone, too
    expect(fresh.complete(req('10', 'https://app.example/cb?code=c&state=s', { statusCode: 200 }))).toMatchObject({ url: 'https://app.example/cb?code=c&state=s', status: 200 });
    expect(fresh.error(req('11', 'https://app.example/x', { error: 'net::ERR_ABORTED' }))).toMatchObject({ url: 'https://app.example/x' });
    // headers received alone start the record, the redirect finishes it with those headers
    fresh.headersReceived(req('12', 'https://as.example/a', { statusCode: 302, responseHeaders: [{ name: 'Location', value: 'https://app.example/cb#code=x' }] }));
    expect(fresh.redirect(req('12', 'https://as.example/a', { statusCode: 302, redirectUrl: 'https://app.example/cb' }))?.location).toBe('https://app.example/cb#code=x');
  });

  it('a script or image is observed from onBeforeSendHeaders and onCompleted alone (no onBeforeRequest registered for them)', () => {
    const a = new RequestAssembler();
    const url = 'https://cdn.example/lib.js?v=1';
    a.sendHeaders(req('s1', url, { type: 'script', initiator: 'https://app.example', timeStamp: T + 3, requestHeaders: [{ name: 'Referer', value: `https://app.example/cb?code=${CODE}` }] }));
    const o = a.complete(req('s1', url, { type: 'script', initiator: 'https://app.example', timeStamp: T + 9, statusCode: 200, responseHeaders: [{ name: 'Content-Type', value: 'text/javascript' }] }));
    expect(o).toMatchObject({ url, type: 'script', method: 'GET', initiator: 'https://app.example', time: T + 3, status: 200, context: 'tab:7' });
    expect(o?.requestHeaders).toEqual([{ name: 'Referer', value: `https://app.example/cb?code=${CODE}` }]);
    expect(o?.responseHeaders).toEqual([{ name: 'Content-Type', value: 'text/javascript' }]);
    // a redirect of it: the next hop is opened by its own onBeforeSendHeaders
    a.sendHeaders(req('s2', 'https://cdn.example/a.png', { type: 'image' }));
    const hop1 = a.redirect(req('s2', 'https://cdn.example/a.png', { type: 'image', statusCode: 302, redirectUrl: 'https://cdn2.example/a.png', responseHeaders: [{ name: 'Location', value: 'https://cdn2.example/a.png' }] }));
    a.sendHeaders(req('s2', 'https://cdn2.example/a.png', { type: 'image' }));
    const hop2 = a.complete(req('s2', 'https://cdn2.example/a.png', { type: 'image', statusCode: 200 }));
    expect([hop1?.url, hop1?.location, hop2?.url]).toEqual(['https://cdn.example/a.png', 'https://cdn2.example/a.png', 'https://cdn2.example/a.png']);
    expect(hop1?.id).not.toBe(hop2?.id);
  });

  it('committed navigations become observations only when they carry a fragment', () => {
    const a = new RequestAssembler();
    expect(a.navigation({ tabId: 1, frameId: 0, url: 'https://app.example/cb?code=x', timeStamp: T }, 1)).toBeUndefined();
    const o = a.navigation({ tabId: 1, frameId: 0, url: `https://app.example/cb#code=${CODE}`, timeStamp: T, transitionType: 'link', transitionQualifiers: ['server_redirect'] }, 2);
    expect(o).toMatchObject({ navigationOnly: true, type: 'main_frame', transition: { type: 'link', qualifiers: ['server_redirect'] } });
  });

  /**
   * The events of one redirect chain, each hop's in its order: start, headers sent, headers
   * received, then its redirect (or, for the last hop, its completion). Each hop sends and receives
   * its own headers, so an event handed to the wrong hop shows.
   */
  function chainEvents(id: string, urls: string[]): { hop: number; play: (a: RequestAssembler) => ReturnType<RequestAssembler['complete']> }[][] {
    return urls.map((url, i) => {
      const last = i === urls.length - 1;
      const d = (extra: Partial<RequestDetails>) => req(id, url, { timeStamp: T + i * 10, ...extra });
      return [
        { hop: i, play: (a) => void a.start(d({})) },
        { hop: i, play: (a) => void a.sendHeaders(d({ requestHeaders: [{ name: 'X-Hop', value: String(i) }] })) },
        { hop: i, play: (a) => void a.headersReceived(d({ statusCode: last ? 200 : 302 + (i % 2), timeStamp: T + i * 10 + 5, responseHeaders: [{ name: 'X-Answer', value: String(i) }] })) },
        last
          ? { hop: i, play: (a) => a.complete(d({ statusCode: 200 })) }
          : { hop: i, play: (a) => a.redirect(d({ statusCode: 302 + (i % 2), redirectUrl: urls[i + 1], responseHeaders: [{ name: 'X-Answer', value: String(i) }, { name: 'Location', value: urls[i + 1] }] })) },
      ];
    });
  }
  const played = (a: RequestAssembler, events: { play: (a: RequestAssembler) => ReturnType<RequestAssembler['complete']> }[]) =>
    events.map((e) => e.play(a)).filter((o) => o !== undefined).sort((x, y) => x!.id.localeCompare(y!.id));
  const HOPS = ['https://platform.example/connect/attacker', 'https://attacker-as.example/authorize?state=s1', 'https://honest-as.example/auth?state=s1', 'https://honest-as.example/interaction/u1', 'https://honest-as.example/auth/u1', 'https://platform.example/cb/honest?code=c1&state=s1'];

  it('a chain whose events come grouped by event (Firefox waking a suspended background page) gives the same observations as in order', () => {
    // Firefox ESR 153 hands the queued events over as: every hop's onBeforeRequest, then every
    // onBeforeSendHeaders, then every onHeadersReceived, then the redirects and the completion
    const hops = chainEvents('77', HOPS);
    const inOrder = played(new RequestAssembler(), hops.flat());
    const grouped = played(new RequestAssembler(), [0, 1, 2, 3].flatMap((k) => hops.map((h) => h[k])));
    expect(inOrder.map((o) => [o!.url, o!.status, o!.location, o!.requestHeaders[0]?.value, o!.responseHeaders[0]?.value])).toEqual(
      HOPS.map((u, i) => [u, i === HOPS.length - 1 ? 200 : 302 + (i % 2), HOPS[i + 1], String(i), String(i)]),
    );
    expect(grouped).toEqual(inOrder);
  });

  it('any delivery that keeps each hop\'s events in order and the hops\' starts in order gives the same observations', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 6 }), fc.array(fc.nat(), { minLength: 30, maxLength: 30 }), (n, picks) => {
        const hops = chainEvents('78', HOPS.slice(0, n));
        const inOrder = played(new RequestAssembler(), hops.flat());
        // merge the hops' event lists, picking the next list at random; a hop starts only after the previous one started
        const next = hops.map(() => 0);
        const events = [];
        for (let k = 0; events.length < n * 4; k++) {
          const ready = hops.map((_, i) => i).filter((i) => next[i] < 4 && (i === 0 || next[i - 1] > 0));
          const i = ready[(picks[k % picks.length] + k) % ready.length];
          events.push(hops[i][next[i]++]);
        }
        expect(played(new RequestAssembler(), events)).toEqual(inOrder);
      }),
      { numRuns: 300 },
    );
  });

  it('a COAT chain assembled from events is caught by the engine (reached-from through redirects)', () => {
    const a = new RequestAssembler();
    const e = new Engine();
    const obs = chain(a, '9', [
      'https://platform.example/connect/attacker',
      `https://attacker-as.example/authorize?${new URLSearchParams({ client_id: 'a', response_type: 'code', redirect_uri: 'https://platform.example/cb/attacker', state: STATE })}`,
      `https://honest-as.example/authorize?${new URLSearchParams({ client_id: 'h', response_type: 'code', redirect_uri: 'https://platform.example/cb/honest', state: STATE })}`,
    ]);
    for (const o of obs) e.push(o);
    expect(e.findings.map((f) => f.ruleId)).toContain('coat-context-switch');
  });
});

describe('what the background persists', () => {
  it('holds no raw state, code or token in storage.session (engine state and HAR log)', async () => {
    const a = new RequestAssembler();
    const e = new Engine();
    const log = new HarLog();
    const obs = [
      ...chain(a, '5', [`https://as.example/authorize?${new URLSearchParams({ client_id: 'c', response_type: 'code', redirect_uri: 'https://app.example/cb', state: STATE })}`, `https://app.example/cb?code=${CODE}&state=${STATE}`]),
    ];
    a.start(req('6', 'https://as.example/token', { method: 'POST', type: 'xmlhttprequest', requestBody: { formData: { grant_type: ['authorization_code'], code: [CODE] } } }));
    a.sendHeaders(req('6', 'https://as.example/token', { requestHeaders: [{ name: 'Authorization', value: `Bearer ${TOKEN}` }, { name: 'Referer', value: `https://app.example/cb?code=${CODE}` }] }));
    a.headersReceived(req('6', 'https://as.example/token', { statusCode: 200, responseHeaders: [{ name: 'Location', value: `https://app.example/x#access_token=${TOKEN}` }] }));
    obs.push(a.complete(req('6', 'https://as.example/token', { statusCode: 200 }))!);
    for (const o of obs) {
      e.push(o);
      log.add(o, true);
    }
    const stored: Record<string, unknown> = {};
    const area: SessionArea = { get: async () => stored, set: async (v) => void Object.assign(stored, v) };
    await new SessionWriter(area).save(e, log);
    const text = JSON.stringify(stored);
    expect(text.length).toBeGreaterThan(500);
    for (const secret of [STATE, CODE, TOKEN]) expect(text).not.toContain(secret);
    // and it comes back: the restored engine knows the flow
    const restored = await loadState(area);
    expect(new Engine({ entries: restored.entries }).flows().length).toBe(e.flows().length);
    expect(restored.har.toHar()).toEqual(log.toHar());
  });

  it('writes only what changed: a quiet save writes nothing, a tab that logged writes its new entries only, a closed tab is removed', async () => {
    const stored: Record<string, unknown> = {};
    const writes: string[][] = [];
    const removed: string[] = [];
    const area: SessionArea = {
      get: async () => ({ ...stored }),
      set: async (v) => {
        writes.push(Object.keys(v).sort());
        Object.assign(stored, v);
      },
      remove: async (keys) => {
        for (const k of [keys].flat()) {
          removed.push(k);
          delete stored[k];
        }
      },
    };
    const e = new Engine();
    const log = new HarLog();
    const w = new SessionWriter(area);
    const [a1] = chain(new RequestAssembler(), '1', ['https://app.example/one?x=1']);
    const [b1] = chain(new RequestAssembler(), '2', ['https://app.example/two?x=2']).map((o) => ({ ...o, context: 'tab:9' }));
    for (const o of [a1, b1]) {
      e.push(o);
      log.add(o, true);
    }
    await w.save(e, log);
    const first = writes.pop()!;
    expect(first.filter((k) => k.startsWith('har:'))).toEqual([`har:${Number(a1.context.slice(4))}:0`, 'har:9:0'].sort());
    expect(first).toContain(`ctx:${a1.context}`);
    await w.save(e, log);
    expect(writes).toEqual([]);
    const [b2] = chain(new RequestAssembler(), '3', ['https://app.example/three?x=3']).map((o) => ({ ...o, context: 'tab:9' }));
    log.add(b2, true);
    await w.save(e, log);
    // the entry logged since the last save goes in a batch of its own; the first batch is not written again
    expect(writes.pop()).toEqual(['har:9:1']);
    expect(JSON.parse(stored['har:9:1'] as string)).toHaveLength(1);
    log.deleteTab(9);
    await w.save(e, log);
    expect(removed.sort()).toEqual(['har:9:0', 'har:9:1']);
    const back = await loadState(area);
    expect([...back.har.tabs].map(([t, l]) => [t, l.length])).toEqual([[Number(a1.context.slice(4)), 1]]);

    // flows have a key each: a callback that touches one flow writes that flow, its context and its code only
    const areq = (st: string) => `https://as.example/authorize?${new URLSearchParams({ client_id: 'c', response_type: 'code', redirect_uri: 'https://app.example/cb', state: st })}`;
    const s1 = 'first-state-0123456789abcdef';
    const s2 = 'second-state-0123456789abcdef';
    for (const o of [...chain(new RequestAssembler(), '11', [areq(s1)]), ...chain(new RequestAssembler(), '12', [areq(s2)]).map((o) => ({ ...o, context: 'tab:12' }))]) e.push(o);
    await w.save(e, log);
    const flowKeys = writes.pop()!.filter((k) => k.startsWith('flow:'));
    expect(flowKeys).toHaveLength(2);
    const [cb] = chain(new RequestAssembler(), '13', [`https://app.example/cb?code=abc&state=${s1}`], T + 1000);
    e.push(cb);
    await w.save(e, log);
    const touched = writes.pop()!;
    expect(touched.filter((k) => k.startsWith('flow:'))).toHaveLength(1);
    // three keys for the callback (its flow, its context, its code), besides a findings chunk if it raised one
    const keys = touched.filter((k) => !k.startsWith('fnd:'));
    expect(keys).toHaveLength(3);
    expect(keys).toEqual(expect.arrayContaining([`ctx:${cb.context}`, expect.stringMatching(/^cred:code:/), expect.stringMatching(/^flow:f\d+$/)]));
    const again = await loadState(area);
    const restored = new Engine({ entries: again.entries });
    expect(restored.flows()).toEqual(e.flows());
    expect(restored.findings).toEqual(e.findings);
    expect(restored.toJSON().entries).toEqual(e.toJSON().entries);
  });

  it('an old layout (engine + store:<field> + flow:<id>, har:<tab>) is read once and migrated', async () => {
    const legacyFlow = { id: 'f3', context: 'tab:4', t0: T, tLast: T, as: { origin: 'https://as.example', issuer: 'https://as.example', source: 'origin', endpoint: 'https://as.example/authorize' }, paramsKnown: true, children: [], requests: [], responses: [], steps: [], state: { hash: 'abc', shown: 'x…#1', length: 30, alphabet: 64 } };
    const stored: Record<string, unknown> = {
      engine: JSON.stringify({ v: 1, flowIds: ['f3'], storeFields: ['seq', 'now', 'contextStart', 'hops'] }),
      findings: JSON.stringify([{ ruleId: 'state-missing', severity: 'medium', confidence: 'strong', title: 't', message: 'm', references: [], flowId: 'f3', evidence: [], context: 'tab:4', time: T }]),
      'store:seq': '3',
      'store:now': String(T),
      'store:contextStart': JSON.stringify([['tab:4', T]]),
      'store:hops': JSON.stringify([['tab:4', [{ obsId: 'o1', time: T, key: 'k', origin: 'https://app.example' }]]]),
      'flow:f3': JSON.stringify(legacyFlow),
      'har:4': JSON.stringify([chain(new RequestAssembler(), '1', ['https://app.example/one?x=1'])[0]]),
    };
    const area: SessionArea = {
      get: async () => ({ ...stored }),
      set: async (v) => void Object.assign(stored, v),
      remove: async (keys) => {
        for (const k of [keys].flat()) delete stored[k];
      },
    };
    const w = new SessionWriter(area);
    const saved = await loadState(area, w);
    const e = new Engine({ entries: saved.entries, state: saved.legacy });
    expect(e.flows().map((f) => f.id)).toEqual(['f3']);
    expect(e.findings.map((f) => f.ruleId)).toEqual(['state-missing']);
    expect(e.store.hops.get('tab:4')).toHaveLength(1);
    await w.save(e, saved.har);
    expect(Object.keys(stored).filter((k) => /^(engine|findings|store:|har:4$)/.test(k))).toEqual([]);
    expect(Object.keys(stored)).toEqual(expect.arrayContaining(['flow:f3', 'ctx:tab:4', 'fnd:0', 'har:4:0']));
    const again = await loadState(area);
    const e2 = new Engine({ entries: again.entries });
    expect(e2.flows()).toEqual(e.flows());
    expect(e2.findings).toEqual(e.findings);
    // a new flow does not reuse the old one's id
    e2.push(chain(new RequestAssembler(), '20', [`https://as.example/authorize?${new URLSearchParams({ client_id: 'c', response_type: 'code', redirect_uri: 'https://app.example/cb', state: 'new-state-0123456789abcdef' })}`], T + 5000)[0]);
    expect(e2.flows().map((f) => f.id)).toEqual(['f3', 'f4']);
    expect(again.har.tabs.get(4)).toHaveLength(1);
  });

  it('with redaction off the HAR log keeps values (the user asked for it)', () => {
    const o = chain(new RequestAssembler(), '8', [`https://app.example/cb?code=${CODE}`])[0];
    expect(redactObservation(o, false).url).toContain(CODE);
    expect(redactObservation(o, true).url).not.toContain(CODE);
  });

  it('the HAR export is a HAR the CLI accepts (log.entries with request/response)', () => {
    const log = new HarLog();
    for (const o of chain(new RequestAssembler(), '4', ['https://app.example/', 'https://app.example/home'])) log.add(o, true);
    const har = log.toHar(7) as { log: { entries: { request: { url: string }; response: { status: number } }[] } };
    expect(har.log.entries.map((x) => x.request.url)).toEqual(['https://app.example/', 'https://app.example/home']);
    expect(har.log.entries[0].response.status).toBe(302);
  });
});

it('settings: defaults and hostile input', () => {
  expect(normalizeSettings(undefined)).toEqual({ redact: true, notifications: true, ignoreOrigins: [], disabledRules: [], providers: [] });
  expect(normalizeSettings({ redact: 'no', ignoreOrigins: [1, 'https://a.example'], disabledRules: null })).toEqual({ redact: true, notifications: true, ignoreOrigins: ['https://a.example'], disabledRules: [], providers: [] });
  // provider rows (docs/providers.md): well-formed ones kept, the rest dropped
  const row = { id: 'acme', name: 'Acme SSO', endpoint: 'https://sso.acme.example/authorize', issuer: 'https://sso.acme.example', iss: { kind: 'always', since: '2026-01-01' }, checked: '2026-12-04' };
  expect(normalizeSettings({ providers: [row, { ...row, endpoint: 'nope' }, 7] }).providers).toEqual([row]);
});

describe('restoring from a storage.session that holds anything', () => {
  it('never throws and always gives an engine and a HAR log that work', async () => {
    const text = fc.oneof(
      fc.json(),
      fc.string(),
      fc.constant('{"v":1,"flowIds":["f1"],"storeFields":["flows","codes","hops"]}'),
      fc.constant('[[1,[{"url":5}]]]'),
      fc.constant('{"id":"f1","requests":[null],"responses":7,"steps":[{}],"children":null,"as":null,"context":"tab:99"}'),
      fc.constant('{"id":"f1","requests":[],"responses":[],"steps":[],"children":[],"as":{"origin":"https://as.example","issuer":"https://as.example"},"context":"tab:99","t0":0,"tLast":0,"state":{"hash":5}}'),
      fc.constant('[["k",[null]],[5]]'),
    );
    const value = fc.oneof(text, fc.anything());
    const area = fc.record(
      {
        engine: value, findings: value, 'store:codes': value, 'store:hops': value, 'store:flows': value, 'flow:f1': value, 'har:1': value, 'har:x': value, har: value,
        flows: value, nav: value, sweep: value, 'ctx:tab:1': value, 'as:md:https://as.example': value, 'as:idt:x': value, 'cred:code:ab': value, 'cred:par:cd': value,
        'rule:referer-leak:tab:1': value, 'fnd:0': value, 'har:1:0': value, 'har:2:x': value,
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(area, async (stored) => {
        const a: SessionArea = { get: async () => stored as Record<string, unknown>, set: async () => undefined };
        const back = await loadState(a);
        const e = new Engine({ entries: back.entries, state: back.legacy });
        const log = back.har;
        // still usable: it takes an observation and both export
        const [o] = chain(new RequestAssembler(), '99', ['https://app.example/after?x=1']);
        e.push(o);
        log.add(o, true);
        expect(Array.isArray(e.flows())).toBe(true);
        expect(JSON.stringify(log.toHar())).toContain('after');
      }),
      { numRuns: 300 },
    );
  });
});
