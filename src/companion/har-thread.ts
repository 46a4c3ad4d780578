/**
 * A HAR file read on two threads (#10.2): a reading thread cuts the entries out of the byte stream
 * (har-stream.ts with `onEntryBytes`: the byte-level half, a third of what reading costs) and hands
 * their bytes over in batches, one per chunk read; the scan's thread parses each entry (har-entry.ts)
 * and runs the engine on it as before. The two overlap: reading no longer waits for the engine, nor
 * the engine for reading.
 *
 * - Same entries, same order, same values and the same errors as one HarReader on the scan's thread:
 *   the bytes cut are the same, and a malformed entry is found where it is parsed, on the scan's
 *   thread, in order; an error of the skeleton comes after the entries cut before it.
 * - Memory stays bounded: the reading thread waits when MAX_IN_FLIGHT batches are not yet
 *   acknowledged (a batch is about one chunk, 1 MiB, of entries).
 * - A batch's bytes are moved, not copied, between the threads (a transferred ArrayBuffer); bodies
 *   left out of a lean entry (har-lean.ts) travel with it, undecoded, as they stand in the file.
 *
 * Both halves speak through a message port, so the tests run them on one thread over a
 * MessageChannel; `coatcheck scan` runs the reading half in a worker (har-scan-worker.ts).
 */
import { EntryParser } from './har-entry';
import { HarReader, HarReadError, type HarEntrySpan, type HarReaderHandlers, type HarReaderOptions, type HarReadSummary } from './har-stream';
import type { CoreErrorCode } from '../core';

/** Batches the reading thread may have sent that the scan's thread has not finished with. */
export const MAX_IN_FLIGHT = 4;

/** What the scan's thread asks the reading thread to read. */
export interface HarThreadRequest {
  path: string;
  opts: HarReaderOptions;
}

/** Reading thread → scan's thread. */
export type ToScan =
  | { t: 'batch'; buf: ArrayBuffer; meta: Float64Array; bytes: number }
  | { t: 'end'; summary: HarReadSummary }
  | { t: 'error'; code: CoreErrorCode; message: string; offset?: number; entry?: number }
  | { t: 'io'; code?: string; message: string };

/** Scan's thread → reading thread: a batch is done with. */
export interface Ack {
  t: 'ack';
}

/** The part of a MessagePort (or a Worker, or worker_threads' parentPort) used here. */
export interface Port<In, Out> {
  postMessage(m: Out, transfer?: ArrayBuffer[]): void;
  on(event: 'message', cb: (m: In) => void): unknown;
}

/**
 * Entries' bytes gathered for one batch: the bytes back to back in one buffer, and per entry six
 * numbers (offset in the buffer, length, span start, span end, index, number of cut positions or -1)
 * then its cut positions.
 */
export class EntryBatch {
  private buf: Uint8Array;
  private used = 0;
  private meta: number[] = [];

  constructor(private readonly initial = 1024 * 1024) {
    this.buf = new Uint8Array(initial);
  }

  get entries(): number {
    return this.count;
  }
  private count = 0;

  add(bytes: Uint8Array, span: HarEntrySpan, index: number, cuts: readonly number[] | null): void {
    const need = this.used + bytes.length;
    if (need > this.buf.length) {
      const grown = new Uint8Array(Math.max(need, 2 * this.buf.length));
      grown.set(this.buf.subarray(0, this.used));
      this.buf = grown;
    }
    this.buf.set(bytes, this.used);
    this.meta.push(this.used, bytes.length, span.start, span.end, index, cuts ? cuts.length : -1);
    if (cuts) for (let k = 0; k < cuts.length; k++) this.meta.push(cuts[k]);
    this.used = need;
    this.count += 1;
  }

  /** The batch so far (its buffer handed over: transfer it), and an empty one started. */
  take(bytesRead: number): Extract<ToScan, { t: 'batch' }> {
    const out = { t: 'batch' as const, buf: this.buf.buffer as ArrayBuffer, meta: Float64Array.from(this.meta), bytes: bytesRead };
    this.buf = new Uint8Array(Math.max(this.initial, this.used));
    this.used = 0;
    this.meta = [];
    this.count = 0;
    return out;
  }
}

