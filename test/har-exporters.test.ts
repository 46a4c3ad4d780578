/**
 * HAR form bodies as each exporter writes them (detectors.md §0.1 "Form bodies"), and the Google
 * account chooser's form POST, which is neither a PAR nor an authorization request (§0.2).
 * Fixtures (test/fixtures/har/README.md says where each comes from):
 * - chrome-devtools-google-chooser.har: hand-written in the exact shape of Chrome 131's DevTools
 *   "Export HAR" (params percent-encoded as sent, text beside them, _initiator, page_N pages);
 * - firefox-google-chooser.har: the same login in Firefox 128's export shape (params decoded);
 * - playwright-recordhar-form.har: a real recording by Playwright 1.65 recordHar in Chromium 156
 *   (made by test/fixtures/har/make-playwright.mjs).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classify } from '../src/core/classify/classify';
import { Engine } from '../src/core/engine';
import { observationFromHarEntry } from '../src/core/observe/from-har';

const dir = join(import.meta.dirname, 'fixtures/har');
const load = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as { log: { entries: Record<string, any>[] } };
const CB = 'https://app.example/login/oauth2/code/google';

function run(entries: unknown[]) {
  const engine = new Engine();
  entries.forEach((e, i) => engine.push(observationFromHarEntry(e, { input: 0, entry: i })));
  engine.finish();
  return engine;
}

/** the entry without its postData.text (what a HAR tool that keeps only params leaves) */
function paramsOnly(e: Record<string, any>) {
  const c = structuredClone(e);
  delete c.request.postData.text;
  return c;
}

describe.each([
  ['chrome-devtools-google-chooser.har', 'Chrome (params percent-encoded)'],
  ['firefox-google-chooser.har', 'Firefox (params decoded)'],
])('%s — %s', (file) => {
  const har = load(file);
  const chooser = har.log.entries.find((e) => e.request.method === 'POST')!;

  it('the form body is decoded from postData.text', () => {
    const o = observationFromHarEntry(chooser, { input: 0, entry: 2 });
    const form = new Map(o.requestBody?.form);
    expect(form.get('redirect_uri')).toBe(CB);
    expect(form.get('scope')).toBe('openid email profile');
    expect(form.get('f.req')).toBe('["af0ifjsldkj",null,1]');
  });

  it('params alone (no text) are read right too, encoded or not', () => {
    const o = observationFromHarEntry(paramsOnly(chooser), { input: 0, entry: 2 });
    const form = new Map(o.requestBody?.form);
    expect(form.get('redirect_uri')).toBe(CB);
    expect(form.get('scope')).toBe('openid email profile');
    expect(form.get('at')).toBe('AFoagUXq2_-9rH:1700000000000');
  });

  it('the account chooser POST is neither a PAR nor an authorization request', () => {
    for (const e of [chooser, paramsOnly(chooser)]) {
      const m = classify(observationFromHarEntry(e, { input: 0, entry: 2 }));
      expect(m.kind).toBe('other');
    }
  });

  it('the capture gives no redirect-uri-malformed and no pushed request', () => {
    for (const entries of [har.log.entries, har.log.entries.map((e) => (e.request.postData ? paramsOnly(e) : e))]) {
      const engine = run(entries);
      expect(engine.findings.filter((f) => f.ruleId === 'redirect-uri-malformed')).toEqual([]);
      expect(engine.findings.filter((f) => /pushed|PAR\b/i.test(f.message))).toEqual([]);
      expect(engine.errors).toEqual([]);
      // the login itself is understood: one flow, its callback linked
      const flows = engine.flows();
      expect(flows).toHaveLength(1);
      expect(flows[0].redirectUri).toBe(CB);
      expect(flows[0].responses.some((r) => r.code !== undefined)).toBe(true);
    }
  });
});

describe('playwright-recordhar-form.har (a real Playwright recordHar capture)', () => {
  const har = load('playwright-recordhar-form.har');
  const [, chooser, formPost] = har.log.entries;

  it('reads the fetch form body from text (Playwright writes params: [] for it)', () => {
    expect(chooser.request.postData.params).toEqual([]);
    const o = observationFromHarEntry(chooser, { input: 0, entry: 1 });
    expect(new Map(o.requestBody?.form).get('redirect_uri')).toBe(CB);
    expect(classify(o).kind).toBe('other');
  });

  it('form-decodes the form_post body: + is a space, %2B a plus, %26 an ampersand', () => {
    const o = observationFromHarEntry(formPost, { input: 0, entry: 2 });
    const form = new Map(o.requestBody?.form);
    expect(form.get('note')).toBe('a b+c&d=e');
    expect(form.get('code')).toBe('SplxlOBeZQQYbYS6WxSbIA');
    // Playwright's own params are decoded: read without the text, the same values come out
    expect(new Map(observationFromHarEntry(paramsOnly(formPost), { input: 0, entry: 2 }).requestBody?.form).get('note')).toBe('a b+c&d=e');
  });

  it('raises no redirect-uri-malformed and records no pushed request', () => {
    const engine = run(har.log.entries);
    expect(engine.findings.filter((f) => f.ruleId === 'redirect-uri-malformed')).toEqual([]);
    expect(engine.errors).toEqual([]);
  });
});
