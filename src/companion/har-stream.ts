/**
 * Streaming HAR reader: finds `log.entries` in a byte stream and hands over one parsed entry at a
 * time, so a capture of several hundred MB is scanned in memory bounded by its largest entry.
 *
 * It is a small incremental scanner over the skeleton `{ "log": { …, "entries": [ … ] } }`: the
 * skeleton's punctuation is checked byte by byte; every value hanging off it (an entry, `pages`,
 * `creator`, …) is cut out by tracking strings, escapes and nesting depth (har-capture.ts), then
 * `JSON.parse`d on its own: an entry lean, without its response body, with the `lean` option
 * (har-lean.ts). Errors carry the byte offset and, where it helps, the entry index
 * (har-read-error.ts).
 */
import { type CoreErrorCode } from '../core';
import { describeByte, HarReadError, type HarReaderHandlers, type HarReaderOptions, type HarReadSummary, MiB, parseError } from './har-read-error';
import { type Capture, type Role, ValueCapture } from './har-capture';
import { CutBodies, type LeanBodies, leanBytes, worthCutting } from './har-lean';

export { HarReadError, type HarEntrySpan, type HarReaderHandlers, type HarReaderOptions, type HarReadSummary } from './har-read-error';

const Q = 0x22; // "
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACK = 0x5b;
const RBRACK = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
const BOM = [0xef, 0xbb, 0xbf];

