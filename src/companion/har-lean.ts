/**
 * Lean entries (issue #10.2): response bodies are most of a HAR's bytes and the core reads almost
 * none of them. While the streaming reader (har-stream.ts) cuts an entry out of the byte stream it
 * notes where `response.content.text` lies (`keyBefore`, at the few places where it can be); that
 * string is then left out of the text handed to `JSON.parse` (a placeholder stands in its place)
 * and decoded only when a rule may read it (`resolveLeanBody`). A body that cannot be told apart
 * with certainty from where it stands (its name split across two chunks, an escaped name) is read
 * as before. So is an entry whose lean text `JSON.parse` refuses: the whole entry then names the
 * error exactly as before.
 *
 * What `JSON.parse` no longer checks in a body left out: raw control characters (escapes are
 * checked as the reader passes them; a body with a bad one is not left out).
 */

const Q = 0x22;
const BS = 0x5c;
const LBRACE = 0x7b;
const COMMA = 0x2c;
const COLON = 0x3a;
const enc = new TextEncoder();

export const RESPONSE = enc.encode('response');
export const CONTENT = enc.encode('content');
export const TEXT = enc.encode('text');

/** What a body left out becomes in the lean entry: this prefix and its number. */
export const BODY_PLACEHOLDER = '\u0000coatcheck-body:';
const PLACEHOLDER_BYTES = enc.encode(`"${JSON.stringify(BODY_PLACEHOLDER).slice(1, -1)}`);

