/**
 * The byte-level half of the streaming HAR reader (har-stream.ts): cutting one value (an entry, a
 * member name, another member of `log`) out of the byte stream by tracking strings, escapes and
 * nesting depth, chunk after chunk, in memory bounded by the value. For a lean reader it also notes
 * where each entry's `response.content.text` lies (har-lean.ts), at no cost per byte.
 */
import { type CoreErrorCode } from '../core';
import { MiB } from './har-read-error';
import { CONTENT, keyBefore, RESPONSE, TEXT, validEscape } from './har-lean';

const Q = 0x22; // "
const BS = 0x5c; // \
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACK = 0x5b;
const RBRACK = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

function isWs(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

export type Role = 'root' | 'log' | 'entries';
export type CapWhat = 'key' | 'member' | 'entry';
const enum CapKind {
  Str,
  Container,
  Prim,
}

export interface Capture {
  what: CapWhat;
  kind: CapKind;
  depth: number;
  inStr: boolean;
  esc: boolean;
  start: number;
  parts: Uint8Array[];
  /** parts[0, owned) are copies (the rest point into the current chunk) */
  owned: number;
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

export abstract class ValueCapture {
  protected offset = 0; // absolute offset of the current chunk's first byte
  protected cap: Capture | null = null;
  protected entryCount = 0;
  // per-chunk caches of the next quote / backslash position
  protected nextQ = -1;
  protected nextBs = -1;

  constructor(
    protected readonly maxEntry: number,
    protected readonly maxOther: number,
    protected readonly lean: boolean,
  ) {}

  protected abstract fail(code: CoreErrorCode, message: string, offset?: number, entry?: number): never;
  protected abstract finishCapture(c: Capture, end: number): void;

  protected startCapture(chunk: Uint8Array, i: number, what: CapWhat, key: string | null, role: Role): void {
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
      owned: 0,
      size: 0,
      recording: true,
      limit,
      key: what === 'member' ? key : null,
      role,
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
  protected captureStep(chunk: Uint8Array, i0: number): number {
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

  protected join(parts: Uint8Array[], size: number): Uint8Array {
    if (parts.length === 1) return parts[0];
    const all = new Uint8Array(size);
    let o = 0;
    for (const p of parts) {
      all.set(p, o);
      o += p.length;
    }
    return all;
  }
}
