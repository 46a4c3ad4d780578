import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BODY_PLACEHOLDER, type LeanBodies } from './har-lean';
import { HarReadError, HarReader, type HarReadSummary, readHarStream } from './har-stream';

const enc = new TextEncoder();

function readAll(bytes: Uint8Array, cuts: number[] = [], opts = {}): { entries: unknown[]; pages: unknown[][]; summary: HarReadSummary } {
  const entries: unknown[] = [];
  const pages: unknown[][] = [];
  const r = new HarReader(
    {
      onEntry: (e, i) => {
        expect(i).toBe(entries.length);
        entries.push(e);
      },
      onPages: (p) => pages.push(p),
    },
    opts,
  );
  const points = [...new Set(cuts.map((c) => Math.min(Math.max(0, c), bytes.length)))].sort((a, b) => a - b);
  let prev = 0;
  for (const p of points) {
    r.write(bytes.subarray(prev, p));
    prev = p;
  }
  r.write(bytes.subarray(prev));
  const summary = r.end();
  return { entries, pages, summary };
}

function errorOf(fn: () => unknown): HarReadError {
  try {
    fn();
  } catch (e) {
    if (e instanceof HarReadError) return e;
    throw new Error(`expected a HarReadError, got ${String(e)}`);
  }
  throw new Error('expected an error');
}

const text = fc.string({ unit: 'binary', maxLength: 40 });
const header = fc.record({ name: text, value: text });
const entryArb = fc.record(
  {
    pageref: fc.constantFrom('page_1', 'page_2'),
    startedDateTime: fc.constant('2026-01-15T10:00:00.000Z'),
    time: fc.double({ min: 0, max: 1e6, noNaN: true }),
    request: fc.record({
      method: fc.constantFrom('GET', 'POST'),
      url: fc.webUrl({ withQueryParameters: true, withFragments: true }),
      headers: fc.array(header, { maxLength: 4 }),
      postData: fc.option(fc.record({ mimeType: text, text }), { nil: undefined }),
    }),
    response: fc.record({
      status: fc.integer({ min: 100, max: 599 }),
      headers: fc.array(header, { maxLength: 4 }),
      content: fc.record({ size: fc.nat(), mimeType: text, text }),
      redirectURL: text,
    }),
    _extra: fc.jsonValue({ maxDepth: 3 }),
  },
  { requiredKeys: ['startedDateTime', 'request', 'response'] },
);
const harArb = fc.record(
  {
    log: fc.record(
      {
        version: fc.constant('1.2'),
        creator: fc.record({ name: text, version: text }),
        pages: fc.array(fc.record({ id: text, title: text, startedDateTime: text }), { maxLength: 3 }),
        entries: fc.array(entryArb, { maxLength: 6 }),
        comment: text,
      },
      { requiredKeys: ['entries'] },
    ),
    extra: fc.jsonValue({ maxDepth: 2 }),
  },
  { requiredKeys: ['log'] },
);
const spaceArb = fc.constantFrom(undefined, 0, 1, 2, '\t');

