/**
 * bench/listeners-only (the page-load benchmark's "listeners only" extension) must register exactly
 * what the worker registers (src/background/registrations.ts: the rows always there and the rows
 * added per watched tab), or its figure means nothing.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CREDENTIAL_URLS, eventsFor, REGISTRATIONS, TAB_REGISTRATIONS, urlsFor, type Registration } from '../src/background/registrations';

const src = readFileSync(new URL('../bench/listeners-only/background.js', import.meta.url), 'utf8');
const table = (name: string): unknown => {
  const literal = new RegExp(`const ${name} = (\\[[\\s\\S]*?\\n\\]);`).exec(src)?.[1];
  expect(literal, name).toBeDefined();
  return new Function(`return ${literal}`)() as unknown;
};
const plain = (rs: readonly Registration[]) => rs.map((r) => ({ event: r.event, types: [...r.types], spec: [...r.spec], ...(r.urls ? { urls: [...r.urls] } : {}) }));

describe('bench/listeners-only', () => {
  it('carries the worker registration tables', () => {
    expect(table('REGISTRATIONS')).toEqual(plain(REGISTRATIONS));
    expect(table('TAB_REGISTRATIONS')).toEqual(plain(TAB_REGISTRATIONS));
  });

  it('listens to navigations with every event and to subresources with no onBeforeRequest', () => {
    expect([...eventsFor('main_frame')].sort()).toEqual(['onBeforeRedirect', 'onBeforeRequest', 'onBeforeSendHeaders', 'onCompleted', 'onErrorOccurred', 'onHeadersReceived']);
    for (const t of ['script', 'image', 'stylesheet', 'font', 'media', 'object', 'websocket']) expect([...eventsFor(t)].sort(), t).toEqual(['onBeforeRedirect', 'onBeforeSendHeaders', 'onCompleted', 'onErrorOccurred']);
    // Firefox's own names: imageset and object_subrequest as their Chromium types, beacon as ping
    for (const t of ['imageset', 'object_subrequest']) expect([...eventsFor(t, true)].sort(), t).toEqual(['onBeforeRedirect', 'onBeforeSendHeaders', 'onCompleted', 'onErrorOccurred']);
    expect([...eventsFor('beacon', true)].sort()).toEqual([...eventsFor('ping')].sort());
    // Chromium rejects a filter naming a type it does not know
    for (const t of ['imageset', 'beacon', 'object_subrequest']) expect(eventsFor(t).size, t).toBe(0);
    expect(eventsFor('csp_report').size).toBe(0);
  });

  it('asks for every subresource only per tab, and for the others only by URL', () => {
    for (const r of REGISTRATIONS) if (r.types.includes('image')) expect(r.urls, r.event).toBe(CREDENTIAL_URLS);
    for (const r of TAB_REGISTRATIONS) expect(r.urls, r.event).toBeUndefined();
    // a WebSocket handshake sends no Referer: by URL only
    for (const r of TAB_REGISTRATIONS) expect(r.types, r.event).not.toContain('websocket');
    // the Referer that referer-leak reads needs extraHeaders in Chromium: in the tab rows only
    expect(TAB_REGISTRATIONS.find((r) => r.event === 'onBeforeSendHeaders')?.spec).toContain('extraHeaders');
  });

  it('URL patterns: the parameters the rules read in any URL; Firefox also matches an encoded "_"', () => {
    // Chromium's `*` scheme is http(s) only: a wss: handshake needs its own pattern
    for (const n of ['access_token', 'refresh_token', 'id_token', 'client_secret', 'code_verifier', 'assertion', 'id_token_hint', 'grant_type'])
      for (const s of ['*', 'ws', 'wss']) expect(CREDENTIAL_URLS).toContain(`${s}://*/*${n}=*`);
    const row = REGISTRATIONS.find((r) => r.urls)!;
    expect(urlsFor(row, false)).toEqual([...CREDENTIAL_URLS]);
    expect(urlsFor(row, true)).toEqual([...CREDENTIAL_URLS, '*://*/*%5F*', '*://*/*%5f*']);
    expect(urlsFor(REGISTRATIONS[0], true)).toEqual(['<all_urls>']);
  });
});
