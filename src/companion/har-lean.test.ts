/**
 * The lean reading (har-lean.ts) against JSON.parse as the oracle: whatever the chunking, the lean
 * entry with its bodies put back is the entry JSON.parse gives; a body left as '' is one no rule
 * reads; and a broken capture fails with the very error the whole-entry reading gives.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mayReadResponseBody, observationFromHarEntry } from '../core';
import { BODY_PLACEHOLDER, type LeanBodies, resolveLeanBody } from './har-lean';
import { HarReadError, HarReader } from './har-stream';

const enc = new TextEncoder();

interface Read {
  entries: unknown[];
  cut: number;
  error?: HarReadError;
}

/** Read `bytes` in the chunks `cuts` gives; `each` sees every entry with its bodies during onEntry. */
function read(bytes: Uint8Array, cuts: number[], lean: boolean, each: (e: unknown, bodies?: LeanBodies) => void = () => undefined): Read {
  const out: Read = { entries: [], cut: 0 };
  const r = new HarReader(
    {
      onEntry: (e, _i, _span, bodies) => {
        if (bodies) out.cut += bodies.count;
        each(e, bodies);
        out.entries.push(e);
      },
    },
    { lean },
  );
  try {
    const points = [...new Set(cuts.map((c) => Math.min(Math.max(0, c % (bytes.length + 1)), bytes.length)))].sort((a, b) => a - b);
    let prev = 0;
    for (const p of points) {
      r.write(bytes.subarray(prev, p));
      prev = p;
    }
    r.write(bytes.subarray(prev));
    r.end();
  } catch (e) {
    if (!(e instanceof HarReadError)) throw e;
    out.error = e;
  }
  return out;
}

/** Every body put back (what JSON.parse would have given). */
function restoreAll(e: unknown, bodies?: LeanBodies): void {
  const c = (e as { response?: { content?: { text?: unknown } } } | null)?.response?.content;
  if (!bodies || !c || typeof c !== 'object' || typeof c.text !== 'string' || !c.text.startsWith(BODY_PLACEHOLDER)) return;
  c.text = bodies.text(Number(c.text.slice(BODY_PLACEHOLDER.length)));
}

const text = fc.string({ unit: 'binary', maxLength: 30 });
// bodies: JSON-looking, HTML, escapes, astral characters, BOM, leading white space, long ones
const body = fc.oneof(
  text,
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.constantFrom('', ' {"keys":[]}', '\ufeff{"a":1}', '\u00a0{"issuer":"x"}', '\n{"access_token":"a"}', '<html>"}]\\', '{"a":"\u2028"}', 'é😀'.repeat(50)),
  fc.nat({ max: 3000 }).map((n) => 'x'.repeat(n)),
);
const header = fc.record({ name: text, value: text });
const url = fc.oneof(fc.webUrl({ withQueryParameters: true }), fc.constantFrom('https://as.example/token', 'https://as.example/.well-known/openid-configuration', 'https://as.example/jwks', 'https://as.example/certs'));
const entryArb = fc.record(
  {
    pageref: fc.constantFrom('page_1', 'page_2'),
    startedDateTime: fc.constant('2026-01-15T10:00:00.000Z'),
    time: fc.double({ min: 0, max: 1e6, noNaN: true }),
    request: fc.record(
      {
        method: fc.constantFrom('GET', 'POST', 'post'),
        url,
        headers: fc.array(header, { maxLength: 3 }),
        postData: fc.record({ mimeType: text, text: body }),
        queryString: fc.array(header, { maxLength: 2 }),
      },
      { requiredKeys: ['method', 'url'] },
    ),
    response: fc.record(
      {
        status: fc.integer({ min: 100, max: 599 }),
        headers: fc.array(header, { maxLength: 3 }),
        content: fc.record({ size: fc.nat(), mimeType: text, text: fc.oneof(body, fc.jsonValue({ maxDepth: 1 })), encoding: fc.constantFrom(undefined, 'base64') }, { requiredKeys: [] }),
        redirectURL: text,
        text: body, // not a body: response.text is not response.content.text
      },
      { requiredKeys: ['content'] },
    ),
    _extra: fc.jsonValue({ maxDepth: 3 }),
  },
  { requiredKeys: ['startedDateTime', 'request', 'response'] },
);
const harArb = fc.record({ log: fc.record({ version: fc.constant('1.2'), entries: fc.array(entryArb, { maxLength: 5 }) }) });
const spaceArb = fc.constantFrom(undefined, 0, 1, 2, '\t');
const cutsArb = fc.array(fc.nat(), { maxLength: 10 });

