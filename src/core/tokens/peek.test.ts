import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { base64urlDecodeToString, decodeJsonObjectB64, decodeJwtPayloadUnsafe } from './peek';
import { parseJsonObject } from '../util/json';

/** the decoder as it was (regex, atob, a new TextDecoder): the reference the fast one must equal */
function reference(s: string): string | undefined {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(s)) return undefined;
  try {
    const b64 = s.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
    const padded = b64 + '='.repeat((4 - (b64.length % 4)) % 4);
    const bin = atob(padded);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  } catch {
    return undefined;
  }
}

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

describe('base64urlDecodeToString', () => {
  it('decodes like atob + TextDecoder on encoded bytes (ASCII, UTF-8, invalid UTF-8, a BOM), with and without padding', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), fc.boolean(), (bytes, bom, pad) => {
        const all = bom ? Uint8Array.from([0xef, 0xbb, 0xbf, ...bytes]) : bytes;
        let s = b64url(all);
        if (pad) s += '='.repeat((4 - (s.length % 4)) % 4);
        expect(base64urlDecodeToString(s)).toBe(reference(s));
      }),
    );
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 100 }), (t) => {
      const s = b64url(new TextEncoder().encode(t));
      expect(base64urlDecodeToString(s)).toBe(t.replace(/^\uFEFF/, ''));
    }));
  });
  it('refuses or accepts arbitrary strings exactly as before', () => {
    fc.assert(fc.property(fc.stringMatching(/^[A-Za-z0-9_\-=+/. é]{0,40}$/), (s) => {
      expect(base64urlDecodeToString(s)).toBe(reference(s));
    }), { numRuns: 2000 });
    for (const s of ['', '=', '==', '===', 'a', 'a=', 'ab', 'ab=', 'ab==', 'ab===', 'abc', 'abc=', 'abcd', 'abcde', 'ab=c', 'A_-z', 'e30', 'e30=', '_w', '__8', '4pyT'])
      expect(base64urlDecodeToString(s)).toBe(reference(s));
  });
  it('takes atob for unpadded ASCII text and the one-pass decoder for the rest: the same answers as padded input (one-pass only)', () => {
    // mostly ASCII bytes with an occasional high one: both paths, and the switch between them at any byte
    const bytes = fc.array(fc.oneof({ weight: 12, arbitrary: fc.integer({ min: 0, max: 127 }) }, { weight: 1, arbitrary: fc.integer({ min: 128, max: 255 }) }), { maxLength: 120 });
    fc.assert(
      fc.property(bytes, (b) => {
        const s = b64url(Uint8Array.from(b));
        const padded = s + '='.repeat((4 - (s.length % 4)) % 4);
        expect(base64urlDecodeToString(s)).toBe(reference(s));
        if (padded !== s) expect(base64urlDecodeToString(s)).toBe(base64urlDecodeToString(padded));
      }),
      { numRuns: 3000 },
    );
    // every character in every position of a short group (leftover bits, the alphabet's edges)
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (const a of alphabet) for (const c of alphabet) for (const t of [a + c, a + c + 'g', a + 'I' + c, 'e30' + a + c, a + c + 'AA']) expect(base64urlDecodeToString(t)).toBe(reference(t));
  });
  it('decodes a long value (several MiB) in one piece', () => {
    const text = 'x'.repeat(3 << 20) + 'é';
    expect(base64urlDecodeToString(b64url(new TextEncoder().encode(text)))).toBe(text);
    const ascii = 'y'.repeat(50_000);
    expect(base64urlDecodeToString(b64url(new TextEncoder().encode(ascii)))).toBe(ascii);
  });
  it('decodeJsonObjectB64 answers as decoding then parsing would, on JSON, white space, a BOM and random bytes', () => {
    const texts = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      fc.tuple(fc.constantFrom('', ' ', '\t', '\n', '\r\n', '\v', '\f', '\u00a0', '\ufeff', '\u1680', '\u2000', '\u200a', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\u0085', 'x'), fc.object({ maxDepth: 2 })).map(([w, o]) => w + JSON.stringify(o)),
      fc.string({ maxLength: 20 }),
    );
    const enc = new TextEncoder();
    fc.assert(fc.property(texts, fc.boolean(), (t, bom) => {
      const bytes = enc.encode(t);
      const s = b64url(bom ? Uint8Array.from([0xef, 0xbb, 0xbf, ...bytes]) : bytes);
      expect(decodeJsonObjectB64(s)).toEqual(parseJsonObject(base64urlDecodeToString(s)));
    }), { numRuns: 2000 });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 12 }), (b) => {
      const s = b64url(b);
      expect(decodeJsonObjectB64(s)).toEqual(parseJsonObject(base64urlDecodeToString(s)));
    }), { numRuns: 2000 });
    fc.assert(fc.property(fc.stringMatching(/^[A-Za-z0-9_\-+/=.]{0,12}$/), (s) => {
      expect(decodeJsonObjectB64(s)).toEqual(parseJsonObject(base64urlDecodeToString(s)));
    }), { numRuns: 2000 });
  });
  it('decodeJwtPayloadUnsafe reads the middle of exactly three dot-separated parts', () => {
    const part = fc.oneof(fc.constant(b64url(new TextEncoder().encode('{"a":1}'))), fc.constant(''), fc.stringMatching(/^[A-Za-z0-9_-]{0,8}$/));
    fc.assert(fc.property(fc.array(part, { minLength: 1, maxLength: 5 }), fc.nat(), (parts, n) => {
      const s = parts.join('.') + '.'.repeat(n % 2); // a fresh string each time: the answers are remembered by the token
      const split = s.split('.');
      expect(decodeJwtPayloadUnsafe(s)).toEqual(split.length === 3 ? decodeJsonObjectB64(split[1]) : undefined);
    }), { numRuns: 2000 });
  });
});
