/**
 * The correlation itself (detectors.md §0.3–0.5): flows created and linked, brokered children,
 * "reached from", replays, fragment synthesis, form_post, PAR adoption, bounds, and the JSON
 * round trip the extension's service worker relies on.
 */
import { describe, expect, it } from 'vitest';
import { Engine } from './engine';
import type { Observation } from './observe/observation';
import type { Finding } from './report/finding';
import { defineRule, type Rule, type RuleContext } from './rules/types';
import { obs, post, q, rand, redirect, resetBuilders, run } from './testing/builders';
import { formPostFlow, keycloakBrokeringToGoogle, parFlow, restartAtAnotherProvider, KC, APP } from './testing/mixup-fixtures';
import { areq, ATTACKER, clean, coat, HONEST, mixup, P } from './testing/mixup-scenarios';

/** A rule that records what the engine told it, per message kind. */
function spy(): { rule: Rule; seen: { kind: string; replay: boolean; flowId?: string; from: RuleContext['from']; obsId: string }[] } {
  const seen: { kind: string; replay: boolean; flowId?: string; from: RuleContext['from']; obsId: string }[] = [];
  const rule = defineRule({
    meta: { id: 'spy', title: 'spy', severity: 'info', confidence: 'strong', references: ['test'], description: 'test', tier: 2, on: ['authorization-request', 'authorization-response'], vantage: ['HAR'] },
    check(ctx) {
      seen.push({ kind: ctx.msg.kind, replay: ctx.replay, flowId: ctx.flow?.id, from: { ...ctx.from, hop: undefined }, obsId: ctx.msg.obs.id });
    },
  });
  return { rule, seen };
}

function feed(observations: Observation[], rules?: Rule[]): Engine {
  const e = new Engine(rules ? { rules } : {});
  for (const o of observations) e.push(o);
  return e;
}

