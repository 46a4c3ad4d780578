/**
 * False-positive guard on realistic benign traffic: the benchmark's synthetic browsing (pages with
 * static assets, API calls with bearer JWTs and JSON bodies, analytics beacons, and every sixth visit
 * a PKCE + state + nonce + iss login at one of three authorization servers, an SPA token exchange and
 * refresh grants) must raise no finding at all. Every new rule runs over it.
 */
import { describe, expect, it } from 'vitest';
import { harEntries } from '../bench/synth.mjs';
import { Engine } from '../src/core/engine';
import { observationFromHarEntry } from '../src/core/observe/from-har';

describe('synthetic benign browsing', () => {
  it('6 000 events (about 60 logins) raise no finding', () => {
    const e = new Engine();
    const gen = harEntries(7);
    for (let i = 0; i < 6000; i++) e.push(observationFromHarEntry(gen.next().value, { input: 0, entry: i }));
    e.finish();
    expect(e.errors).toEqual([]);
    expect(e.flows().length).toBeGreaterThan(20);
    expect(e.findings.map((f) => `${f.ruleId}:${f.severity}: ${f.message}`)).toEqual([]);
  });
});