function isWs(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/**
 * Whether the value starting at `chunk[i]` (outside any string) is the member `word`: `"word"`,
 * white space, `:`, white space before it, and before the name's opening quote `{`, `,` or white
 * space (so that quote is not an escaped one inside another string). Looks only inside `chunk`:
 * false when it cannot tell.
 */
export function keyBefore(chunk: Uint8Array, i: number, word: Uint8Array): boolean {
  let j = i - 1;
  while (j >= 0 && isWs(chunk[j])) j--;
  if (j < 0 || chunk[j] !== COLON) return false;
  j--;
  while (j >= 0 && isWs(chunk[j])) j--;
  const n = word.length;
  const open = j - n - 1;
  if (open < 1 || chunk[j] !== Q || chunk[open] !== Q) return false;
  for (let k = 0; k < n; k++) if (chunk[open + 1 + k] !== word[k]) return false;
  const p = chunk[open - 1];
  return p === LBRACE || p === COMMA || isWs(p);
}

/** Whether the escape whose letter is `chunk[at]` (after a backslash) is one JSON allows; false when it runs past the chunk. */
export function validEscape(chunk: Uint8Array, at: number): boolean {
  const e = chunk[at];
  if (e === 0x75) {
    if (at + 4 >= chunk.length) return false;
    for (let k = at + 1; k < at + 5; k++) {
      const c = chunk[k];
      if (!((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66))) return false;
    }
    return true;
  }
  return e === Q || e === BS || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74;
}

/**
 * Whether the JSON string whose opening quote is `b[q]` may, decoded and trimmed, begin with `{`:
 * its first byte after spaces is `{`, an escape (\n, \u00a0, …), a raw control byte or a
 * non-ASCII character (U+FEFF, U+2028…). Anything else cannot.
 */
export function mayBeObjectAt(b: Uint8Array, q: number): boolean {
  let i = q + 1;
  while (b[i] === 0x20) i++;
  const c = b[i];
  return c === LBRACE || c === BS || c < 0x20 || c >= 0x80;
}

/**
 * A body that may be JSON and is this short stays in the entry's text: a rule may read it (a token
 * response, a metadata document), and decoding it apart would cost more than reading it in place.
 */
export const INLINE_JSON_BODY = 4096;

/** The cuts worth making: not the short bodies that may be JSON (INLINE_JSON_BODY). */
export function worthCutting(bytes: Uint8Array, base: number, cuts: number[]): number[] {
  let all = true;
  for (let k = 0; k < cuts.length && all; k += 2) all = cuts[k + 1] - cuts[k] >= INLINE_JSON_BODY || !mayBeObjectAt(bytes, cuts[k] - base);
  if (all) return cuts;
  const out: number[] = [];
  for (let k = 0; k < cuts.length; k += 2) if (cuts[k + 1] - cuts[k] >= INLINE_JSON_BODY || !mayBeObjectAt(bytes, cuts[k] - base)) out.push(cuts[k], cuts[k + 1]);
  return out;
}

/** Where the bodies left out of a lean entry are, and how to read them. */
export interface LeanBodies {
  /** number of bodies left out (the k-th is the placeholder BODY_PLACEHOLDER + k) */
  readonly count: number;
  /** bytes of body k as written in the file (quotes and escapes included) */
  byteLength(k: number): number;
  /** body k may begin (after white space) with `{`: its first byte says so or cannot rule it out */
  mayBeObject(k: number): boolean;
  /** body k, decoded (valid only during the reader's onEntry call) */
  text(k: number): string;
}

/**
 * The entry's bytes (`bytes`, whose first byte is at offset `base` of the input) with each cut
 * [start, end) (absolute offsets, in order) replaced by its placeholder, into `out` (grown as
 * needed). Returns the bytes written and the buffer.
 */
export function leanBytes(bytes: Uint8Array, base: number, cuts: readonly number[], out: Uint8Array): { out: Uint8Array; length: number } {
  let need = bytes.length + (cuts.length / 2) * (PLACEHOLDER_BYTES.length + 12);
  if (out.length < need) out = new Uint8Array(Math.max(need, 2 * out.length));
  let o = 0;
  let at = 0;
  for (let k = 0; k < cuts.length; k += 2) {
    const s = cuts[k] - base;
    out.set(bytes.subarray(at, s), o);
    o += s - at;
    out.set(PLACEHOLDER_BYTES, o);
    o += PLACEHOLDER_BYTES.length;
    for (const d of String(k / 2)) out[o++] = d.charCodeAt(0);
    out[o++] = Q;
    at = cuts[k + 1] - base;
  }
  out.set(bytes.subarray(at), o);
  o += bytes.length - at;
  need = o;
  return { out, length: need };
}

export class CutBodies implements LeanBodies {
  constructor(
    private readonly bytes: Uint8Array,
    private readonly base: number,
    private readonly cuts: readonly number[],
    private readonly decode: (span: Uint8Array) => string,
  ) {}
  get count(): number {
    return this.cuts.length / 2;
  }
  byteLength(k: number): number {
    return this.cuts[2 * k + 1] - this.cuts[2 * k];
  }
  mayBeObject(k: number): boolean {
    return mayBeObjectAt(this.bytes, this.cuts[2 * k] - this.base);
  }
  text(k: number): string {
    return this.decode(this.bytes.subarray(this.cuts[2 * k] - this.base, this.cuts[2 * k + 1] - this.base));
  }
}

export interface BodyPolicy {
  /** keep every body that may be a JSON object (the HTML report recognises a JWKS by its body, report/diagram.ts) */
  anyJson?: boolean;
}

/** Characters of a body the core still parses (util/json.ts parseJsonObject, classify.ts mayReadResponseBody). */
const MAX_READ_BODY = 5_000_000;
/** … and the HTML report's JWKS recognition (report/diagram.ts diagramFetchOf). */
const MAX_DIAGRAM_BODY = 200_000;
/** A JSON string's character takes at most 6 bytes in the file (`\uXXXX`); 2 for the quotes. */
const maxBytes = (chars: number) => 6 * chars + 2;

/**
 * Put the response body back into a lean entry (`response.content.text`, a placeholder):
 * decoded when a rule may read it, otherwise `''`. The core reads a body only as a JSON object,
 * and only of a POST, a `/.well-known/` document or a JWKS-like URL (classify.ts
 * `mayReadResponseBody`); for every other body `''` classifies the same (no JSON, a body present).
 * Must run inside the reader's onEntry call (the bytes are the reader's).
 */
export function resolveLeanBody(entry: unknown, bodies: LeanBodies | undefined, policy: BodyPolicy = {}): void {
  if (!bodies || bodies.count === 0) return;
  const e = entry as { request?: { method?: unknown; url?: unknown }; response?: { content?: { text?: unknown; encoding?: unknown } } } | null;
  const content = e?.response?.content;
  if (!content || typeof content !== 'object' || typeof content.text !== 'string') return;
  if (!content.text.startsWith(BODY_PLACEHOLDER)) return;
  const k = Number(content.text.slice(BODY_PLACEHOLDER.length));
  if (!Number.isInteger(k) || k < 0 || k >= bodies.count) return;
  content.text = keepBody(e, content.encoding, bodies, k, policy) ? bodies.text(k) : '';
}

function keepBody(e: { request?: { method?: unknown; url?: unknown } } | null, encoding: unknown, bodies: LeanBodies, k: number, policy: BodyPolicy): boolean {
  if (encoding !== 'base64' && !bodies.mayBeObject(k)) return false;
  const n = bodies.byteLength(k);
  const method = typeof e?.request?.method === 'string' ? e.request.method.toUpperCase() : '';
  const url = typeof e?.request?.url === 'string' ? e.request.url : '';
  if ((method === 'POST' || url.includes('/.well-known/') || /jwks|\/certs|\/keys/.test(url)) && n <= maxBytes(MAX_READ_BODY)) return true;
  return policy.anyJson === true && n <= maxBytes(MAX_DIAGRAM_BODY);
}
