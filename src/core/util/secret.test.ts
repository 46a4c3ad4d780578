/** Redaction: secret parameter values never survive redactUrl; equal values stay recognisable. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alphabetOf, entropyBits, equalityKey, fastHash, hashSecret, redactText, redactUrl, redactValue, secretRef, SECRET_PARAMS } from './secret';
import { sha256HexPrefix } from './sha256';

const value = fc.stringMatching(/^[A-Za-z0-9_\-.~]{12,80}$/);
const names = [...SECRET_PARAMS];

describe('redaction', () => {
  it('redactUrl never leaks a secret parameter value, in query or fragment', () => {
    fc.assert(
      fc.property(fc.constantFrom(...names), value, fc.boolean(), (name, v, inFragment) => {
        const url = `https://app.example/cb?x=1${inFragment ? '#' : '&'}${name}=${encodeURIComponent(v)}&y=2`;
        const out = redactUrl(url, { redact: true });
        expect(out).not.toContain(v);
        expect(out).toContain('x=1');
        expect(out).toContain('y=2');
      }),
    );
  });

  it('equal values give equal fingerprints, different values different ones', () => {
    fc.assert(
      fc.property(value, value, (a, b) => {
        expect(redactValue(a)).toBe(redactValue(a));
        expect(secretRef(a, { redact: true }).hash).toBe(secretRef(a, { redact: true }).hash);
        if (a !== b) expect(secretRef(a, { redact: true }).hash).not.toBe(secretRef(b, { redact: true }).hash);
      }),
    );
  });

  it('short values keep no prefix; long ones keep four characters', () => {
    expect(redactValue('123456')).toMatch(/^…#[0-9a-f]{8}$/);
    expect(redactValue('abcdefghijklmnop')).toMatch(/^abcd…#[0-9a-f]{8}$/);
  });

  it('redactUrl answers as the regular expression it replaced, character by character', () => {
    // the former implementation: every match of the expression, a secret key (decoded) with a value redacted
    const byRegex = (href: string) =>
      href.replace(/([?&#])([^=&#]+)=([^&#]*)/g, (m, sep: string, key: string, v: string) => {
        let k = key;
        if (key.includes('%')) {
          try {
            k = decodeURIComponent(key);
          } catch {
            /* keep raw */
          }
        }
        if (!v || !SECRET_PARAMS.has(k)) return m;
        return `${sep}${key}=${encodeURIComponent(redactValue(v))}`;
      });
    const piece = fc.oneof(
      fc.constantFrom('?', '&', '#', '=', '%', '%2', '%63ode', 'c%6Fde', '%E0%A4%A', '/', '+', 'x', '??', '&&', '==', '#/cb?'),
      fc.constantFrom(...names, 'codes', 'cod', 'STATE', 'client_id', 'redirect_uri', 'a?code'),
      fc.stringMatching(/^[A-Za-z0-9_\-.~]{0,20}$/),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 24 }), fc.boolean(), (parts, absolute) => {
        const url = (absolute ? 'https://app.example/cb' : '') + parts.join('');
        expect(redactUrl(url, { redact: true })).toBe(byRegex(url));
      }),
      { numRuns: 3000 },
    );
    for (const url of ['https://a.example/?code=abc&state=s#id_token=t', 'https://a.example/?a?code=1&code=&state', '?%E0%A4%A=1&code=x', 'https://a.example/cb#/r?state=abc&code=def', 'https://a.example/?=?code=abc', '?=&state=abc#=#code=x', 'https://a.example/p&code=1?x=2#state=s=t?u&nonce=&', 'https://a.example/a=b?c'])
      expect(redactUrl(url, { redact: true })).toBe(byRegex(url));
  });

  it('with redaction off, values stay', () => {
    expect(redactUrl('https://a.example/?code=abc', { redact: false })).toBe('https://a.example/?code=abc');
    expect(secretRef('abc', { redact: false }).shown).toBe('abc');
  });

  it('redactText hides JWTs and long opaque runs inside free text', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlc2lnbmF0dXJl';
    expect(redactText(`token ${jwt} end`, { redact: true })).not.toContain(jwt);
  });

  it('entropy estimate: alphabet size, and degenerate repeats', () => {
    expect(alphabetOf('0123')).toBe(10);
    expect(alphabetOf('deadbeef')).toBe(16);
    expect(alphabetOf('Abc-_9')).toBe(64);
    expect(entropyBits('7fc0f404-2eb8-4393-8dd0-1e7e2bf03625')).toBeGreaterThan(122);
    expect(entropyBits('1'.repeat(60))).toBeLessThan(64);
    expect(entropyBits('abababababababababababab')).toBeLessThan(64);
  });
});