describe('engine correlation: flows', () => {
  it('a clean flow: one flow with C, AS1, state fingerprint, one request and one response', () => {
    resetBuilders();
    const e = feed(clean());
    const flows = e.flows();
    expect(flows).toHaveLength(1);
    const f = flows[0];
    expect(f.client).toBe(P);
    expect(f.as.origin).toBe(HONEST);
    expect(f.redirectUri).toBe(`${P}/cb/honest-tool`);
    expect(f.state?.hash).toMatch(/^[0-9a-f]{16}$/);
    expect(f.requests).toHaveLength(1);
    expect(f.responses).toHaveLength(1);
    expect(f.responses[0].code).toBeDefined();
    expect(f.responses[0].iss).toBe(HONEST);
  });

  it('COAT: the relayed request joins the flow by state, reached from O1 by a 30x', () => {
    resetBuilders();
    const { rule, seen } = spy();
    const e = feed(coat(), [rule]);
    const flows = e.flows();
    expect(flows).toHaveLength(1);
    expect(flows[0].requests.map((r) => r.as.origin)).toEqual([ATTACKER, HONEST]);
    expect(flows[0].requests[1].via).toBe('redirect');
    expect(flows[0].requests[1].from).toBe(ATTACKER);
    expect(e.store.clientIssued(flows[0]).map((r) => r.as.origin)).toEqual([ATTACKER]);
    const resp = seen.find((s) => s.kind === 'authorization-response');
    expect(resp?.flowId).toBe(flows[0].id);
  });

  it('a user restarting at another provider: both requests are client-issued', () => {
    resetBuilders();
    const e = feed(restartAtAnotherProvider());
    const f = e.flows()[0];
    expect(f.requests).toHaveLength(2);
    expect(e.store.clientIssued(f)).toHaveLength(2);
  });

  it('G1: Keycloak brokering to Google opens a child flow of the client flow; both responses link by state', () => {
    resetBuilders();
    const e = feed(keycloakBrokeringToGoogle());
    const flows = e.flows();
    expect(flows).toHaveLength(2);
    const [parent, child] = flows;
    expect(parent.as.issuer).toBe(KC);
    expect(parent.client).toBe(APP);
    expect(child.parent).toBe(parent.id);
    expect(parent.children).toEqual([child.id]);
    expect(child.as.issuer).toBe('https://accounts.google.com');
    expect(child.responses).toHaveLength(1);
    expect(parent.responses).toHaveLength(1);
    expect(parent.responses[0].iss).toBe(KC);
  });

  it('a fresh-state request whose redirect_uri is the client (not an AS) is not a child', () => {
    resetBuilders();
    const e = feed([...clean(), obs(areq(HONEST, { client_id: 'x', redirect_uri: `${P}/cb/other`, state: rand('other') }), { referer: `${P}/` })]);
    expect(e.flows().every((f) => f.parent === undefined)).toBe(true);
  });

  it('a response in another tab (popup) links by state', () => {
    resetBuilders();
    const S = rand('popup');
    const e = feed([obs(areq(HONEST, { client_id: 'c', redirect_uri: `${P}/cb`, state: S }), { context: 'tab:2' }), obs(`${P}/cb?${q({ code: rand('pc'), state: S })}`, { context: 'tab:3', referer: `${HONEST}/` })]);
    expect(e.flows()[0].responses).toHaveLength(1);
  });

  it('a response without state reached by the AS chain links (the AS dropped the state); one from a third site does not', () => {
    resetBuilders();
    const S = rand('dropped');
    const a = areq(HONEST, { client_id: 'c', redirect_uri: `${P}/cb`, state: S });
    const err = `${P}/cb?${q({ error: 'access_denied' })}`;
    const e = feed([obs(a, { referer: `${P}/` }), obs(`${HONEST}/deny`, { method: 'POST', form: { d: '1' }, location: err }), obs(err)]);
    expect(e.flows()[0].responses).toHaveLength(1);

    resetBuilders();
    const { rule, seen } = spy();
    const forged = `${P}/cb?${q({ code: rand('forged') })}`;
    feed([obs(areq(HONEST, { client_id: 'c', redirect_uri: `${P}/cb`, state: rand('s') }), { referer: `${P}/` }), obs(`${ATTACKER}/x`, { location: forged }), obs(forged)], [rule]);
    const resp = seen.filter((s) => s.kind === 'authorization-response');
    expect(resp.length).toBeGreaterThan(0);
    expect(resp.every((s) => s.flowId === undefined)).toBe(true);
  });

  it('PAR: the opaque flow adopts the state and the client of the first response reached from its AS', () => {
    resetBuilders();
    const e = feed(parFlow());
    const f = e.flows()[0];
    expect(f.paramsKnown).toBe(false);
    expect(f.responses).toHaveLength(1);
    expect(f.client).toBe(P);
    expect(f.state).toBeDefined();
    expect(e.store.flowsWithState(f.state!.hash).map((x) => x.id)).toEqual([f.id]);
  });

  it('PAR: a response reached from another site is not adopted', () => {
    resetBuilders();
    const a = `${HONEST}/authorize?${q({ client_id: 'par', request_uri: 'urn:ietf:params:oauth:request_uri:abc' })}`;
    const resp = `${P}/cb?${q({ code: rand('x'), state: rand('y') })}`;
    const e = feed([obs(a), obs(`${ATTACKER}/x`, { at: 30, location: resp }), obs(resp)]);
    expect(e.flows()[0].responses).toHaveLength(0);
  });

  it('PAR body seen (DT/HAR): the request_uri gives the flow its state, redirect_uri and client; COAT through PAR is still caught', () => {
    resetBuilders();
    const S = rand('pushed-s');
    const uri = 'urn:ietf:params:oauth:request_uri:' + rand('ru', 22);
    const e = feed([
      post(`${ATTACKER}/par`, { client_id: 'a', response_type: 'code', redirect_uri: `${P}/cb/attacker-tool`, state: S, code_challenge: rand('pcc', 43), code_challenge_method: 'S256' }, { status: 201, responseBody: { request_uri: uri, expires_in: 60 } }),
      obs(`${P}/connect`, { location: `${ATTACKER}/authorize?${q({ client_id: 'a', request_uri: uri })}` }),
      obs(`${ATTACKER}/authorize?${q({ client_id: 'a', request_uri: uri })}`, { location: areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb/honest-tool`, state: S }) }),
      obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb/honest-tool`, state: S })),
      obs(`${HONEST}/login`, { method: 'POST', form: { u: 'a' }, location: `${P}/cb/honest-tool?${q({ code: rand('pc'), state: S, iss: HONEST })}` }),
      obs(`${P}/cb/honest-tool?${q({ code: rand('pc'), state: S, iss: HONEST })}`),
    ]);
    const flows = e.flows();
    expect(flows).toHaveLength(1);
    expect(flows[0]).toMatchObject({ pushed: true, paramsKnown: false, client: P, redirectUri: `${P}/cb/attacker-tool` });
    expect(flows[0].requests).toHaveLength(2);
    const ids = e.findings.map((f) => f.ruleId);
    expect(ids).toContain('coat-context-switch');
    expect(ids).toContain('callback-context-mismatch');
    expect(ids).not.toContain('unsolicited-callback');
  });

  it('a stateless response at an unknown callback, redirected there by the AS of an open flow, is a response (§0.2)', () => {
    resetBuilders();
    const { rule, seen } = spy();
    const a = `${HONEST}/authorize?${q({ client_id: 'par', request_uri: 'urn:ietf:params:oauth:request_uri:zz' })}`;
    const resp = `${P}/elsewhere?${q({ code: rand('nostate') })}`;
    feed([obs(a), obs(`${HONEST}/login`, { method: 'POST', form: { u: 'a' }, location: resp }), obs(resp)], [rule]);
    expect(seen.map((x) => x.kind)).toEqual(['authorization-request', 'authorization-response']);
    expect(seen[1].flowId).toBe(seen[0].flowId);
  });

  it('form_post: the POST to the callback is a response in form_post mode, linked by state', () => {
    resetBuilders();
    const e = feed(formPostFlow());
    const f = e.flows()[0];
    expect(f.responses).toHaveLength(1);
    expect(f.responses[0].mode).toBe('form_post');
  });

  it('a Location with a fragment is synthesised as a committed navigation: the fragment response links to its flow', () => {
    resetBuilders();
    const S = rand('frag');
    const a = areq(HONEST, { client_id: 'c', redirect_uri: `${P}/cb`, state: S, response_mode: 'fragment' });
    const e = feed([obs(a, { referer: `${P}/` }), ...redirect(`${HONEST}/login`, `${P}/cb#${q({ code: rand('fc'), state: S })}`, { method: 'POST', form: { u: 'a' } })]);
    const f = e.flows()[0];
    expect(f.responses).toHaveLength(1);
    expect(f.responses[0].mode).toBe('fragment');
    expect(f.responses[0].code).toBeDefined();
  });

  it('a relative Location with a fragment is resolved against the redirecting URL', () => {
    resetBuilders();
    const S = rand('rel');
    const a = areq(P, { client_id: 'c', redirect_uri: `${P}/cb`, state: S });
    const e = feed([obs(a), obs(`${P}/login`, { location: `/cb#${q({ code: rand('rc'), state: S })}` })]);
    // a Location not (yet) followed is the response at the end of the capture
    expect(e.flows()[0].responses).toHaveLength(0);
    e.finish();
    expect(e.flows()[0].responses).toHaveLength(1);
  });
});

