/**
 * Streaming HAR reader: finds `log.entries` in a byte stream and hands over one parsed entry at a
 * time, so a capture of several hundred MB is scanned in memory bounded by its largest entry.
 *
 * It is a small incremental scanner over the skeleton `{ "log": { …, "entries": [ … ] } }`: the
 * skeleton's punctuation is checked byte by byte; every value hanging off it (an entry, `pages`,
 * `creator`, …) is cut out by tracking strings, escapes and nesting depth, then `JSON.parse`d on
 * its own. Errors carry the byte offset and, where it helps, the entry index.
 */
import type { CoreErrorCode } from '../core/errors';
import { describeByte, HarReadError, type HarReaderHandlers, type HarReaderOptions, type HarReadSummary, MiB, parseError } from './har-read-error';
import { CONTENT, CutBodies, keyBefore, type LeanBodies, leanBytes, RESPONSE, TEXT, validEscape } from './har-lean';

export { HarReadError, type HarEntrySpan, type HarReaderHandlers, type HarReaderOptions, type HarReadSummary } from './har-read-error';

const Q = 0x22; // "
const BS = 0x5c; // \
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

type Role = 'root' | 'log' | 'entries';
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

type CapWhat = 'key' | 'member' | 'entry';
const enum CapKind {
  Str,
  Container,
  Prim,
}

interface Capture {
  what: CapWhat;
  kind: CapKind;
  depth: number;
  inStr: boolean;
  esc: boolean;
  start: number;
  parts: Uint8Array[];
  size: number;
  recording: boolean;
  limit: number;
  /** the member's key, for 'member' captures */
  key: string | null;
  role: Role;
  /** lean entries (har-lean.ts): inside `response` (depth 2), inside `response.content` (depth 3) */
  resp: boolean;
  content: boolean;
  /** absolute offset of the body string being read, or -1; whether an escape in it is bad */
  bodyStart: number;
  bodyBad: boolean;
  /** bodies to leave out: absolute [start, end) pairs */
  cuts: number[] | null;
}

/**
 * Incremental reader: `write(chunk)` as bytes arrive, `end()` at the end of the stream. Entries are
 * delivered synchronously from inside `write`. Throws `HarReadError` on malformed input; after an
 * error the reader must not be used again.
 */
export class HarReader {
  private readonly h: HarReaderHandlers;
  private readonly maxEntry: number;
  private readonly maxOther: number;
  private readonly lean: boolean;
  private scratch: Uint8Array = new Uint8Array(64 * 1024);
  private readonly decoder = new TextDecoder('utf-8');
  private offset = 0; // absolute offset of the current chunk's first byte
  private stack: Frame[] = [];
  private started = false;
  private done = false; // root object closed
  private sawLog = false;
  private bomCheck = 0; // bytes of a UTF-8 BOM matched so far
  private cap: Capture | null = null;
  private entryCount = 0;
  private pages: unknown[] | undefined;
  private pagesFirst = false;
  // per-chunk caches of the next quote / backslash position
  private nextQ = -1;
  private nextBs = -1;

  constructor(handlers: HarReaderHandlers, opts: HarReaderOptions = {}) {
    this.h = handlers;
    this.maxEntry = opts.maxEntryBytes ?? 256 * MiB;
    this.maxOther = opts.maxOtherBytes ?? 16 * MiB;
    this.lean = opts.lean === true;
  }

  get entries(): number {
    return this.entryCount;
  }

  get bytesRead(): number {
    return this.offset;
  }

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