describe('lean reading vs JSON.parse', () => {
  it('with every body put back, gives the entries JSON.parse gives, whatever the chunking', () => {
    let cut = 0;
    fc.assert(
      fc.property(harArb, spaceArb, cutsArb, (har, space, cuts) => {
        const json = JSON.stringify(har, null, space);
        const got = read(enc.encode(json), cuts, true, restoreAll);
        expect(got.error).toBeUndefined();
        expect(got.entries).toEqual((JSON.parse(json) as { log: { entries: unknown[] } }).log.entries);
        cut += got.cut;
      }),
      { numRuns: 400 },
    );
    expect(cut).toBeGreaterThan(100); // the property did exercise bodies left out
  });

  it('leaves as "" only bodies no rule reads, and otherwise the body itself', () => {
    fc.assert(
      fc.property(harArb, cutsArb, fc.boolean(), (har, cuts, anyJson) => {
        const json = JSON.stringify(har);
        const oracle = (JSON.parse(json) as { log: { entries: { response: { content?: { text?: unknown } } }[] } }).log.entries;
        const got = read(enc.encode(json), cuts, true, (e, b) => resolveLeanBody(e, b, { anyJson }));
        expect(got.error).toBeUndefined();
        got.entries.forEach((e, i) => {
          const want = oracle[i];
          const c = (e as typeof want).response.content;
          if (typeof want.response.content?.text !== 'string') expect(c?.text).toEqual(want.response.content?.text);
          else if (c?.text !== want.response.content.text) {
            expect(c?.text).toBe('');
            // what was left out: no rule reads it (classify.ts), nor the HTML report's JWKS test
            const o = observationFromHarEntry(want, { input: 0, entry: i });
            expect(mayReadResponseBody(o)).toBe(false);
            if (anyJson) expect(o.responseBody !== undefined && o.responseBody.length < 200_000 && /^\s*\{/.test(o.responseBody)).toBe(false);
          }
          // everything else is the entry itself
          expect({ ...(e as object), response: { ...(e as typeof want).response, content: undefined } }).toEqual({ ...want, response: { ...want.response, content: undefined } });
        });
      }),
      { numRuns: 300 },
    );
  });

  it('fails on a broken capture exactly as the whole-entry reading does', () => {
    const alphabet = fc.constantFrom('"', '\\', '{', '}', '[', ']', ',', ':', 'u', 'x', '0', '1', 'e', '-', ' ', 't', 'n', '\u00e9');
    const edit = fc.record({ at: fc.nat(), del: fc.nat({ max: 3 }), ins: fc.array(alphabet, { maxLength: 3 }) });
    fc.assert(
      fc.property(harArb, fc.array(edit, { minLength: 1, maxLength: 3 }), cutsArb, (har, edits, cuts) => {
        let json = JSON.stringify(har);
        for (const e of edits) {
          const at = e.at % (json.length + 1);
          json = json.slice(0, at) + e.ins.join('') + json.slice(at + e.del);
        }
        const bytes = enc.encode(json);
        const whole = read(bytes, cuts, false);
        const lean = read(bytes, cuts, true, restoreAll);
        expect(lean.error?.message).toBe(whole.error?.message);
        expect(lean.error?.code).toBe(whole.error?.code);
        expect(lean.entries).toEqual(whole.entries);
      }),
      { numRuns: 1500 },
    );
  });

  it('cuts response.content.text only: not postData.text, response.text, an escaped name, or a text that is no string', () => {
    const e = {
      startedDateTime: 'x',
      request: { method: 'POST', url: 'https://a.example/', postData: { text: 'p'.repeat(100) } },
      response: { text: 'r'.repeat(100), content: { text: 'c'.repeat(100) } },
    };
    const one = (entry: string) => {
      const got = read(enc.encode(`{"log":{"entries":[${entry}]}}`), [], true);
      return { entry: got.entries[0] as typeof e, cut: got.cut };
    };
    const r = one(JSON.stringify(e));
    expect(r.cut).toBe(1);
    expect(r.entry.request.postData.text).toBe(e.request.postData.text);
    expect(r.entry.response.text).toBe(e.response.text);
    expect(r.entry.response.content.text.startsWith(BODY_PLACEHOLDER)).toBe(true);
    expect(one(JSON.stringify(e).replace('"content"', '"conten\\u0074"')).cut).toBe(0);
    expect(one(JSON.stringify(e).replace('"text":"ccc', '"te\\u0078t":"ccc')).cut).toBe(0);
    expect(one(JSON.stringify({ ...e, response: { content: { text: { a: 'c'.repeat(100) } } } })).cut).toBe(0);
    expect(one(JSON.stringify({ ...e, response: [{ content: { text: 'c' } }] })).cut).toBe(0);
  });

  it('reads a 1 MB body split over many chunks, deep nesting beside it, a BOM before the capture', () => {
    const big = `{"keys":[${Array.from({ length: 8000 }, (_, i) => `{"kid":"k${i}","n":"${'A'.repeat(100)}"}`).join(',')}]}`;
    const entry = { startedDateTime: 'x', request: { method: 'GET', url: 'https://as.example/jwks' }, response: { content: { text: big } }, deep: JSON.parse('['.repeat(1000) + ']'.repeat(1000)) as unknown };
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...enc.encode(JSON.stringify({ log: { entries: [entry, entry] } }))]);
    const cuts = Array.from({ length: 12 }, (_, i) => i * 100_003);
    const got = read(bytes, cuts, true, (e, b) => resolveLeanBody(e, b));
    expect(got.cut).toBe(2);
    expect(got.entries).toEqual([entry, entry]);
  });

  it('tolerates a raw control character in a body no rule reads; one a rule reads fails as before', () => {
    const har = (u: string, body: string) => `{"log":{"entries":[{"startedDateTime":"x","request":{"method":"GET","url":"${u}"},"response":{"content":{"text":"${body}"}}}]}}`;
    const skipped = read(enc.encode(har('https://a.example/page', '<p>\u0001</p>')), [], true, (e, b) => resolveLeanBody(e, b));
    expect(skipped.error).toBeUndefined();
    expect((skipped.entries[0] as { response: { content: { text: string } } }).response.content.text).toBe('');
    // a short body that may be JSON stays in the entry's text: JSON.parse sees it, as before
    const short = enc.encode(har('https://a.example/page', '{\u0001}'));
    expect(read(short, [], true).error?.message).toBe(read(short, [], false).error?.message);
    expect(read(short, [], true).error?.message).toMatch(/^entry 0 \(bytes 19–\d+\) is not valid JSON/);
    const bytes = enc.encode(har('https://as.example/.well-known/openid-configuration', `{${'x'.repeat(5000)}\u0001}`));
    const read1 = read(bytes, [], true, (e, b) => resolveLeanBody(e, b));
    expect(read1.error?.message).toBe(read(bytes, [], false).error?.message);
    expect(read1.error?.message).toMatch(/^entry 0 \(bytes 19–\d+\) is not valid JSON/);
  });
});