function isWs(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

const enum St {
  KeyOrEnd,
  Key,
  Colon,
  Value,
  CommaOrEnd,
  ValueOrEnd,
}
interface Frame {
  role: Role;
  st: St;
  key: string | null;
  sawEntries: boolean;
  start: number;
}

/**
 * Incremental reader: `write(chunk)` as bytes arrive, `end()` at the end of the stream. Entries are
 * delivered synchronously from inside `write`. Throws `HarReadError` on malformed input; after an
 * error the reader must not be used again.
 */
export class HarReader extends ValueCapture {
  private readonly h: HarReaderHandlers;
  private scratch: Uint8Array = new Uint8Array(64 * 1024);
  private readonly decoder = new TextDecoder('utf-8');
  private stack: Frame[] = [];
  private started = false;
  private done = false; // root object closed
  private sawLog = false;
  private bomCheck = 0; // bytes of a UTF-8 BOM matched so far
  private pages: unknown[] | undefined;
  private pagesFirst = false;

  constructor(handlers: HarReaderHandlers, opts: HarReaderOptions = {}) {
    super(opts.maxEntryBytes ?? 256 * MiB, opts.maxOtherBytes ?? 16 * MiB, opts.lean === true);
    this.h = handlers;
  }

  get entries(): number {
    return this.entryCount;
  }

  get bytesRead(): number {
    return this.offset;
  }

  /** Read `chunk`; it is not kept after the call (the caller may fill it again). */
  write(chunk: Uint8Array): void {
    const len = chunk.length;
    this.nextQ = -1;
    this.nextBs = -1;
    let i = 0;
    // a UTF-8 byte order mark before the first value is allowed (Fiddler and some proxies write one)
    while (this.bomCheck < 3 && i < len) {
      if (chunk[i] === BOM[this.bomCheck]) {
        this.bomCheck += 1;
        i += 1;
      } else {
        if (this.bomCheck > 0) this.fail('HAR_MALFORMED', `not JSON: unexpected ${describeByte(chunk[i])} at byte ${this.offset + i}`, this.offset + i);
        this.bomCheck = 3;
      }
    }
    while (i < len) {
      if (this.cap) {
        i = this.captureStep(chunk, i);
        continue;
      }
      const b = chunk[i];
      if (isWs(b)) {
        i += 1;
        continue;
      }
      this.structByte(chunk, i, b);
      if (!this.cap) i += 1;
    }
    this.offset += len;
    // a value still open keeps copies of its bytes, not the chunk: the caller may reuse it
    const c = this.cap;
    if (c) {
      for (let k = c.owned; k < c.parts.length; k++) c.parts[k] = Uint8Array.prototype.slice.call(c.parts[k]);
      c.owned = c.parts.length;
    }
  }

  end(): HarReadSummary {
    const at = this.offset;
    if (this.cap) {
      const c = this.cap;
      if (c.what === 'entry') {
        this.fail(
          'HAR_TRUNCATED',
          `truncated at byte ${at}, inside entry ${this.entryCount} (which starts at byte ${c.start})${this.afterEntry()}`,
          at,
          this.entryCount,
        );
      }
      this.fail('HAR_TRUNCATED', `truncated at byte ${at}${this.afterEntry()}`, at);
    }
    if (!this.started) {
      if (at === 0) this.fail('HAR_MALFORMED', 'not JSON: the file is empty', at);
      if (this.bomCheck < 3) this.fail('HAR_MALFORMED', 'not JSON: the file holds only part of a byte order mark', at);
      this.fail('HAR_MALFORMED', 'not JSON: the file holds only whitespace', at);
    }
    if (!this.done) this.fail('HAR_TRUNCATED', `truncated at byte ${at}${this.afterEntry()}`, at);
    if (!this.sawLog) this.fail('HAR_MALFORMED', 'not a HAR: the top-level object has no "log" member', at);
    return { entries: this.entryCount, bytes: at, pages: this.pages, pagesFirst: this.pagesFirst };
  }

  private afterEntry(): string {
    if (this.entryCount === 0) return this.stack.some((f) => f.role === 'entries') ? ', before the first entry ended' : ', before log.entries';
    return `, after entry ${this.entryCount - 1} (${this.entryCount} complete entr${this.entryCount === 1 ? 'y' : 'ies'})`;
  }

  protected fail(code: CoreErrorCode, message: string, offset?: number, entry?: number): never {
    throw new HarReadError(code, message, { offset, entry });
  }

  // ------------------------------------------------------------------ skeleton

  private structByte(chunk: Uint8Array, i: number, b: number): void {
    const at = this.offset + i;
    if (this.done) this.fail('HAR_MALFORMED', `unexpected data after the end of the HAR at byte ${at}`, at);
    if (!this.started) {
      this.started = true;
      if (b === LBRACE) {
        this.stack.push({ role: 'root', st: St.KeyOrEnd, key: null, sawEntries: false, start: at });
        return;
      }
      if (b === LBRACK) this.fail('HAR_MALFORMED', 'not a HAR: the top-level value is an array, not an object with "log"', at);
      if (b === Q || b === 0x2d || (b >= 0x30 && b <= 0x39) || b === 0x74 || b === 0x66 || b === 0x6e)
        this.fail('HAR_MALFORMED', 'not a HAR: the top-level value is not an object', at);
      this.fail('HAR_MALFORMED', `not JSON: unexpected ${describeByte(b)} at byte ${at}`, at);
    }
    const f = this.stack[this.stack.length - 1];
    const isObj = f.role !== 'entries';
    switch (f.st) {
      case St.KeyOrEnd:
      case St.Key:
        if (b === Q) {
          this.startCapture(chunk, i, 'key', f.key, f.role);
          return;
        }
        if (b === RBRACE && f.st === St.KeyOrEnd) {
          this.closeFrame(at);
          return;
        }
        return this.unexpected(b, at, 'a member name');
      case St.Colon:
        if (b === COLON) {
          f.st = St.Value;
          return;
        }
        return this.unexpected(b, at, "':'");
      case St.Value:
      case St.ValueOrEnd:
        if (!isObj) {
          if (b === RBRACK && f.st === St.ValueOrEnd) {
            this.closeFrame(at);
            return;
          }
          if (b === RBRACE || b === RBRACK || b === COMMA || b === COLON) return this.unexpected(b, at, 'an entry');
          this.startCapture(chunk, i, 'entry', f.key, f.role);
          return;
        }
        if (f.role === 'root' && f.key === 'log') {
          if (b === LBRACE) {
            f.st = St.CommaOrEnd;
            this.sawLog = true;
            this.stack.push({ role: 'log', st: St.KeyOrEnd, key: null, sawEntries: false, start: at });
            return;
          }
          this.fail('HAR_MALFORMED', `not a HAR: "log" is not an object (byte ${at})`, at);
        }
        if (f.role === 'log' && f.key === 'entries') {
          if (b === LBRACK) {
            f.st = St.CommaOrEnd;
            f.sawEntries = true;
            this.stack.push({ role: 'entries', st: St.ValueOrEnd, key: null, sawEntries: false, start: at });
            return;
          }
          this.fail('HAR_MALFORMED', `not a HAR: log.entries is not an array (byte ${at})`, at);
        }
        if (b === RBRACE || b === RBRACK || b === COMMA || b === COLON) return this.unexpected(b, at, 'a value');
        this.startCapture(chunk, i, 'member', f.key, f.role);
        return;
      case St.CommaOrEnd:
        if (b === COMMA) {
          f.st = isObj ? St.Key : St.Value;
          return;
        }
        if ((isObj && b === RBRACE) || (!isObj && b === RBRACK)) {
          this.closeFrame(at);
          return;
        }
        return this.unexpected(b, at, isObj ? "',' or '}'" : "',' or ']'");
    }
  }

  private unexpected(b: number, at: number, wanted: string): never {
    const where = this.stack.some((f) => f.role === 'entries') ? ` in log.entries${this.afterEntry()}` : '';
    this.fail('HAR_MALFORMED', `not JSON: unexpected ${describeByte(b)} at byte ${at} (expected ${wanted})${where}`, at);
  }

  private closeFrame(at: number): void {
    const f = this.stack.pop()!;
    if (f.role === 'log' && !f.sawEntries) this.fail('HAR_MALFORMED', `not a HAR: log has no "entries" array (log ends at byte ${at})`, at);
    if (this.stack.length === 0) this.done = true;
  }

  private parse(c: Capture, end: number, what: string, entry?: number): unknown {
    const text = this.decoder.decode(this.join(c.parts, c.size));
    try {
      return JSON.parse(text);
    } catch (e) {
      throw parseError(e, what, c.start, end, entry);
    }
  }

  /**
   * A lean entry (har-lean.ts): its bodies left out of the text `JSON.parse` reads. When that text
   * is refused, the whole entry is parsed, which words the error exactly as before.
   */
  private parseEntry(c: Capture, end: number, index: number): { value: unknown; bodies?: LeanBodies } {
    if (!c.cuts) return { value: this.parse(c, end, `entry ${index}`, index) };
    const bytes = this.join(c.parts, c.size);
    const cuts = worthCutting(bytes, c.start, c.cuts);
    if (cuts.length === 0) return { value: this.parse(c, end, `entry ${index}`, index) };
    const lean = leanBytes(bytes, c.start, cuts, this.scratch);
    this.scratch = lean.out;
    let value: unknown;
    try {
      value = JSON.parse(this.decoder.decode(lean.out.subarray(0, lean.length)));
    } catch {
      return { value: this.parse(c, end, `entry ${index}`, index) };
    }
    const decode = (span: Uint8Array): string => {
      try {
        return JSON.parse(this.decoder.decode(span)) as string;
      } catch {
        this.parse(c, end, `entry ${index}`, index);
        throw new HarReadError('HAR_MALFORMED', `entry ${index} (bytes ${c.start}–${end}): its response body is not a valid JSON string`, { offset: c.start, entry: index });
      }
    };
    return { value, bodies: new CutBodies(bytes, c.start, cuts, decode) };
  }

  protected finishCapture(c: Capture, end: number): void {
    const f = this.stack[this.stack.length - 1];
    if (c.what === 'key') {
      const k = c.recording ? this.parse(c, end, `a member name`) : null;
      f.key = typeof k === 'string' ? k : null;
      f.st = St.Colon;
      return;
    }
    if (c.what === 'entry') {
      const index = this.entryCount;
      const { value, bodies } = this.lean ? this.parseEntry(c, end, index) : { value: this.parse(c, end, `entry ${index}`, index), bodies: undefined };
      this.entryCount += 1;
      f.st = St.CommaOrEnd;
      this.h.onEntry(value, index, { start: c.start, end }, bodies);
      return;
    }
    // another member of root or log: validate when small enough, keep log.pages
    f.st = St.CommaOrEnd;
    if (!c.recording) return;
    const name = c.role === 'root' ? `"${c.key ?? '?'}"` : `log.${c.key ?? '?'}`;
    const value = this.parse(c, end, name);
    if (c.role === 'log' && c.key === 'pages') {
      if (!Array.isArray(value)) this.fail('HAR_MALFORMED', `not a HAR: log.pages is not an array (byte ${c.start})`, c.start);
      this.pages = value;
      this.pagesFirst = this.entryCount === 0 && !f.sawEntries;
      this.h.onPages?.(value);
    }
  }
}

/** Read a whole stream of byte chunks through a HarReader. */
export async function readHarStream(
  chunks: AsyncIterable<Uint8Array>,
  handlers: HarReaderHandlers,
  opts: HarReaderOptions & { onProgress?(bytes: number, entries: number): void } = {},
): Promise<HarReadSummary> {
  const reader = new HarReader(handlers, opts);
  for await (const chunk of chunks) {
    reader.write(chunk);
    opts.onProgress?.(reader.bytesRead, reader.entries);
  }
  return reader.end();
}
