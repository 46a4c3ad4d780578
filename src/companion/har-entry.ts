/**
 * One value cut out of a HAR's byte stream, turned into what the reader hands over: the text
 * decoded and `JSON.parse`d, an entry lean when the reader noted its bodies (har-lean.ts). Used by
 * the streaming reader (har-stream.ts) on the bytes it has just cut, and by the scan's main thread
 * on the bytes a reading thread cut (har-thread.ts): the same bytes give the same value and the same
 * error, wherever they were cut.
 */
import { type LeanBodies, CutBodies, leanBytes, worthCutting } from './har-lean';
import { HarReadError, parseError } from './har-read-error';

export class EntryParser {
  private scratch: Uint8Array = new Uint8Array(64 * 1024);
  private readonly decoder = new TextDecoder('utf-8');

  /** The value whose bytes are `bytes` (at [start, end) of the input), `what` naming it in an error. */
  parse(bytes: Uint8Array, start: number, end: number, what: string, entry?: number): unknown {
    const text = this.decoder.decode(bytes);
    try {
      return JSON.parse(text);
    } catch (e) {
      throw parseError(e, what, start, end, entry);
    }
  }

  /**
   * Entry `index`: lean when `cuts` (absolute [start, end) pairs of its bodies) holds some worth
   * leaving out. When the lean text is refused, the whole entry is parsed, which words the error
   * exactly as before. `bodies` reads `bytes`: valid while they are.
   */
  entry(bytes: Uint8Array, start: number, end: number, index: number, cuts: readonly number[] | null): { value: unknown; bodies?: LeanBodies } {
    const what = `entry ${index}`;
    if (!cuts) return { value: this.parse(bytes, start, end, what, index) };
    const kept = worthCutting(bytes, start, cuts as number[]);
    if (kept.length === 0) return { value: this.parse(bytes, start, end, what, index) };
    const lean = leanBytes(bytes, start, kept, this.scratch);
    this.scratch = lean.out;
    let value: unknown;
    try {
      value = JSON.parse(this.decoder.decode(lean.out.subarray(0, lean.length)));
    } catch {
      return { value: this.parse(bytes, start, end, what, index) };
    }
    const decode = (span: Uint8Array): string => {
      try {
        return JSON.parse(this.decoder.decode(span)) as string;
      } catch {
        this.parse(bytes, start, end, what, index);
        throw new HarReadError('HAR_MALFORMED', `entry ${index} (bytes ${start}–${end}): its response body is not a valid JSON string`, { offset: start, entry: index });
      }
    };
    return { value, bodies: new CutBodies(bytes, start, kept, decode) };
  }
}
