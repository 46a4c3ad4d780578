import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { pkceS256, sha256, sha256Hex, sha256HexPrefix } from './sha256';

describe('sha256', () => {
  it('matches the FIPS 180-4 vectors', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
  it('agrees with node:crypto on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (s) => {
      expect(sha256Hex(s)).toBe(createHash('sha256').update(s, 'utf8').digest('hex'));
    }));
  });
  it('agrees with node:crypto on long values of any code units (tokens: many blocks)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', minLength: 50, maxLength: 3000 }), (s) => {
      expect(sha256Hex(s)).toBe(createHash('sha256').update(Buffer.from(s, 'utf8')).digest('hex'));
    }), { numRuns: 300 });
  });
  it('computes PKCE S256 challenges as base64url without padding', () => {
    fc.assert(fc.property(fc.stringMatching(/^[A-Za-z0-9._~-]{43,128}$/), (v) => {
      expect(pkceS256(v)).toBe(createHash('sha256').update(v).digest('base64url'));
    }));
  });
  it('agrees with node:crypto at every padding boundary, on bytes, and on inputs larger than its reused buffer', () => {
    for (let n = 0; n < 200; n++) {
      const s = 'é'.repeat(n % 7) + 'a'.repeat(n);
      expect(sha256Hex(s)).toBe(createHash('sha256').update(s, 'utf8').digest('hex'));
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 31 + n) & 255);
      expect(Buffer.from(sha256(bytes)).toString('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
    for (const n of [(1 << 16) - 1, 1 << 16, (1 << 16) + 1]) {
      for (const s of ['y'.repeat(n), 'é'.repeat(n), 'y'.repeat(n - 1) + '\u{1F600}']) expect(sha256Hex(s)).toBe(createHash('sha256').update(s, 'utf8').digest('hex'));
    }
    expect(sha256Hex('a\ud800b')).toBe(createHash('sha256').update('a\ufffdb', 'utf8').digest('hex'));
    const big = 'x'.repeat(3 << 20) + '\u{1F600}';
    expect(sha256Hex(big)).toBe(createHash('sha256').update(big, 'utf8').digest('hex'));
    expect(sha256HexPrefix('abc', 16)).toBe('ba7816bf8f01cfea');
    expect(sha256HexPrefix('abc', 8)).toBe('ba7816bf');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('sha256HexPrefix', () => {
  /** the digest's hex digits, cut (what the function gave before its 16-digit case) */
  const reference = (input: string | Uint8Array, hexChars: number) => sha256Hex(input).slice(0, hexChars);
  it('gives the first digits of the full hex digest for every length asked, on strings and bytes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.uint8Array({ maxLength: 200 })), fc.integer({ min: 0, max: 64 }), (input, n) => {
        expect(sha256HexPrefix(input, n)).toBe(reference(input, n));
        expect(sha256HexPrefix(input, 16)).toBe(createHash('sha256').update(typeof input === 'string' ? Buffer.from(input, 'utf8') : input).digest('hex').slice(0, 16));
      }),
      { numRuns: 500 },
    );
  });
});
