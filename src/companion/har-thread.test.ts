/**
 * The two-thread reading of a HAR (har-thread.ts) against one HarReader: both halves run here, on
 * one thread, over a MessageChannel (the worker in `coatcheck scan` is the same code behind a
 * Worker's port; test/cli-bin.test.ts runs the built one).
 */
import fc from 'fast-check';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { BODY_PLACEHOLDER, type LeanBodies } from './har-lean';
import { HarReader, type HarEntrySpan } from './har-stream';
import { type Ack, EntryBatch, MAX_IN_FLIGHT, type Port, receiveHarRead, serveHarRead, type ToScan } from './har-thread';

const enc = new TextEncoder();

interface Seen {
  entries: { value: unknown; index: number; span: HarEntrySpan }[];
  summary?: unknown;
  error?: { name: string; message: string; code?: unknown; offset?: unknown; entry?: unknown };
}

/** every body put back (what a rule could read), so that what the bodies hold is compared too */
function restoreAll(e: unknown, bodies?: LeanBodies): unknown {
  const c = (e as { response?: { content?: { text?: unknown } } } | null)?.response?.content;
  if (bodies && c && typeof c.text === 'string' && c.text.startsWith(BODY_PLACEHOLDER)) c.text = bodies.text(Number(c.text.slice(BODY_PLACEHOLDER.length)));
  return e;
}

const describeError = (e: unknown): Seen['error'] => {
  const x = e as { name?: string; message?: string; code?: unknown; offset?: unknown; entry?: unknown };
  return { name: String(x?.name), message: String(x?.message), code: x?.code, offset: x?.offset, entry: x?.entry };
};

function chunked(bytes: Uint8Array, points: number[]): Uint8Array[] {
  const at = [...new Set(points.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of [...at, bytes.length]) {
    out.push(bytes.slice(prev, p));
    prev = p;
  }
  return out;
}

function direct(chunks: Uint8Array[]): Seen {
  const seen: Seen = { entries: [] };
  const r = new HarReader({ onEntry: (value, index, span, bodies) => seen.entries.push({ value: restoreAll(value, bodies), index, span }) }, { lean: true });
  try {
    for (const c of chunks) r.write(c);
    seen.summary = r.end();
  } catch (e) {
    seen.error = describeError(e);
  }
  return seen;
}

async function* gen(chunks: Uint8Array[], failAfter?: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < chunks.length; i++) {
    if (i === failAfter) throw Object.assign(new Error('EACCES: permission denied, read'), { code: 'EACCES' });
    // the reader keeps no chunk: hand it a buffer that is overwritten afterwards, as fileChunks does
    const buf = new Uint8Array(chunks[i]);
    yield buf;
    buf.fill(0x7b);
  }
}

/** serve and receive over one MessageChannel; `tap` sees every message to the scan's half */
async function threaded(chunks: Uint8Array[], opts: { failAfter?: number; onEntry?: (i: number) => void; tap?: (m: ToScan | Ack, dir: 'toScan' | 'toReader') => void } = {}): Promise<Seen> {
  const { port1, port2 } = new MessageChannel();
  const tapped = <In, Out extends ToScan | Ack>(p: MessagePort, dir: 'toScan' | 'toReader'): Port<In, Out> => ({
    postMessage: (m, transfer) => {
      opts.tap?.(m, dir);
      p.postMessage(m, transfer);
    },
    on: (ev, cb) => p.on(ev, cb),
  });
  const seen: Seen = { entries: [] };
  const served = serveHarRead(tapped<Ack, ToScan>(port1, 'toScan'), gen(chunks, opts.failAfter), { lean: true });
  const r = receiveHarRead(tapped<ToScan, Ack>(port2, 'toReader'), {
    onEntry: (value, index, span, bodies) => {
      opts.onEntry?.(index);
      seen.entries.push({ value: restoreAll(value, bodies), index, span });
    },
  });
  try {
    seen.summary = await r.done;
    await served;
  } catch (e) {
    seen.error = describeError(e);
  } finally {
    port1.close();
    port2.close();
  }
  return seen;
}

const text = fc.string({ unit: 'binary', maxLength: 30 });
const body = fc.oneof(text, fc.constantFrom('', '{"access_token":"a","refresh_token":"r"}', ' {"keys":[]}', '<html>"}]\\', 'é😀'.repeat(40), 'x'.repeat(5000), `{"a":"${'y'.repeat(5000)}"}`));
const entryArb = fc.record({
  startedDateTime: fc.constant('2026-01-15T10:00:00.000Z'),
  request: fc.record({ method: fc.constantFrom('GET', 'POST'), url: fc.constantFrom('https://as.example/token', 'https://as.example/.well-known/openid-configuration', 'https://rp.example/cb?code=c&state=s', 'https://cdn.example/app.js'), headers: fc.array(fc.record({ name: text, value: text }), { maxLength: 3 }) }),
  response: fc.record({ status: fc.integer({ min: 100, max: 599 }), content: fc.record({ size: fc.nat(), text: body, encoding: fc.constantFrom(undefined, 'base64') }, { requiredKeys: ['text'] }) }),
});
const harArb = fc.record({ log: fc.record({ version: fc.constant('1.2'), entries: fc.array(entryArb, { maxLength: 8 }), pages: fc.array(fc.record({ id: text }), { maxLength: 2 }) }, { requiredKeys: ['entries'] }) });
/** a valid capture, or one broken: cut short, a byte replaced, a byte inserted */
const damageArb = fc.oneof(fc.constant({ kind: 'none' as const }), fc.record({ kind: fc.constantFrom('truncate' as const, 'replace' as const, 'insert' as const), at: fc.nat(), byte: fc.constantFrom(0x22, 0x5c, 0x7b, 0x7d, 0x2c, 0x00, 0xff, 0x61) }));

