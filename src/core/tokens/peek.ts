/**
 * Cheap, synchronous, non-verifying looks at compact JOSE strings. Used by the classifier (request
 * objects, front-channel ID tokens). Full decoding and verification live in ./decode.ts (jose).
 */
import { parseJsonObject } from '../util/json';
import { RecentStrings } from './recent';

/** base64url character → its 6 bits; -1 for anything else */
const B64_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) B64_VALUE['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.charCodeAt(i)] = i;
const utf8 = new TextDecoder('utf-8', { fatal: false });
let bytesBuf = new Uint8Array(1024);

/**
 * base64url (optionally with up to two `=`) → UTF-8 text, invalid sequences as U+FFFD and a
 * leading BOM dropped (TextDecoder's defaults); undefined when it is not base64url. Decodes as
 * `atob` does (leftover bits ignored, a length of 4n+1 refused). Hot path: every JWT a rule reads.
 * Unpadded base64url of ASCII text (a JWT's JSON header and payload) goes through the platform's
 * `atob`, whose binary string is then the text: native code, 3x faster than the loop below on a
 * 460-character payload and fast before the JIT has seen it (a worker meets a few OAuth messages
 * an hour). Anything else (a byte ≥ 0x80, padding, a character outside the alphabet) takes the
 * one-pass decoder. Same answers either way (property-tested in peek.test.ts).
 */
export function base64urlDecodeToString(s: string): string | undefined {
  let n = s.length;
  if (n % 4 !== 1 && ASCII_B64URL.test(s)) return atob(s.replace(DASH, '+').replace(UNDERSCORE, '/'));
  if (n > 0 && s.charCodeAt(n - 1) === 61 /* = */) {
    n--;
    if (n > 0 && s.charCodeAt(n - 1) === 61) n--;
  }
  if (n % 4 === 1) return undefined; // atob refuses it (whatever the characters)
  const len = (n * 3) >> 2;
  // a shared buffer, grown when needed; one over 1 MiB is not kept
  if (len > 1 << 20) return decodeInto(s, n, new Uint8Array(len));
  if (bytesBuf.length < len) bytesBuf = new Uint8Array(Math.max(len, bytesBuf.length * 2));
  return decodeInto(s, n, bytesBuf);
}

/**
 * Unpadded base64url whose every byte is < 0x80, by the bits each character carries: in a group of
 * four characters v0..v3 (6 bits each), byte 0's top bit is v0's bit 5 (v0 < 32: A-Z a-f), byte 1's
 * is v1's bit 3 (v1 & 8 = 0), byte 2's is v2's bit 1 (v2 & 2 = 0); v3 and a last group's final
 * character only add low bits (or leftover bits, which are ignored). Linear: one way to match.
 */
const ASCII_B64URL = /^(?:[A-Za-f][A-HQ-Xg-nw-z0-3][ABEFIJMNQRUVYZcdghklopstwx014589][\w-])*(?:[A-Za-f](?:[A-HQ-Xg-nw-z0-3][\w-]|[\w-]))?$/;
const DASH = /-/g;
const UNDERSCORE = /_/g;

function decodeInto(s: string, n: number, out: Uint8Array): string | undefined {
  let ascii = true;
  let o = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const a = charValue(s, i), b = charValue(s, i + 1), c = charValue(s, i + 2), d = charValue(s, i + 3);
    if ((a | b | c | d) < 0) return undefined;
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = v >>> 16;
    out[o++] = (v >>> 8) & 255;
    out[o++] = v & 255;
    if (v & 0x808080) ascii = false;
  }
  if (i < n) {
    const a = charValue(s, i), b = charValue(s, i + 1), c = i + 2 < n ? charValue(s, i + 2) : 0;
    if ((a | b | c) < 0) return undefined;
    const v = (a << 18) | (b << 12) | (c << 6);
    out[o++] = v >>> 16;
    if (i + 2 < n) out[o++] = (v >>> 8) & 255;
    if (v & (i + 2 < n ? 0x808000 : 0x800000)) ascii = false;
  }
  if (!ascii) return utf8.decode(out.subarray(0, o));
  let text = '';
  for (let k = 0; k < o; k += 8192) text += String.fromCharCode.apply(null, out.subarray(k, Math.min(o, k + 8192)) as unknown as number[]);
  return text;
}

