/**
 * bench/listeners-only (the page-load benchmark's "listeners only" extension) must register exactly
 * what the worker registers (src/background/registrations.ts), or its figure means nothing.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eventsFor, REGISTRATIONS } from '../src/background/registrations';

describe('bench/listeners-only', () => {
  it('carries the worker registration table', () => {
    const src = readFileSync(new URL('../bench/listeners-only/background.js', import.meta.url), 'utf8');
    const literal = /const REGISTRATIONS = (\[[\s\S]*?\n\]);/.exec(src)?.[1];
    expect(literal).toBeDefined();
    const table = new Function(`return ${literal}`)() as unknown;
    expect(table).toEqual(REGISTRATIONS.map((r) => ({ event: r.event, types: [...r.types], spec: [...r.spec] })));
  });

  it('listens to navigations with every event and to images with no onBeforeRequest', () => {
    expect([...eventsFor('main_frame')].sort()).toEqual(['onBeforeRedirect', 'onBeforeRequest', 'onBeforeSendHeaders', 'onCompleted', 'onErrorOccurred', 'onHeadersReceived']);
    expect(eventsFor('image').has('onBeforeRequest')).toBe(false);
    expect(eventsFor('stylesheet').size).toBe(0);
  });
});