function damaged(bytes: Uint8Array, d: { kind: 'none' | 'truncate' | 'replace' | 'insert'; at?: number; byte?: number }): Uint8Array {
  if (d.kind === 'none' || bytes.length === 0) return bytes;
  const at = (d.at ?? 0) % bytes.length;
  if (d.kind === 'truncate') return bytes.slice(0, at);
  if (d.kind === 'replace') return Uint8Array.from(bytes, (b, i) => (i === at ? d.byte! : b));
  return new Uint8Array([...bytes.subarray(0, at), d.byte!, ...bytes.subarray(at)]);
}

describe('reading a HAR on two threads', () => {
  it('gives the entries, bodies, spans, summary and errors one HarReader gives, whatever the chunks and damage', async () => {
    await fc.assert(
      fc.asyncProperty(harArb, damageArb, fc.array(fc.nat(), { maxLength: 12 }), fc.constantFrom(undefined, 0, 2), async (har, d, points, space) => {
        const bytes = damaged(enc.encode(JSON.stringify(har, null, space)), d);
        const chunks = chunked(bytes, points);
        const want = direct(chunks);
        const got = await threaded(chunks);
        expect(got).toEqual(want);
      }),
      { numRuns: 300 },
    );
  });

  it('an I/O error after some chunks comes after the entries read before it, with its code', async () => {
    const har = { log: { entries: Array.from({ length: 6 }, (_, i) => ({ request: { url: `https://a.example/${i}` }, response: { content: { text: 'x' } } })) } };
    const bytes = enc.encode(JSON.stringify(har));
    const chunks = chunked(bytes, [Math.floor(bytes.length / 2)]);
    const got = await threaded(chunks, { failAfter: 1 });
    expect(got.error).toMatchObject({ code: 'EACCES', message: 'EACCES: permission denied, read' });
    expect(got.entries.length).toBe(direct([chunks[0]]).entries.length);
    expect(got.entries.length).toBeGreaterThan(0);
  });

  it('what the scan throws from onEntry ends the read with that error; nothing after it is delivered', async () => {
    const har = { log: { entries: Array.from({ length: 40 }, (_, i) => ({ request: { url: `https://a.example/${i}` } })) } };
    const bytes = enc.encode(JSON.stringify(har));
    const stop = new Error('out of order');
    const calls: number[] = [];
    const got = await threaded(chunked(bytes, [100, 300, 500, 900]), {
      onEntry: (i) => {
        calls.push(i);
        if (i === 7) throw stop;
      },
    });
    expect(got.error?.message).toBe('out of order');
    expect(calls).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it(`keeps at most ${MAX_IN_FLIGHT} batches unacknowledged, however slow the scan`, async () => {
    const har = { log: { entries: Array.from({ length: 300 }, (_, i) => ({ request: { url: `https://a.example/${i}` }, response: { content: { text: 'z'.repeat(500) } } })) } };
    const bytes = enc.encode(JSON.stringify(har));
    const points = Array.from({ length: 60 }, (_, i) => Math.floor(((i + 1) * bytes.length) / 61));
    let inFlight = 0;
    let most = 0;
    let batches = 0;
    const got = await threaded(chunked(bytes, points), {
      tap: (m) => {
        if (m.t === 'batch') {
          batches += 1;
          most = Math.max(most, ++inFlight);
        } else if (m.t === 'ack') inFlight -= 1;
      },
      onEntry: () => {
        const until = Date.now() + 0.2;
        while (Date.now() < until); // a scan slower than reading
      },
    });
    expect(got.error).toBeUndefined();
    expect(got.entries.length).toBe(300);
    expect(batches).toBeGreaterThan(2 * MAX_IN_FLIGHT);
    expect(most).toBeLessThanOrEqual(MAX_IN_FLIGHT);
  });
});

describe('EntryBatch', () => {
  it('grows past its first buffer and starts each batch empty', () => {
    const b = new EntryBatch(8);
    b.add(enc.encode('{"a":"0123456789"}'), { start: 10, end: 28 }, 0, null);
    b.add(enc.encode('{"b":1}'), { start: 29, end: 36 }, 1, [33, 34]);
    expect(b.entries).toBe(2);
    const m = b.take(40);
    expect(Array.from(m.meta)).toEqual([0, 18, 10, 28, 0, -1, 18, 7, 29, 36, 1, 2, 33, 34]);
    expect(new TextDecoder().decode(new Uint8Array(m.buf, 0, 25))).toBe('{"a":"0123456789"}{"b":1}');
    expect(m.bytes).toBe(40);
    expect(b.entries).toBe(0);
    expect(Array.from(b.take(41).meta)).toEqual([]);
  });
});