describe('engine correlation: how a request was reached', () => {
  it('30x Location, client_redirect, initiator, Referer and Origin in that order', () => {
    resetBuilders();
    const { rule, seen } = spy();
    const S = rand('reach');
    const a1 = areq(ATTACKER, { client_id: 'a', redirect_uri: `${P}/cb`, state: S });
    feed(
      [
        obs(`${P}/go`, { location: a1, initiator: 'https://elsewhere.example' }),
        obs(a1, { initiator: `${P}` }),
        obs(`${ATTACKER}/page`),
        obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: rand('r2') }), { transition: { type: 'link', qualifiers: ['client_redirect'] } }),
        obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: rand('r3') }), { initiator: 'https://init.example' }),
        obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: rand('r4') }), { referer: 'https://ref.example/page' }),
        obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: rand('r5') }), { method: 'POST', form: { x: '1' }, headers: { Origin: 'https://orig.example' } }),
        obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: rand('r6') })),
      ],
      [rule],
    );
    const areqs = seen.filter((s) => s.kind === 'authorization-request').map((s) => [s.from.via, s.from.origin]);
    expect(areqs).toEqual([
      ['redirect', P],
      ['client_redirect', ATTACKER],
      ['initiator', 'https://init.example'],
      ['referer', 'https://ref.example'],
      ['referer', 'https://orig.example'],
      ['none', undefined],
    ]);
  });

  it('a redirect older than 60 s does not count as "reached from"', () => {
    resetBuilders();
    const { rule, seen } = spy();
    const a = areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: rand('old') });
    feed([obs(`${ATTACKER}/x`, { at: 1, location: a }), obs(a, { at: 100 })], [rule]);
    expect(seen[0].from.via).toBe('none');
  });
});