describe('HarReader round-trip', () => {
  it('gives the same entries as JSON.parse, whatever the chunk boundaries', () => {
    fc.assert(
      fc.property(harArb, spaceArb, fc.array(fc.nat(), { maxLength: 12 }), (har, space, cuts) => {
        const json = JSON.stringify(har, null, space);
        const bytes = enc.encode(json);
        const expected = JSON.parse(json) as { log: { entries: unknown[]; pages?: unknown[] } };
        const got = readAll(
          bytes,
          cuts.map((c) => c % (bytes.length + 1)),
        );
        expect(got.entries).toEqual(expected.log.entries);
        expect(got.summary.entries).toBe(expected.log.entries.length);
        expect(got.summary.bytes).toBe(bytes.length);
        if (expected.log.pages) expect(got.pages).toEqual([expected.log.pages]);
        else expect(got.pages).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('survives every one-byte chunking of escapes and multi-byte characters', () => {
    const har = {
      log: {
        pages: [{ id: 'p"1\\', title: 'é€😀' }],
        entries: [
          { request: { url: 'https://a.example/?q=\\"x\\\\', headers: [{ name: '\\', value: '"\\"' }] }, response: { content: { text: '😀\u0000\n"}]' } } },
          { n: [1, -2.5e3, true, false, null, {}, []] },
        ],
      },
    };
    const bytes = enc.encode(JSON.stringify(har));
    const every = Array.from({ length: bytes.length }, (_, i) => i);
    expect(readAll(bytes, every).entries).toEqual(har.log.entries);
    for (let cut = 0; cut <= bytes.length; cut++) expect(readAll(bytes, [cut]).entries).toEqual(har.log.entries);
  });

  it('keeps no chunk: a caller may read every chunk into the same buffer (lean or not)', () => {
    fc.assert(
      fc.property(harArb, fc.integer({ min: 1, max: 64 }), fc.boolean(), (har, size, lean) => {
        const bytes = enc.encode(JSON.stringify(har));
        const entries: unknown[] = [];
        const onEntry = (e: unknown, _i: number, _s: unknown, bodies?: LeanBodies) => {
          const c = (e as { response?: { content?: { text?: unknown } } }).response?.content;
          if (bodies && c && typeof c.text === 'string' && c.text.startsWith(BODY_PLACEHOLDER)) c.text = bodies.text(Number(c.text.slice(BODY_PLACEHOLDER.length)));
          entries.push(e);
        };
        const r = new HarReader({ onEntry }, { lean });
        const buf = new Uint8Array(size);
        for (let at = 0; at < bytes.length; at += size) {
          const n = Math.min(size, bytes.length - at);
          buf.set(bytes.subarray(at, at + n));
          r.write(buf.subarray(0, n));
          buf.fill(0x7b); // what the next read would overwrite
        }
        r.end();
        expect(entries).toEqual(JSON.parse(JSON.stringify(har.log.entries)));
      }),
      { numRuns: 200 },
    );
  });

  it('records log.pages and whether they came before the entries', () => {
    const first = readAll(enc.encode('{"log":{"pages":[{"id":"p"}],"entries":[{"a":1}]}}'));
    expect(first.summary.pagesFirst).toBe(true);
    expect(first.summary.pages).toEqual([{ id: 'p' }]);
    const after = readAll(enc.encode('{"log":{"entries":[{"a":1}],"pages":[{"id":"p"}]}}'));
    expect(after.summary.pagesFirst).toBe(false);
    expect(after.pages).toEqual([[{ id: 'p' }]]);
  });

  it('accepts a UTF-8 byte order mark, split or not', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...enc.encode('{"log":{"entries":[{"x":"y"}]}}')]);
    expect(readAll(bytes).entries).toEqual([{ x: 'y' }]);
    expect(readAll(bytes, [1, 2]).entries).toEqual([{ x: 'y' }]);
  });
});

describe('HarReader errors', () => {
  it('never throws anything but a HarReadError on arbitrary bytes, chunked anyhow', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat({ max: 300 }), { maxLength: 5 }), (bytes, cuts) => {
        try {
          readAll(bytes, cuts);
        } catch (e) {
          expect(e).toBeInstanceOf(HarReadError);
          expect((e as HarReadError).message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('never throws anything but a HarReadError on JSON-ish noise', () => {
    const tok = fc.constantFrom('{', '}', '[', ']', ',', ':', '"', '\\', '"log"', '"entries"', '"pages"', '1', 'true', ' ', '"a"', 'nul', '\u00e9');
    fc.assert(
      fc.property(fc.array(tok, { maxLength: 60 }), fc.array(fc.nat({ max: 200 }), { maxLength: 4 }), (toks, cuts) => {
        try {
          readAll(enc.encode(toks.join('')), cuts);
        } catch (e) {
          expect(e).toBeInstanceOf(HarReadError);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('reports any truncation of a valid HAR as truncated, after delivering only whole entries', () => {
    fc.assert(
      fc.property(harArb, fc.nat(), fc.array(fc.nat(), { maxLength: 4 }), (har, at, cuts) => {
        const json = JSON.stringify(har);
        const bytes = enc.encode(json);
        const n = at % bytes.length; // a proper prefix
        const prefix = bytes.subarray(0, n);
        const entries: unknown[] = [];
        const r = new HarReader({ onEntry: (e) => entries.push(e) });
        let e: unknown;
        try {
          let prev = 0;
          for (const c of [...cuts.map((x) => x % (n + 1))].sort((a, b) => a - b)) {
            r.write(prefix.subarray(prev, c));
            prev = c;
          }
          r.write(prefix.subarray(prev));
          r.end();
        } catch (err) {
          e = err;
        }
        expect(e).toBeInstanceOf(HarReadError);
        const err = e as HarReadError;
        if (n === 0) expect(err.message).toMatch(/empty/);
        else {
          expect(err.code).toBe('HAR_TRUNCATED');
          expect(err.message).toMatch(new RegExp(`truncated at byte ${n}\\b`));
        }
        // compare with what JSON can carry (the arbitrary may hold -0, which JSON writes as 0)
        expect(entries).toEqual(JSON.parse(JSON.stringify(har.log.entries.slice(0, entries.length))));
      }),
      { numRuns: 300 },
    );
  });

  it('names the byte and the entry in its messages', () => {
    const bad = (s: string) => errorOf(() => readAll(enc.encode(s)));
    expect(bad('').message).toMatch(/empty/);
    expect(bad('   \n').message).toMatch(/only whitespace/);
    expect(bad('hello').message).toBe("not JSON: unexpected 'h' at byte 0");
    expect(bad('<html>').message).toMatch(/not JSON/);
    expect(bad('[1,2]').message).toMatch(/top-level value is an array/);
    expect(bad('{"a":1}').message).toMatch(/no "log" member/);
    expect(bad('{"log":{"version":"1.2"}}').message).toMatch(/log has no "entries" array/);
    expect(bad('{"log":{"entries":{}}}').message).toMatch(/log.entries is not an array \(byte 18\)/);
    expect(bad('{"log":[]}').message).toMatch(/"log" is not an object/);
    expect(bad('{"log":{"entries":[]}} x').message).toMatch(/after the end of the HAR at byte 23/);
    const t = bad('{"log":{"entries":[{"a":1},{"b":2},{"c":');
    expect(t.code).toBe('HAR_TRUNCATED');
    expect(t.message).toBe('truncated at byte 40, inside entry 2 (which starts at byte 35), after entry 1 (2 complete entries)');
    expect(t.entry).toBe(2);
    const t2 = bad('{"log":{"entries":[{"a":1}');
    expect(t2.message).toBe('truncated at byte 26, after entry 0 (1 complete entry)');
    const inv = bad('{"log":{"entries":[{"a":1},{"b":tru}]}}');
    expect(inv.code).toBe('HAR_MALFORMED');
    expect(inv.entry).toBe(1);
    expect(inv.message).toMatch(/^entry 1 \(bytes 27–36\) is not valid JSON/);
    expect(bad('{"log":{"entries":[{"a":1},]}}').message).toMatch(/unexpected '\]' at byte 27 \(expected an entry\)/);
    expect(bad('{"log":{"entries":[{"a":1} {"b":2}]}}').message).toMatch(/unexpected '\{' at byte 27 \(expected ',' or '\]'\)/);
    expect(bad('{"log":{"pages":[{"id":x}],"entries":[]}}').message).toMatch(/log.pages .* is not valid JSON/);
  });

  it('never quotes the broken text (it may hold a token) in its messages', () => {
    const secret = 'eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXBheWxvYWQ.c2lnbmF0dXJlLXNlY3JldA';
    for (const broken of [`{"a":[1,2,x${secret}]}`, `{"url":"https://a.example/?access_token=${secret}\n"}`, `{"t":"${secret}\\u00"}`]) {
      const e = errorOf(() => readAll(enc.encode(`{"log":{"entries":[${broken}]}}`)));
      expect(e.code).toBe('HAR_MALFORMED');
      expect(e.message).toMatch(/^entry 0 \(bytes 19–\d+\) is not valid JSON/);
      expect(e.message).not.toContain(secret.slice(0, 8));
    }
  });

  it('refuses an entry above the size limit without buffering the rest', () => {
    const big = `{"log":{"entries":[{"request":{"url":"https://a.example/?x=${'a'.repeat(5000)}"}}]}}`;
    const e = errorOf(() => readAll(enc.encode(big), [100, 200, 300], { maxEntryBytes: 1000 }));
    expect(e.code).toBe('INPUT_TOO_LARGE');
    expect(e.entry).toBe(0);
    expect(e.message).toMatch(/entry 0 \(starting at byte 19\) is larger than/);
  });

  it('keeps memory flat: captured bytes are released after each entry', () => {
    // 2000 entries of ~1 KB through a reader whose entry limit is 4 KB: only possible if nothing accumulates
    const one = JSON.stringify({ request: { url: `https://a.example/${'p'.repeat(900)}` } });
    const parts = ['{"log":{"entries":[', Array.from({ length: 2000 }, () => one).join(','), ']}}'];
    const got = readAll(enc.encode(parts.join('')), [5000, 100000, 1000000], { maxEntryBytes: 4096, maxOtherBytes: 4096 });
    expect(got.summary.entries).toBe(2000);
  });
});

describe('readHarStream', () => {
  it('reads an async stream of chunks and reports progress', async () => {
    const bytes = enc.encode(JSON.stringify({ log: { entries: [{ a: 1 }, { b: 'é' }] } }));
    async function* chunks() {
      for (let i = 0; i < bytes.length; i += 5) yield bytes.subarray(i, i + 5);
    }
    const seen: unknown[] = [];
    const progress: number[] = [];
    const summary = await readHarStream(chunks(), { onEntry: (e) => seen.push(e) }, { onProgress: (b) => progress.push(b) });
    expect(seen).toEqual([{ a: 1 }, { b: 'é' }]);
    expect(summary).toMatchObject({ entries: 2, bytes: bytes.length });
    expect(progress.at(-1)).toBe(bytes.length);
  });

  it('rejects with a HarReadError on a truncated stream', async () => {
    async function* chunks() {
      yield enc.encode('{"log":{"entries":[{"a":1},');
    }
    await expect(readHarStream(chunks(), { onEntry: () => undefined })).rejects.toThrow(/truncated at byte 27, after entry 0/);
  });
});