  private fail(code: CoreErrorCode, message: string, offset?: number, entry?: number): never {
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
          this.startCapture(chunk, i, 'key', f);
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
          this.startCapture(chunk, i, 'entry', f);
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
        this.startCapture(chunk, i, 'member', f);
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

  // ------------------------------------------------------------------ captured values

  private startCapture(chunk: Uint8Array, i: number, what: CapWhat, f: Frame): void {
    const b = chunk[i];
    const kind = b === Q ? CapKind.Str : b === LBRACE || b === LBRACK ? CapKind.Container : CapKind.Prim;
    const limit = what === 'entry' ? this.maxEntry : what === 'key' ? 64 * 1024 : this.maxOther;
    this.cap = {
      what,
      kind,
      depth: kind === CapKind.Container ? 1 : 0,
      inStr: kind === CapKind.Str,
      esc: false,
      start: this.offset + i,
      parts: [],
      size: 0,
      recording: true,
      limit,
      key: what === 'member' ? f.key : null,
      role: f.role,
      resp: false,
      content: false,
      bodyStart: -1,
      bodyBad: false,
      cuts: null,
    };
    // the opening byte of a string or container is consumed here; a primitive's first byte is
    // consumed by the scan itself
    this.capIndex = kind !== CapKind.Prim ? i + 1 : i;
    this.capFrom = i;
  }

  /** where captureStep resumes after startCapture (same chunk), and where its bytes begin */
  private capIndex = -1;
  private capFrom = -1;

  private record(chunk: Uint8Array, from: number, to: number): void {
    const c = this.cap!;
    if (to <= from) return;
    c.size += to - from;
    if (!c.recording) return;
    if (c.size > c.limit) {
      c.recording = false;
      c.parts = [];
      if (c.what === 'entry') {
        this.fail(
          'INPUT_TOO_LARGE',
          `entry ${this.entryCount} (starting at byte ${c.start}) is larger than ${Math.round(c.limit / MiB)} MiB`,
          c.start,
          this.entryCount,
        );
      }
      return;
    }
    c.parts.push(chunk.subarray(from, to));
  }

  private quoteFrom(chunk: Uint8Array, i: number): number {
    if (this.nextQ < i) {
      const q = chunk.indexOf(Q, i);
      this.nextQ = q < 0 ? chunk.length : q;
    }
    return this.nextQ;
  }

  private bsFrom(chunk: Uint8Array, i: number): number {
    if (this.nextBs < i) {
      const q = chunk.indexOf(BS, i);
      this.nextBs = q < 0 ? chunk.length : q;
    }
    return this.nextBs;
  }

  /** Advance the current capture through `chunk` from `i0`; returns where the skeleton resumes. */
  private captureStep(chunk: Uint8Array, i0: number): number {
    const c = this.cap!;
    const len = chunk.length;
    let i = this.capIndex >= 0 ? this.capIndex : i0;
    const from = this.capFrom >= 0 ? this.capFrom : i;
    this.capIndex = -1;
    this.capFrom = -1;
    let endAt = -1; // index just past the capture's last byte in this chunk
    while (i < len) {
      if (c.inStr) {
        if (c.esc) {
          // the letter of an escape whose backslash ended the chunk before
          if (c.bodyStart >= 0 && !validEscape(chunk, i)) c.bodyBad = true;
          c.esc = false;
          i += 1;
          continue;
        }
        // a short string (a name, most header values) byte by byte; a long one with indexOf
        let j = i;
        const stop = j + 40 < len ? j + 40 : len;
        while (j < stop) {
          const x = chunk[j];
          if (x === Q || x === BS) break;
          j++;
        }
        const q = j < stop && chunk[j] === Q ? j : this.quoteFrom(chunk, j);
        const bs = j < stop && chunk[j] === BS ? j : q === j ? len : this.bsFrom(chunk, j);
        if (bs < q) {
          i = bs + 1;
          if (i >= len) {
            c.esc = true;
            break;
          }
          if (c.bodyStart >= 0 && !validEscape(chunk, i)) c.bodyBad = true;
          i += 1;
          continue;
        }
        if (q >= len) {
          i = len;
          break;
        }
        i = q + 1;
        c.inStr = false;
        if (c.kind === CapKind.Str) {
          endAt = i;
          break;
        }
        if (c.bodyStart >= 0) {
          if (!c.bodyBad) (c.cuts ??= []).push(c.bodyStart, this.offset + i);
          c.bodyStart = -1;
        }
        continue;
      }
      const b = chunk[i];
      if (c.kind === CapKind.Prim) {
        if (b === COMMA || b === RBRACE || b === RBRACK || b === COLON || isWs(b)) {
          endAt = i;
          break;
        }
        if (b === Q || b === LBRACE || b === LBRACK) {
          // `tru"…` or `1{`: not a value; let JSON.parse name it
          endAt = i + 1;
          break;
        }
        i += 1;
        continue;
      }
      // container
      if (b === Q) {
        c.inStr = true;
        // a lean entry's response.content.text (har-lean.ts)
        if (c.content && c.depth === 3 && keyBefore(chunk, i, TEXT)) {
          c.bodyStart = this.offset + i;
          c.bodyBad = false;
        }
      } else if (b === LBRACE || b === LBRACK) {
        c.depth += 1;
        if (c.depth <= 3 && this.lean && c.what === 'entry') {
          if (c.depth === 2) c.resp = b === LBRACE && keyBefore(chunk, i, RESPONSE);
          else c.content = c.resp && b === LBRACE && keyBefore(chunk, i, CONTENT);
        }
      } else if (b === RBRACE || b === RBRACK) {
        c.depth -= 1;
        if (c.depth === 0) {
          endAt = i + 1;
          break;
        }
        if (c.depth === 2) c.content = false;
        else if (c.depth === 1) c.resp = false;
      }
      i += 1;
    }
    if (endAt < 0) {
      this.record(chunk, from, len);
      return len;
    }
    this.record(chunk, from, endAt);
    this.cap = null;
    this.finishCapture(c, this.offset + endAt);
    return endAt;
  }

  private join(parts: Uint8Array[], size: number): Uint8Array {
    if (parts.length === 1) return parts[0];
    const all = new Uint8Array(size);
    let o = 0;
    for (const p of parts) {
      all.set(p, o);
      o += p.length;
    }
    return all;
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
    const cuts = c.cuts;
    if (!cuts) return { value: this.parse(c, end, `entry ${index}`, index) };
    const bytes = this.join(c.parts, c.size);
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

  private finishCapture(c: Capture, end: number): void {
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