describe('engine correlation: G3 replays', () => {
  function callbackTwice(second: Parameters<typeof obs>[1]): boolean[] {
    resetBuilders();
    const { rule, seen } = spy();
    const S = rand('g3');
    const cb = `${P}/cb?${q({ code: rand('g3c'), state: S })}`;
    feed([obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: S }), { referer: `${P}/` }), obs(`${HONEST}/login`, { method: 'POST', form: { u: 'a' }, location: cb }), obs(cb), obs(cb, { at: 200, ...second })], [rule]);
    return seen.filter((s) => s.kind === 'authorization-response').map((s) => s.replay);
  }

  it('reload of the callback is a replay', () => expect(callbackTwice({ transition: { type: 'reload', qualifiers: [] } })).toEqual([false, true]));
  it('back/forward is a replay', () => expect(callbackTwice({ transition: { type: 'link', qualifiers: ['forward_back'] } })).toEqual([false, true]));
  it('a HAR re-request with Referer C is a replay', () => expect(callbackTwice({ referer: `${P}/home` })).toEqual([false, true]));
  it('a HAR re-request with no Referer is a replay', () => expect(callbackTwice({})).toEqual([false, true]));
  it('a re-delivery started by a third origin is never a replay', () => expect(callbackTwice({ referer: `${ATTACKER}/lure` })).toEqual([false, false]));
  it('the identical URL in another tab is not a replay', () => expect(callbackTwice({ context: 'tab:9' })).toEqual([false, false]));

  it('a reloaded authorization request does not add a request to its flow', () => {
    resetBuilders();
    const a = areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: rand('rl') });
    const e = feed([obs(a, { referer: `${P}/` }), obs(a, { transition: { type: 'reload', qualifiers: [] } })]);
    expect(e.flows()[0].requests).toHaveLength(1);
  });
});

describe('engine correlation: AS identity (§0.4)', () => {
  it('metadata maps the authorization endpoint to its issuer and its iss support', () => {
    resetBuilders();
    const e = feed([
      obs(`${HONEST}/.well-known/openid-configuration`, { type: 'fetch', responseBody: { issuer: `${HONEST}/tenant`, authorization_endpoint: `${HONEST}/authorize`, authorization_response_iss_parameter_supported: true } }),
      obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: rand('md') })),
    ]);
    expect(e.flows()[0].as).toMatchObject({ issuer: `${HONEST}/tenant`, source: 'metadata', sendsIss: true });
  });

  it("a metadata document cannot rename another site's authorization endpoint", () => {
    resetBuilders();
    const e = feed([
      obs(`${ATTACKER}/.well-known/openid-configuration`, { type: 'fetch', responseBody: { issuer: ATTACKER, authorization_endpoint: `${HONEST}/authorize` } }),
      obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: rand('md2') })),
    ]);
    expect(e.flows()[0].as.source).toBe('origin');
  });

  it('provider table and templated issuers: Entra /common/ matches any tenant issuer', () => {
    resetBuilders();
    const e = feed([obs(`https://login.microsoftonline.com/common/oauth2/v2.0/authorize?${q({ client_id: 'c', response_type: 'code', redirect_uri: `${P}/cb`, state: rand('e') })}`)]);
    const as = e.flows()[0].as;
    expect(as.source).toBe('provider');
    expect(e.store.issuerMatches(as, 'https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0')).toBe(true);
    expect(e.store.issuerMatches(as, 'https://evil.example/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0')).toBe(false);
  });

  it('different AS: known issuers compare; origin fallback compares sites (G2)', () => {
    const e = new Engine();
    const s = e.store;
    const o = (origin: string) => ({ origin, issuer: origin, source: 'origin' as const, endpoint: `${origin}/authorize` });
    expect(s.differentAs(o('https://login.example.com'), o('https://auth.example.com'))).toBe(false);
    expect(s.differentAs(o('https://as.example.com'), o('https://as.attacker.test'))).toBe(true);
    const k = (issuer: string) => ({ origin: 'https://sso.example.com', issuer, source: 'provider' as const, endpoint: 'x' });
    expect(s.differentAs(k('https://sso.example.com/realms/a'), k('https://sso.example.com/realms/b'))).toBe(true);
    expect(s.differentAs(k('https://sso.example.com/realms/a'), o('https://sso.example.com'))).toBe(false);
  });

  it('an ID token iss is learnt only from a clean flow and only on the AS site', () => {
    resetBuilders();
    const tok = (iss: string) => `${b64({ alg: 'RS256' })}.${b64({ iss, aud: 'c', nonce: 'n' })}.${rand('sig', 43)}`;
    const S1 = rand('it1');
    const S2 = rand('it2');
    const e = feed([
      obs(areq('https://op.example.org', { client_id: 'c', redirect_uri: `${P}/cb`, state: S1, response_type: 'code id_token' })),
      obs(`${P}/cb?${q({ code: rand('c1'), id_token: tok('https://op.example.org/oidc'), state: S1 })}`, { referer: 'https://op.example.org/' }),
      obs(areq(ATTACKER, { client_id: 'c', redirect_uri: `${P}/cb`, state: S2, response_type: 'code id_token' })),
      obs(`${P}/cb?${q({ code: rand('c2'), id_token: tok('https://accounts.google.com'), state: S2 })}`, { referer: `${ATTACKER}/` }),
    ]);
    // keyed by authorization endpoint (tenants and realms of one origin have their own issuers)
    expect(e.store.idTokenIssuer.get('https://op.example.org/authorize')).toBe('https://op.example.org/oidc');
    expect(e.store.idTokenIssuer.has(`${ATTACKER}/authorize`)).toBe(false);
    expect(e.store.idTokenIssuer.size).toBe(1);
  });
});

