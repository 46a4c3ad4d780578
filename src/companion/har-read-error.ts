/**
 * What the streaming HAR reader (har-stream.ts) reports: its error (with the byte offset and the
 * entry), its handlers, options and summary, and the wording of its messages.
 */
import { CoreError, type CoreErrorCode } from '../core';
import type { LeanBodies } from './har-lean';

export const MiB = 1024 * 1024;

export class HarReadError extends CoreError {
  /** absolute byte offset where the problem was seen */
  readonly offset?: number;
  /** index of the entry concerned, when the problem is inside one */
  readonly entry?: number;
  constructor(code: CoreErrorCode, message: string, where: { offset?: number; entry?: number } = {}) {
    super(code, message);
    this.name = 'HarReadError';
    this.offset = where.offset;
    this.entry = where.entry;
  }
}

export interface HarEntrySpan {
  /** byte offset of the entry's first byte */
  start: number;
  /** byte offset just past its last byte */
  end: number;
}

export interface HarReaderHandlers {
  /**
   * One parsed entry of `log.entries`, in order. With the `lean` option, the entry holds only what
   * the core reads (har-lean.ts) and `bodies` says where its response body is: put it back with
   * `resolveLeanBody` during this call. Without `bodies`, the entry is whole.
   */
  onEntry(entry: unknown, index: number, span: HarEntrySpan, bodies?: LeanBodies): void;
  /** `log.pages`, parsed (called when the member ends, before or after the entries) */
  onPages?(pages: unknown[]): void;
}

export interface HarReaderOptions {
  /** largest single entry accepted (bytes); default 256 MiB */
  maxEntryBytes?: number;
  /** values off the skeleton larger than this are skipped without being parsed; default 16 MiB */
  maxOtherBytes?: number;
  /** hand over lean entries (har-lean.ts): only the members the core reads, bodies left undecoded */
  lean?: boolean;
}

export interface HarReadSummary {
  entries: number;
  bytes: number;
  pages: unknown[] | undefined;
  /** whether `log.pages` came before `log.entries` */
  pagesFirst: boolean;
}

export function describeByte(b: number): string {
  if (b >= 0x20 && b < 0x7f) return `'${String.fromCharCode(b)}'`;
  return `byte 0x${b.toString(16).padStart(2, '0')}`;
}

/**
 * The error for a value that `JSON.parse` refused, at bytes [start, end) of the input. V8 quotes a
 * snippet of the text (`Unexpected token 'x', ..."…"... is not valid JSON`): it may hold a secret,
 * so only the position and the reason are kept.
 */
export function parseError(e: unknown, what: string, start: number, end: number, entry?: number): HarReadError {
  const msg = e instanceof Error ? e.message : String(e);
  const pos = /position (\d+)/.exec(msg);
  const near = pos ? ` near byte ${start + Number(pos[1])}` : '';
  const cleaned = msg.replace(/, (?:\.\.\.)?"[\s\S]*$/, '').replace(/ in JSON at position \d+.*$/, '');
  return new HarReadError('HAR_MALFORMED', `${what} (bytes ${start}–${end}) is not valid JSON${near}: ${cleaned}`, { offset: pos ? start + Number(pos[1]) : start, entry });
}
