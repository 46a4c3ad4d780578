/**
 * REAL captures (test/fixtures/har/README.md): Playwright's recordHar in Debian's Chromium while it
 * plays the lab's scenarios against oidc-provider (made by test/fixtures/har/make-lab-chromium.mjs).
 * As in every real export, no request.url carries a fragment: fragment responses are only in the
 * AS's redirect Location (detectors.md §0.1), and every rule must still see them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../src/core/engine';
import { observationFromHarEntry } from '../src/core/observe/from-har';
import { feedHarEntries } from '../src/core/observe/har-feed';

const dir = join(import.meta.dirname, 'fixtures/har');
const load = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as { log: { entries: any[] } };

function scan(f: string) {
  const engine = new Engine();
  feedHarEntries(load(f).log.entries, (o) => engine.push(o));
  engine.finish();
  return engine;
}
const atLeastMedium = (e: Engine) => [...new Set(e.findings.filter((f) => ['medium', 'high', 'critical'].includes(f.severity)).map((f) => f.ruleId))].sort();

describe('Chromium recordHar captures of the lab', () => {
  it('no request.url in them has a fragment; the implicit response is only in a Location', () => {
    const har = load('lab-chromium-implicit.har');
    expect(har.log.entries.filter((e) => e.request.url.includes('#'))).toEqual([]);
    const redirect = har.log.entries.find((e) => e.response.headers.some((h: any) => /^location$/i.test(h.name) && /#.*access_token=/.test(h.value)));
    expect(redirect).toBeDefined();
    // Playwright's redirectURL drops the fragment the Location header carries
    expect(redirect.response.redirectURL).not.toContain('#');
    expect(observationFromHarEntry(redirect, { input: 0, entry: 0 }).location).toMatch(/#.*access_token=/);
  });

  it('implicit: implicit-grant and token-in-fragment, on the callback request with the fragment', () => {
    const e = scan('lab-chromium-implicit.har');
    expect(atLeastMedium(e)).toEqual(['implicit-grant', 'token-in-fragment']);
    const tif = e.findings.find((f) => f.ruleId === 'token-in-fragment')!;
    expect(tif.evidence[0].url).toMatch(/^https:\/\/platform\.example:18443\/spa\/cb#/);
    // one response, read once
    expect(e.flows().flatMap((f) => f.responses)).toHaveLength(1);
  });

  it('coat and mixup: the lab scenarios catch what they expect', () => {
    expect(atLeastMedium(scan('lab-chromium-coat.har'))).toEqual(expect.arrayContaining(['callback-context-mismatch', 'coat-context-switch']));
    expect(atLeastMedium(scan('lab-chromium-mixup.har'))).toEqual(expect.arrayContaining(['mixup-as-switch', 'mixup-iss-mismatch']));
  });

  it('a code re-delivered by a link on a third-party site seconds later: code-replay (high)', () => {
    const har = load('lab-chromium-redelivery.har');
    const cbs = har.log.entries.filter((e) => e.request.url.includes('/cb/honest?'));
    expect(cbs).toHaveLength(2);
    expect(cbs[0].request.url).toBe(cbs[1].request.url);
    const e = scan('lab-chromium-redelivery.har');
    expect(atLeastMedium(e)).toEqual(['code-replay']);
    expect(e.findings.find((f) => f.ruleId === 'code-replay')?.severity).toBe('high');
  });

  it('an open redirect after the implicit callback: open-redirect-token-exfil (critical), from the fragment the browser re-attached, though no request.url shows it', () => {
    const har = load('lab-chromium-open-redirect.har');
    expect(har.log.entries.filter((e) => e.request.url.includes('#'))).toEqual([]);
    const e = scan('lab-chromium-open-redirect.har');
    const f = e.findings.filter((x) => x.ruleId === 'open-redirect-token-exfil');
    expect(f.map((x) => [x.severity, x.variant])).toEqual([['critical', 'other-site-reattached']]);
    expect(f[0].evidence[1].value).toMatch(/^https:\/\/attacker-as\.example:18443\/loot/);
    expect(atLeastMedium(e)).toEqual(['implicit-grant', 'open-redirect-token-exfil', 'token-in-fragment']);
  });

  it('the callback page (code in its URL) followed 6 s later: credential-in-history (low), and nothing at medium or above', () => {
    const e = scan('lab-chromium-history.har');
    expect(e.findings.filter((f) => f.ruleId === 'credential-in-history').map((f) => f.severity)).toEqual(['low']);
    expect(atLeastMedium(e)).toEqual([]);
  });

  it('the same callback reloaded, then back and forward: nothing', () => {
    const har = load('lab-chromium-reload.har');
    expect(har.log.entries.filter((e) => e.request.url.includes('/cb/honest?'))).toHaveLength(3);
    expect(atLeastMedium(scan('lab-chromium-reload.har'))).toEqual([]);
  });
});