describe('engine state: bounded and serialisable', () => {
  it('the flow cap holds without an explicit maxFlows (default) and with one', () => {
    resetBuilders();
    const many: Observation[] = [];
    for (let i = 0; i < 700; i++) many.push(obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: rand(`cap${i}`) }), { context: `tab:${i % 7}` }));
    expect(feed(many).store.flows.size).toBeLessThanOrEqual(500);
    const e = new Engine({ maxFlows: 50 });
    for (const o of many) e.push(o);
    expect(e.store.flows.size).toBe(50);
    // the state index follows the evictions
    expect(e.store.table.checkIndexes()).toEqual([]);
    expect(new Set(e.flows().map((f) => f.state!.hash)).size).toBe(50);
  });

  it('per-context bookkeeping expires with the TTL and is capped in contexts', () => {
    resetBuilders();
    const e = new Engine();
    for (let i = 0; i < 1500; i++) e.push(obs(`https://site${i}.example/?${q({ state: rand(`x${i}`) })}`, { context: `tab:${i}`, at: i }));
    // swept in amortised steps: never more than a quarter over the cap, back at the cap after a sweep
    expect(e.store.nav.size).toBeLessThanOrEqual(1250);
    e.store.sweep();
    expect(e.store.nav.size).toBeLessThanOrEqual(1000);
    e.push(obs('https://late.example/?state=1', { context: 'tab:late', at: 1500 + 3 * 3600 }));
    e.store.sweep();
    expect(e.store.nav.size).toBeLessThanOrEqual(1);
  });

  it('a reload loop does not grow one flow without bound', () => {
    resetBuilders();
    const a = areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: rand('loop') });
    const list: Observation[] = [];
    for (let i = 0; i < 1000; i++) list.push(obs(a, { transition: { type: 'reload', qualifiers: [] } }));
    const f = feed(list).flows()[0];
    expect(f.steps.length).toBeLessThanOrEqual(200);
    expect(f.requests.length).toBeLessThanOrEqual(50);
  });

  it('no raw code, state, nonce or URL with them in the serialised store (redaction on)', () => {
    resetBuilders();
    const observations = [...coat(), ...keycloakBrokeringToGoogle(), ...formPostFlow()];
    const e = feed(observations);
    const json = JSON.stringify(e.toJSON().entries);
    const secrets = [rand('coat-state'), rand('honest-code'), rand('kc-s1'), rand('kc-s2'), rand('kc-n1'), rand('fp-s'), rand('fp-c')];
    for (const s of secrets) expect(json.includes(s), `store holds ${s.slice(0, 6)}…`).toBe(false);
  });

  // [name, observations, rule ids the uninterrupted run raises]
  const scenarios: [string, () => Observation[], string[]][] = [
    ['COAT', coat, ['coat-context-switch', 'callback-context-mismatch']],
    ['mix-up', () => mixup(), ['mixup-as-switch', 'mixup-iss-mismatch']],
    ['Keycloak brokering', keycloakBrokeringToGoogle, []],
    ['PAR (adoption survives a restart: no unsolicited-callback)', parFlow, []],
    ['clean then forged callback', () => [...clean(), obs(`${P}/cb?${q({ code: rand('f'), state: rand('fs') })}`, { referer: `${ATTACKER}/`, at: 300 })], ['unsolicited-callback']],
  ];
  for (const [name, build, ids] of scenarios) {
    it(`${name}: findings are identical when the engine is serialised and restored at any point`, () => {
      resetBuilders();
      const observations = build();
      const straight = run(observations).findings;
      for (const id of ids) expect(straight.some((f) => f.ruleId === id), id).toBe(true);
      expect(straight.some((f) => f.ruleId === 'unsolicited-callback')).toBe(ids.includes('unsolicited-callback'));
      for (let cut = 1; cut < observations.length; cut++) {
        let e = new Engine();
        for (const o of observations.slice(0, cut)) e.push(o);
        const state = JSON.parse(JSON.stringify(e.toJSON()));
        e = new Engine({ state });
        for (const o of observations.slice(cut)) e.push(o);
        e.finish();
        expect(strip(e.findings), `restored after ${cut} observations`).toEqual(strip(straight));
        // the store round-trips through JSON unchanged
        expect(JSON.parse(JSON.stringify(new Engine({ state }).toJSON()))).toEqual(state);
      }
    });
  }

  it('the findings cap evicts the oldest (keeping each rule\'s first in a context) and their de-duplication keys, the same with or without a restore', () => {
    const every = defineRule({
      meta: { id: 'every', title: 'every observation', severity: 'info', confidence: 'strong', references: ['test'], description: 'test rule', tier: 2, on: 'any', vantage: ['HAR'] },
      check(ctx) {
        ctx.report({ message: 'seen', evidence: [{ url: ctx.msg.obs.url, requestId: ctx.msg.obs.url }] });
      },
    });
    const o = (i: number): Observation => ({ id: `o${i}`, ref: {}, context: 'tab:1', time: 1000 + i, url: `https://x.example/${i}`, method: 'GET', type: 'image', requestHeaders: [], responseHeaders: [] });
    const e = new Engine({ rules: [every] });
    for (let i = 0; i < 5003; i++) e.push(o(i));
    expect(e.findings).toHaveLength(5000);
    expect(e.findings.slice(0, 2).map((f) => f.evidence[0].url)).toEqual(['https://x.example/0', 'https://x.example/4']);
    const restored = new Engine({ rules: [every], state: JSON.parse(JSON.stringify(e.toJSON())) });
    // an evicted finding raised again is new in both; a kept one is a duplicate in both
    expect(e.push(o(1))).toHaveLength(1);
    expect(restored.push(o(1))).toHaveLength(1);
    expect(e.push(o(0))).toHaveLength(0);
    expect(restored.push(o(0))).toHaveLength(0);
    expect(e.push(o(4000))).toHaveLength(0);
    expect(restored.push(o(4000))).toHaveLength(0);
  });

  it('a malformed saved state gives an empty engine, never an exception', () => {
    for (const bad of [null, {}, { v: 1 }, { v: 1, store: { v: 1, flows: 'x', codes: 3 } }, { v: 1, store: { v: 2 } }]) {
      const e = new Engine({ state: bad as never });
      expect(e.flows()).toEqual([]);
      resetBuilders();
      expect(() => e.push(clean()[0])).not.toThrow();
    }
  });

  it('bad observations never throw', () => {
    const e = new Engine();
    for (const bad of [undefined, null, {}, { url: 3 }, { url: 'not a url', context: 'tab:1', requestHeaders: null, responseHeaders: [] }, { url: 'https://a.example/?code=1&state=2', context: 'tab:1', time: NaN, method: 'GET', type: 'main_frame', location: '://#x' }]) {
      expect(() => e.push(bad as never)).not.toThrow();
    }
  });
});