/** alphabetOf and entropyBits as they were (regexes, a Set): the reference */
function alphabetRef(v: string): number {
  if (/^[0-9]*$/.test(v)) return 10;
  if (/^[0-9a-f]*$/.test(v) || /^[0-9A-F]*$/.test(v)) return 16;
  if (/^[0-9a-z]*$/.test(v) || /^[0-9A-Z]*$/.test(v)) return 36;
  if (/^[0-9A-Za-z]*$/.test(v)) return 62;
  if (/^[0-9A-Za-z_\-]*$/.test(v) || /^[0-9A-Za-z+/=]*$/.test(v)) return 64;
  return 95;
}
function entropyRef(v: string): number {
  const byAlphabet = v.length * Math.log2(alphabetRef(v));
  if (v.length < 8) return byAlphabet;
  const distinct = new Set(v).size;
  if (distinct >= v.length / 4) return byAlphabet;
  return Math.min(byAlphabet, v.length * Math.log2(distinct + 1));
}

describe('entropy estimate', () => {
  it('alphabetOf and entropyBits answer as the regex version did', () => {
    const pieces = ['0', '7', 'a', 'f', 'g', 'z', 'A', 'F', 'G', 'Z', '-', '_', '+', '/', '=', '.', '~', ' ', 'é', '\u{1F600}', '\ud800'];
    const samples = fc.oneof(fc.array(fc.constantFrom(...pieces), { maxLength: 40 }).map((a) => a.join('')), fc.string({ maxLength: 60 }), fc.string({ unit: 'grapheme', maxLength: 30 }));
    fc.assert(fc.property(samples, (v) => {
      expect(alphabetOf(v)).toBe(alphabetRef(v));
      expect(entropyBits(v)).toBe(entropyRef(v));
    }), { numRuns: 3000 });
    for (const v of ['', '11111111', 'abababababababab', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!', '\u0000\u001f ?@_`~\u007f'.repeat(3)]) {
      expect(alphabetOf(v)).toBe(alphabetRef(v));
      expect(entropyBits(v)).toBe(entropyRef(v));
    }
  });
});

describe('fastHash (cyrb53)', () => {
  /** the 53-bit value written with Number#toString(16), as fastHash did before its digits came from a table */
  function reference(s: string): string {
    let h1 = 0xdeadbeef;
    let h2 = 0x41c6ce57;
    for (let i = 0; i < s.length; i++) {
      const ch = s.charCodeAt(i);
      h1 = Math.imul(h1 ^ ch, 2654435761);
      h2 = Math.imul(h2 ^ ch, 1597334677);
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
  }

  it('gives the same 14 hex digits as the 53-bit number (saved keys keep their values)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => fastHash(s) === reference(s)), { numRuns: 3000 });
    expect(fastHash('')).toBe(reference(''));
    expect(fastHash('GET https://app.example/cb')).toMatch(/^[0-9a-f]{14}$/);
  });
});

describe('the secrets cache', () => {
  /** hashSecret and redactValue as they were: each value computed from scratch */
  const redactRef = (v: string) => `${v.length > 12 ? v.slice(0, 4) : v.length > 6 ? v.slice(0, 2) : ''}…#${sha256HexPrefix(v, 16).slice(0, 8)}`;

  it('hashSecret, equalityKey, redactValue and secretRef give what the uncached computation gives, in any order, across turnovers', () => {
    // a small pool asked in random order among many other values: hits, misses, repeats, turnovers;
    // long values that share the cache's sample of characters (util/sampled-cache.ts) and differ elsewhere
    const pool = ['', 'a', 'abcdefg', 'abcdefghijklm', 'é…#', '\ud800x', 'eyJ' + 'x'.repeat(700), 'eyJ' + 'x'.repeat(300) + 'y' + 'x'.repeat(399)];
    const sameSample = fc.integer({ min: 0, max: 40 }).map((i) => `A${String.fromCharCode(65 + (i % 26))}${String.fromCharCode(65 + Math.floor(i / 26))}${'x'.repeat(197)}`);
    const value = fc.oneof(fc.constantFrom(...pool), fc.string({ unit: 'binary', maxLength: 40 }), fc.integer({ min: 0, max: 3000 }).map((i) => `v${i}`), fc.integer({ min: 0, max: 900 }).map((i) => `eyJ${i}.${'p'.repeat(130)}.${i}`), sameSample).map((v) => (' ' + v).slice(1));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), value), { maxLength: 400 }), (ops) => {
        for (const [op, v] of ops) {
          if (op === 4) expect(equalityKey(v)).toBe(fastHash(v));
          else if (op === 0) expect(hashSecret(v)).toBe(sha256HexPrefix(v, 16));
          else if (op === 1) expect(redactValue(v)).toBe(redactRef(v));
          else if (op === 2) expect(secretRef(v, { redact: true })).toEqual({ hash: sha256HexPrefix(v, 16), shown: redactRef(v), length: v.length, alphabet: alphabetOf(v) });
          else {
            // (a prefix that splits a surrogate pair cannot be percent-encoded: both throw, as before)
            const w = `${v.replace(/[&#]/g, '')}x`;
            const expected = () => `https://a.example/cb?state=${encodeURIComponent(redactRef(w))}`;
            const got = () => redactUrl(`https://a.example/cb?state=${w}`, { redact: true });
            let want: string | undefined;
            try {
              want = expected();
            } catch {
              expect(got).toThrow(URIError);
            }
            if (want !== undefined) expect(got()).toBe(want);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('redactUrl writes encodeURIComponent(redactValue(v)) for any prefix a value starts with (kept by the encoding or not)', () => {
    // the first characters of the value: any ASCII (but the separators & and #), a few non-ASCII ones
    const ch = fc.oneof(fc.integer({ min: 0, max: 127 }).filter((c) => c !== 38 && c !== 35).map((c) => String.fromCharCode(c)), fc.constantFrom('é', '…', '\u{1F600}', '\ud800'));
    fc.assert(
      fc.property(fc.array(ch, { maxLength: 6 }), fc.integer({ min: 0, max: 14 }), (head, pad) => {
        const v = `${head.join('')}${'z'.repeat(pad)}q`;
        let want: string | undefined;
        try {
          want = `https://a.example/cb?code=${encodeURIComponent(redactValue(v))}&x=1`;
        } catch {
          expect(() => redactUrl(`https://a.example/cb?code=${v}&x=1`, { redact: true })).toThrow(URIError);
        }
        if (want !== undefined) expect(redactUrl(`https://a.example/cb?code=${v}&x=1`, { redact: true })).toBe(want);
      }),
      { numRuns: 2000 },
    );
  });

  it('the same URL asked again, after others, answers the same', () => {
    const urls = Array.from({ length: 1500 }, (_, i) => `https://a.example/cb?code=c${i}&state=s${i}`);
    const first = urls.map((u) => redactUrl(u, { redact: true }));
    for (let i = urls.length - 1; i >= 0; i--) expect(redactUrl(urls[i], { redact: true })).toBe(first[i]);
    expect(redactUrl('https://a.example/?x=1', { redact: true })).toBe('https://a.example/?x=1');
  });
});
