import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { obs } from '../testing/builders';
import { originOf } from '../util/url';
import { internOrigin, requestOrigin } from './raw';

describe('requestOrigin and internOrigin', () => {
  it('answer originOf(o.url), as an equal string (one of the recent ones when it recurs)', () => {
    const host = fc.constantFrom('a.example', 'b.example', 'ab.example', 'API.example', 'xn--bcher-kva.example', 'bücher.example', '127.0.0.1', '0x7f.0.0.1', '1.2.3', '[::1]', '[0:0::1]', 'a.example:8443', 'a.example:443', 'a.example:080', 'a.example.', 'a..example', 'user@a.example', 'a.example@b.example', '%61.example', 'a.exa\tmple', 'b.exampla');
    const rest = fc.constantFrom('', '/', '/x?y=1', '#f', '?q', '\\x', ':443/', ':8443/x', '@b.example/', '.evil/', 'x/', ' /', '%2F', '/../a', '\n/');
    const url = fc.tuple(fc.constantFrom('https://', 'http://', 'HTTPS://', 'ftp://', 'about:', 'https:/', 'https:'), host, rest).map((xs) => xs.join(''));
    fc.assert(
      fc.property(fc.array(url, { minLength: 1, maxLength: 40 }), (urls) => {
        for (const u of urls) {
          const o = obs(u);
          expect(requestOrigin(o)).toBe(originOf(u));
          expect(requestOrigin(o)).toBe(originOf(u)); // (the kept answer)
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('gives back the same object for a recent origin and an equal string for any', () => {
    const origin = fc.tuple(fc.constantFrom('https://', 'http://'), fc.string({ unit: fc.constantFrom('a', 'b', '.', '-', '1'), minLength: 1, maxLength: 8 }), fc.constantFrom('', ':8080')).map((xs) => xs.join(''));
    fc.assert(
      fc.property(fc.array(origin, { minLength: 1, maxLength: 40 }), (xs) => {
        for (const x of xs) expect(internOrigin(` ${x}`.slice(1))).toBe(x);
      }),
    );
    const a = 'https://shop.example';
    const first = internOrigin(a);
    expect(Object.is(internOrigin(['https://', 'shop.example'].join('')), first)).toBe(true);
  });
});