function strip(fs: readonly Finding[]): Finding[] {
  return fs.map((f) => ({ ...f }));
}

function b64(o: unknown): string {
  return btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

describe('engine correlation: random traffic (property)', () => {
  it('never throws, records no engine or group A rule errors, and stays serialisable', async () => {
    const fc = (await import('fast-check')).default;
    const { mixupRules } = await import('./rules/mixup/index');
    const origins = [P, HONEST, ATTACKER, 'https://sso.example.com', 'https://accounts.google.com'];
    const paths = ['/authorize', '/cb', '/cb/honest-tool', '/realms/r/protocol/openid-connect/auth', '/o/oauth2/v2/auth', '/login', '/par'];
    const values = ['S1', 'S2', rand('v1'), '', 'https://honest-as.example', `${P}/cb`, 'urn:ietf:params:oauth:request_uri:x', '%', '#'];
    const names = ['client_id', 'redirect_uri', 'state', 'code', 'iss', 'response_type', 'request_uri', 'error', 'id_token', 'access_token', 'sid', 'nonce'];
    const param = fc.tuple(fc.constantFrom(...names), fc.constantFrom(...values));
    const url = fc.tuple(fc.constantFrom(...origins), fc.constantFrom(...paths), fc.array(param, { maxLength: 5 }), fc.boolean()).map(
      ([o, p, ps, frag]) => `${o}${p}${frag ? '#' : '?'}${q(Object.fromEntries(ps))}`,
    );
    const ob = fc.record({
      url,
      location: fc.option(url, { nil: undefined }),
      referer: fc.option(fc.constantFrom(...origins), { nil: undefined }),
      initiator: fc.option(fc.constantFrom(...origins, 'null'), { nil: undefined }),
      context: fc.constantFrom('tab:1', 'tab:2'),
      at: fc.integer({ min: 0, max: 4000 }),
      post: fc.boolean(),
      reload: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(ob, { maxLength: 25 }), (list) => {
        resetBuilders();
        const observations = [...list]
          .sort((a, b) => a.at - b.at)
          .map((x) =>
            obs(x.url, {
              context: x.context,
              at: x.at,
              location: x.location,
              referer: x.referer,
              initiator: x.initiator,
              ...(x.post ? { method: 'POST', form: { state: 'S1', code: 'c' } } : {}),
              ...(x.reload ? { transition: { type: 'reload', qualifiers: [] } } : {}),
            }),
          );
        const e = new Engine({ rules: mixupRules, maxFlows: 5 });
        for (const o of observations) e.push(o);
        expect(e.errors).toEqual([]);
        expect(e.store.flows.size).toBeLessThanOrEqual(5);
        const state = JSON.parse(JSON.stringify(e.toJSON()));
        expect(JSON.parse(JSON.stringify(new Engine({ state, rules: mixupRules }).toJSON()))).toEqual(state);
      }),
      { numRuns: 300 },
    );
  });
});

describe('oauthMessages', () => {
  it('counts OAuth messages and not ordinary traffic (the background saves at once only after OAuth traffic)', () => {
    resetBuilders();
    const e = new Engine();
    e.push(obs('https://app.example/home'));
    e.push(obs('https://cdn.example/app.js?v=3', { type: 'script' }));
    expect(e.oauthMessages).toBe(0);
    e.push(obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: rand('count') })));
    expect(e.oauthMessages).toBe(1);
  });
});