/** Hand a batch's entries, parsed, to `onEntry`, in order. */
export function deliverBatch(b: Extract<ToScan, { t: 'batch' }>, parser: EntryParser, onEntry: HarReaderHandlers['onEntry']): number {
  const buf = new Uint8Array(b.buf);
  const m = b.meta;
  let n = 0;
  for (let k = 0; k < m.length; ) {
    const off = m[k];
    const len = m[k + 1];
    const span = { start: m[k + 2], end: m[k + 3] };
    const index = m[k + 4];
    const nc = m[k + 5];
    k += 6;
    const cuts = nc < 0 ? null : Array.from(m.subarray(k, k + nc));
    if (nc > 0) k += nc;
    const { value, bodies } = parser.entry(buf.subarray(off, off + len), span.start, span.end, index, cuts);
    onEntry(value, index, span, bodies);
    n += 1;
  }
  return n;
}

/**
 * The reading half: read `chunks` through a HarReader that cuts entries without parsing them, send
 * a batch after each chunk, wait while MAX_IN_FLIGHT are unacknowledged. Ends with `end`, or with
 * `error`/`io` after the batch of the entries cut before the problem.
 */
export async function serveHarRead(port: Port<Ack, ToScan>, chunks: AsyncIterable<Uint8Array>, opts: HarReaderOptions): Promise<void> {
  let inFlight = 0;
  let wake: (() => void) | undefined;
  port.on('message', (m) => {
    if (m?.t !== 'ack') return;
    inFlight -= 1;
    const w = wake;
    wake = undefined;
    w?.();
  });
  const batch = new EntryBatch();
  const reader = new HarReader({ onEntryBytes: (bytes, span, index, cuts) => batch.add(bytes, span, index, cuts) }, opts);
  const send = () => {
    if (batch.entries === 0) return;
    const b = batch.take(reader.bytesRead);
    port.postMessage(b, [b.buf, b.meta.buffer as ArrayBuffer]);
    inFlight += 1;
  };
  try {
    for await (const chunk of chunks) {
      reader.write(chunk);
      send();
      while (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((r) => (wake = r));
    }
    const summary = reader.end();
    send();
    port.postMessage({ t: 'end', summary });
  } catch (e) {
    send();
    if (e instanceof HarReadError) port.postMessage({ t: 'error', code: e.code as CoreErrorCode, message: e.message, offset: e.offset, entry: e.entry });
    else port.postMessage({ t: 'io', code: (e as { code?: string })?.code, message: e instanceof Error ? e.message : String(e) });
  }
}

/**
 * The scan's half: entries from `port` parsed and handed to `handlers.onEntry` in order; resolves
 * with the reader's summary, rejects with its error (a HarReadError; an Error with the `code` of a
 * file system error) or with what `onEntry` threw. `onProgress` after each batch.
 */
export function receiveHarRead(
  port: Port<ToScan, Ack>,
  handlers: HarReaderHandlers,
  opts: { onProgress?(bytes: number, entries: number): void } = {},
): { done: Promise<HarReadSummary>; fail(e: unknown): void } {
  const parser = new EntryParser();
  let entries = 0;
  let settle: { resolve(s: HarReadSummary): void; reject(e: unknown): void };
  let over = false;
  const done = new Promise<HarReadSummary>((resolve, reject) => (settle = { resolve, reject }));
  const fail = (e: unknown) => {
    if (over) return;
    over = true;
    settle.reject(e);
  };
  port.on('message', (m) => {
    if (over) return;
    try {
      switch (m.t) {
        case 'batch':
          entries += deliverBatch(m, parser, (e, i, s, b) => handlers.onEntry(e, i, s, b));
          port.postMessage({ t: 'ack' });
          opts.onProgress?.(m.bytes, entries);
          return;
        case 'end':
          if (m.summary.pages) handlers.onPages?.(m.summary.pages);
          over = true;
          settle.resolve(m.summary);
          return;
        case 'error':
          throw new HarReadError(m.code, m.message, { offset: m.offset, entry: m.entry });
        case 'io':
          throw Object.assign(new Error(m.message), m.code === undefined ? {} : { code: m.code });
      }
    } catch (e) {
      fail(e);
    }
  });
  return { done, fail };
}