/**
 * `parseJsonObject(base64urlDecodeToString(s))` that decodes nothing when the first byte already
 * says the text cannot be a JSON object (it must start with "{" after white space; a first byte of
 * white space or ≥ 0x80 decodes in full). Random states and codes are refused at their first two
 * characters.
 */
export function decodeJsonObjectB64(s: string): Record<string, unknown> | undefined {
  if (s.length >= 2) {
    const a = charValue(s, 0), b = charValue(s, 1);
    if (a >= 0 && b >= 0 && !mayStartObject((a << 2) | (b >> 4))) return undefined;
  }
  return parseJsonObject(base64urlDecodeToString(s));
}

/**
 * Can UTF-8 text whose first byte is `first` be a JSON object once trimmed (parseJsonObject)? "{",
 * ASCII white space, or the lead byte of a character String#trim drops: U+00A0 (C2), U+1680 (E1),
 * U+2000–U+205F (E2), U+3000 (E3), U+FEFF (EF). Any other byte (a random state or code read as
 * base64url: half of them start with a byte ≥ 0x80) decodes to text that is no object.
 */
function mayStartObject(first: number): boolean {
  if (first < 0x80) return first === 0x7b || first === 0x20 || (first >= 0x09 && first <= 0x0d);
  return first === 0xc2 || first === 0xe1 || first === 0xe2 || first === 0xe3 || first === 0xef;
}

function charValue(s: string, i: number): number {
  const c = s.charCodeAt(i);
  return c < 128 ? B64_VALUE[c] : -1;
}

export function looksLikeJwe(s: string): boolean {
  return s.split('.').length === 5;
}

export function looksLikeJwt(s: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(s) || /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]*){4}$/.test(s);
}

// the rules of one message read the same ID token's payload (iss, nonce) one after the other: the
// last few answers are kept (read-only; null = no object), headers by their part, payloads by the
// whole token (the callers pass the same string again: found by comparing, ./recent.ts, without
// hashing a ~1 KB token)
const CAP = 16;
let headers = new Map<string, Record<string, unknown> | null>();
const payloads = new RecentStrings<Record<string, unknown> | null>(CAP);

/**
 * The payload object an earlier `decodeJwtPayloadUnsafe(token)` found, without decoding anything
 * (undefined when it was not asked or was no object). The full decoder reuses it: the group A and
 * nonce rules peek at an ID token before the token rules decode it.
 */
export function peekedPayload(token: string): Record<string, unknown> | undefined {
  return payloads.get(token) ?? undefined;
}

export function decodeJwtHeaderUnsafe(s: string): Record<string, unknown> | undefined {
  const dot = s.indexOf('.');
  if (dot <= 0) return undefined;
  const part = s.slice(0, dot);
  const hit = headers.get(part);
  if (hit !== undefined) return hit ?? undefined;
  const v = parseJsonObject(base64urlDecodeToString(part));
  if (headers.size >= CAP) headers = new Map();
  headers.set(part, v ?? null);
  return v;
}

export function decodeJwtPayloadUnsafe(s: string): Record<string, unknown> | undefined {
  const hit = payloads.get(s);
  if (hit !== undefined) return hit ?? undefined;
  // three parts (exactly two dots): the middle one, without splitting the whole token
  const d1 = s.indexOf('.');
  const d2 = d1 < 0 ? -1 : s.indexOf('.', d1 + 1);
  const v = d2 >= 0 && s.indexOf('.', d2 + 1) < 0 ? decodeJsonObjectB64(s.slice(d1 + 1, d2)) : undefined;
  if (s.length > 0) payloads.set(s, v ?? null);
  return v;
}
