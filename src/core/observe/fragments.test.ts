/**
 * Fragments from Location (detectors.md §0.1): the navigation that follows a redirect whose
 * Location has a fragment carries it, whatever the source shows (HAR/DevTools: the request without
 * the fragment; the extension: the committed URL, before or after the request), and one response
 * is reported once.
 */
import { describe, expect, it } from 'vitest';
import { Engine } from '../engine';
import { obs, q, rand, resetBuilders } from '../testing/builders';
import type { Observation } from './observation';

const AS = 'https://as.example';
const APP = 'https://app.example';

function implicitRedirect() {
  resetBuilders();
  const state = rand('st');
  const at = rand('at');
  const areq = `${AS}/authorize?${q({ client_id: 'spa', response_type: 'token', redirect_uri: `${APP}/cb`, state })}`;
  const full = `${APP}/cb#${q({ access_token: at, token_type: 'Bearer', state })}`;
  return { areq, full, at, state };
}

function push(list: Observation[]) {
  const e = new Engine();
  const seen: string[] = [];
  const e2 = new Engine({ onMessage: (m) => seen.push(`${m.kind} ${m.obs.id} ${m.obs.url.includes('#') ? 'frag' : 'nofrag'}`) });
  for (const o of list) {
    e.push(o);
    e2.push(o);
  }
  e.finish();
  e2.finish();
  return { findings: e.findings, seen, responses: e.flows().flatMap((f) => f.responses) };
}

describe('a redirect Location with a fragment', () => {
  it('HAR / DevTools: the follow-up request without the fragment is processed with it (its own entry, headers, status)', () => {
    const { areq, full } = implicitRedirect();
    const r = push([obs(areq, { location: full, status: 303 }), obs(`${APP}/cb`, { referer: `${AS}/`, status: 200 })]);
    expect(r.seen).toEqual(['authorization-request t1 nofrag', 'authorization-response t2 frag']);
    const tif = r.findings.filter((f) => f.ruleId === 'token-in-fragment');
    expect(tif).toHaveLength(1);
    expect(tif[0].evidence[0].entry).toBe(1);
    expect(r.findings.map((f) => f.ruleId)).toContain('implicit-grant');
    expect(r.responses).toHaveLength(1);
  });

  it('the extension: committed URL first, then the request: one response, read from the committed URL', () => {
    const { areq, full } = implicitRedirect();
    const r = push([obs(areq, { location: full }), obs(full, { navigationOnly: true, transition: { type: 'link', qualifiers: ['server_redirect'] } }), obs(`${APP}/cb`)]);
    expect(r.seen.filter((s) => s.startsWith('authorization-response'))).toEqual(['authorization-response t2 frag']);
    expect(r.findings.filter((f) => f.ruleId === 'token-in-fragment')).toHaveLength(1);
    expect(r.responses).toHaveLength(1);
  });

  it('the extension: request first, then its committed URL: the committed URL is not a second response', () => {
    const { areq, full } = implicitRedirect();
    const r = push([obs(areq, { location: full }), obs(`${APP}/cb`), obs(full, { navigationOnly: true })]);
    expect(r.seen.filter((s) => s.startsWith('authorization-response'))).toEqual(['authorization-response t2 frag']);
    expect(r.responses).toHaveLength(1);
    expect(r.findings.filter((f) => f.ruleId === 'token-in-fragment')).toHaveLength(1);
  });

  it('a reload of the fragment URL afterwards is processed (and is a G3 replay, not a new delivery)', () => {
    const { areq, full } = implicitRedirect();
    const r = push([obs(areq, { location: full }), obs(`${APP}/cb`), obs(full, { navigationOnly: true }), obs(full, { navigationOnly: true, transition: { type: 'reload', qualifiers: [] } })]);
    expect(r.seen.filter((s) => s.startsWith('authorization-response'))).toEqual(['authorization-response t2 frag', 'authorization-response t4 frag']);
    expect(r.findings.filter((f) => f.severity === 'critical' || f.ruleId === 'code-replay')).toEqual([]);
  });

  it('not followed (another navigation of the tab comes first): the Location is the response, before that navigation', () => {
    const { areq, full } = implicitRedirect();
    const r = push([obs(areq, { location: full }), obs(`${APP}/elsewhere`)]);
    expect(r.seen).toEqual(['authorization-request t1 nofrag', 'authorization-response t1> frag', 'other t2 nofrag']);
  });

  it('subresources of the old page in between do not end the wait; another tab does not either', () => {
    const { areq, full } = implicitRedirect();
    const r = push([obs(areq, { location: full }), obs(`${AS}/logo.png`, { type: 'image' }), obs(`${APP}/x`, { context: 'tab:2' }), obs(`${APP}/cb`)]);
    expect(r.seen.filter((s) => s.startsWith('authorization-response'))).toEqual(['authorization-response t4 frag']);
  });

  it('never followed (the capture ends): the Location is the response at the end', () => {
    const { areq, full } = implicitRedirect();
    const r = push([obs(areq, { location: full })]);
    expect(r.seen).toEqual(['authorization-request t1 nofrag', 'authorization-response t1> frag']);
    expect(r.findings.filter((f) => f.ruleId === 'token-in-fragment')).toHaveLength(1);
  });

  it("a client reading the Location itself (a non-navigation redirect) and an app's custom scheme: the response at once", () => {
    const { areq, at, state } = implicitRedirect();
    const r = push([obs(areq, { location: `${APP}/cb#${q({ access_token: at, state })}`, type: 'fetch' }), obs(`${APP}/next`)]);
    expect(r.seen.slice(0, 2)).toEqual(['other t1 nofrag', 'authorization-response t1> frag']);
    const c = implicitRedirect();
    const r2 = push([obs(c.areq, { location: `com.example.app:/cb#${q({ access_token: c.at, state: c.state })}` })]);
    expect(r2.seen).toEqual(['authorization-request t1 nofrag', 'authorization-response t1> frag']);
  });

  it('a Location without a fragment changes nothing (the request is processed as it is)', () => {
    resetBuilders();
    const state = rand('s2');
    const code = rand('c2');
    const areq = `${AS}/authorize?${q({ client_id: 'c', response_type: 'code', redirect_uri: `${APP}/cb`, state })}`;
    const cb = `${APP}/cb?${q({ code, state })}`;
    const r = push([obs(areq, { location: cb }), obs(cb)]);
    expect(r.seen).toEqual(['authorization-request t1 nofrag', 'authorization-response t2 nofrag']);
  });
});
