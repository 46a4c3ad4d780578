/**
 * Native messaging framing (Chrome and Firefox): every message is a 32-bit unsigned length in the
 * platform's byte order (little-endian on every platform the browsers ship on) followed by that
 * many bytes of UTF-8 JSON. Pure: Uint8Array in, values out, so it is testable without pipes.
 *
 * Limits: Chrome sends at most 64 MiB to a host and accepts at most 1 MiB from it. A frame that
 * claims more than `maxIncoming` is refused before it is buffered (a corrupt or hostile length
 * prefix must not make the host allocate gigabytes).
 */

export const MAX_INCOMING_BYTES = 64 * 1024 * 1024;
export const MAX_OUTGOING_BYTES = 1024 * 1024;

export type FrameErrorCode = 'FRAME_TOO_LARGE' | 'FRAME_TRUNCATED' | 'FRAME_INVALID_JSON' | 'FRAME_INVALID_UTF8';

export interface FrameError {
  code: FrameErrorCode;
  message: string;
}

export type FrameResult = { ok: true; message: unknown } | { ok: false; error: FrameError };

const encoder = new TextEncoder();

/** Encode one message. Returns an error value when the JSON is larger than the browser accepts. */
export function encodeFrame(
  message: unknown,
  maxBytes = MAX_OUTGOING_BYTES,
): { ok: true; bytes: Uint8Array } | { ok: false; error: FrameError } {
  let json: string | undefined;
  try {
    json = JSON.stringify(message);
  } catch (e) {
    return { ok: false, error: { code: 'FRAME_INVALID_JSON', message: `cannot serialise message: ${String(e)}` } };
  }
  if (json === undefined) return { ok: false, error: { code: 'FRAME_INVALID_JSON', message: 'message is not JSON-serialisable' } };
  const body = encoder.encode(json);
  if (body.length > maxBytes) {
    return { ok: false, error: { code: 'FRAME_TOO_LARGE', message: `message of ${body.length} bytes exceeds ${maxBytes}` } };
  }
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setUint32(0, body.length, true);
  out.set(body, 4);
  return { ok: true, bytes: out };
}

/**
 * Incremental decoder: feed chunks as they arrive from stdin, get complete messages back. After a
 * FRAME_TOO_LARGE the stream cannot be resynchronised (the length prefix is the only framing), so
 * the decoder stops and reports `failed`; the host should then exit.
 */
export class FrameDecoder {
  private buf: Uint8Array = new Uint8Array(0);
  private need = -1;
  failed = false;
  readonly maxIncoming: number;
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true });

  constructor(maxIncoming = MAX_INCOMING_BYTES) {
    this.maxIncoming = maxIncoming;
  }

  /** bytes buffered but not yet a complete frame */
  get pending(): number {
    return this.buf.length;
  }

  push(chunk: Uint8Array): FrameResult[] {
    if (this.failed) return [];
    this.append(chunk);
    const out: FrameResult[] = [];
    for (;;) {
      if (this.need < 0) {
        if (this.buf.length < 4) break;
        const len = new DataView(this.buf.buffer, this.buf.byteOffset, 4).getUint32(0, true);
        if (len > this.maxIncoming) {
          this.failed = true;
          this.buf = new Uint8Array(0);
          out.push({ ok: false, error: { code: 'FRAME_TOO_LARGE', message: `frame of ${len} bytes exceeds the limit of ${this.maxIncoming}` } });
          break;
        }
        this.need = len;
        this.buf = this.buf.subarray(4);
      }
      if (this.buf.length < this.need) break;
      const body = this.buf.subarray(0, this.need);
      this.buf = this.buf.subarray(this.need);
      this.need = -1;
      out.push(this.parse(body));
    }
    // compact so that a long-running host does not keep old chunks alive
    if (this.buf.byteOffset > 0 && this.buf.length < 65536) this.buf = this.buf.slice();
    return out;
  }

  /** End of input: a partial frame left over is FRAME_TRUNCATED. */
  end(): FrameResult[] {
    if (this.failed) return [];
    if (this.need < 0 && this.buf.length === 0) return [];
    const had = this.need >= 0 ? `${this.buf.length} of ${this.need} body bytes` : `${this.buf.length} of 4 length bytes`;
    this.buf = new Uint8Array(0);
    this.need = -1;
    return [{ ok: false, error: { code: 'FRAME_TRUNCATED', message: `input ended inside a frame (${had})` } }];
  }

  private append(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.buf.length === 0) {
      this.buf = chunk;
      return;
    }
    const next = new Uint8Array(this.buf.length + chunk.length);
    next.set(this.buf);
    next.set(chunk, this.buf.length);
    this.buf = next;
  }

  private parse(body: Uint8Array): FrameResult {
    let text: string;
    try {
      text = this.utf8.decode(body);
    } catch {
      return { ok: false, error: { code: 'FRAME_INVALID_UTF8', message: `frame of ${body.length} bytes is not UTF-8` } };
    }
    try {
      return { ok: true, message: JSON.parse(text) as unknown };
    } catch (e) {
      return { ok: false, error: { code: 'FRAME_INVALID_JSON', message: `frame is not JSON: ${e instanceof Error ? e.message : String(e)}` } };
    }
  }
}