describe('every rule on random OAuth-shaped traffic (property)', () => {
  it('no rule throws, whatever the mix of requests, responses, bodies and headers', async () => {
    const fc = (await import('fast-check')).default;
    const origins = [P, HONEST, ATTACKER, 'https://sso.example.com', 'https://accounts.google.com', 'http://localhost:3000'];
    const paths = ['/authorize', '/cb', '/token', '/par', '/revoke', '/introspect', '/.well-known/openid-configuration', '/jwks', '/login', '/api/me', '/'];
    const jwt = `${b64({ alg: 'none' })}.${b64({ iss: HONEST, aud: 'c', nonce: 'N1', exp: 2e9, iat: 1e9 })}.`;
    const values = ['S1', 'S2', 'N1', 'c', '', 'plain', 'S256', 'x'.repeat(43), 'authorization_code', 'refresh_token', 'password', jwt, `${P}/cb`, `${P}/cb/extra`, 'urn:ietf:params:oauth:request_uri:x', '%E0%A4%A', '#', 'code', 'token id_token'];
    const names = ['client_id', 'redirect_uri', 'state', 'code', 'iss', 'response_type', 'response_mode', 'request_uri', 'request', 'error', 'id_token', 'access_token', 'refresh_token', 'nonce', 'code_challenge', 'code_challenge_method', 'code_verifier', 'grant_type', 'client_secret', 'client_assertion', 'assertion', 'sid', 'auth_session_id'];
    const param = fc.tuple(fc.constantFrom(...names), fc.constantFrom(...values));
    const url = fc.tuple(fc.constantFrom(...origins), fc.constantFrom(...paths), fc.array(param, { maxLength: 6 }), fc.constantFrom('?', '#', '#/r?')).map(
      ([o, p, ps, sep]) => `${o}${p}${sep}${q(Object.fromEntries(ps))}`,
    );
    const body = fc.oneof(
      fc.constant(undefined),
      fc.dictionary(fc.constantFrom(...names, 'expires_in', 'token_type', 'issuer', 'token_endpoint', 'keys'), fc.oneof(fc.constantFrom(...values), fc.integer(), fc.constant(null), fc.array(fc.constantFrom(...values), { maxLength: 2 }))),
      fc.string({ maxLength: 20 }),
    );
    const ob = fc.record({
      url,
      location: fc.option(url, { nil: undefined }),
      referer: fc.option(url, { nil: undefined }),
      initiator: fc.option(fc.constantFrom(...origins, 'null'), { nil: undefined }),
      context: fc.constantFrom('tab:1', 'tab:2', 'har:0'),
      at: fc.integer({ min: 0, max: 4000 }),
      type: fc.constantFrom('main_frame', 'sub_frame', 'fetch', 'xhr', 'script', 'other'),
      form: fc.option(fc.array(param, { maxLength: 6 }), { nil: undefined }),
      status: fc.constantFrom(200, 201, 302, 303, 307, 400, 500),
      responseBody: body,
      cookie: fc.option(fc.constantFrom('sid=S1', 'a=b; c=d', ''), { nil: undefined }),
      setCookie: fc.option(fc.constantFrom('session=abcdefghijklmnopqrstuvwxyz; Path=/', 'oauth_state=; Max-Age=0'), { nil: undefined }),
      auth: fc.option(fc.constantFrom(`Bearer ${jwt}`, 'Basic YzpzZWNyZXQ=', 'DPoP abc'), { nil: undefined }),
      reload: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(ob, { maxLength: 20 }), (list) => {
        resetBuilders();
        const e = new Engine({ maxFlows: 8 });
        for (const x of [...list].sort((a, b) => a.at - b.at)) {
          const headers: Record<string, string> = {};
          if (x.cookie !== undefined) headers.Cookie = x.cookie;
          if (x.auth !== undefined) headers.Authorization = x.auth;
          e.push(
            obs(x.url, {
              context: x.context,
              at: x.at,
              type: x.type as never,
              location: x.location,
              referer: x.referer,
              initiator: x.initiator,
              status: x.status,
              headers,
              responseHeaders: x.setCookie ? { 'Set-Cookie': x.setCookie } : {},
              responseBody: x.responseBody as never,
              ...(x.form ? { method: 'POST', form: x.form } : {}),
              ...(x.reload ? { transition: { type: 'reload', qualifiers: [] } } : {}),
            }),
          );
        }
        e.finish();
        expect(e.errors).toEqual([]);
        expect(() => JSON.stringify(e.toJSON())).not.toThrow();
      }),
      { numRuns: 400 },
    );
  });
});

describe('derived indexes after a restore', () => {
  it('a nonce sent again after the worker restarted is still found (the nonce index is rebuilt from the flows)', () => {
    resetBuilders();
    const nonce = rand('same-nonce', 32);
    const a = new Engine();
    a.push(obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: rand('st1'), nonce, scope: 'openid', code_challenge: rand('cc1', 43), code_challenge_method: 'S256' })));
    const b = new Engine({ state: JSON.parse(JSON.stringify(a.toJSON())) });
    const found = b.push(obs(areq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, state: rand('st2'), nonce, scope: 'openid', code_challenge: rand('cc2', 43), code_challenge_method: 'S256' }), { at: 20 }));
    expect(found.filter((f) => f.ruleId === 'nonce-reused-or-mismatch').map((f) => f.variant)).toEqual(['reused']);
  });
});
