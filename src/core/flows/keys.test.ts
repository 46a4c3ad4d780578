import { describe, expect, it } from 'vitest';
import { fastHash } from '../util/secret';
import { urlKey } from './keys';

describe('urlKey', () => {
  it('is fastHash of "METHOD url-without-fragment" (hashed in place, the same value)', () => {
    const urls = ['https://a.example/cb?code=x&state=y#frag', 'https://a.example/', '', '#only', 'https://ü.example/päth?q=é#x', 'http://h/?a=1##b'];
    for (const u of urls) for (const m of ['GET', 'get', 'Post', 'PÜT']) expect(urlKey(m, u), `${m} ${u}`).toBe(fastHash(`${m.toUpperCase()} ${u.split('#')[0]}`));
  });
  it('agrees with fastHash on many URLs (every byte of the 14 hex digits)', () => {
    let x = 7;
    for (let i = 0; i < 3000; i++) {
      let u = 'https://h.example/';
      for (let k = 0; k < i % 40; k++) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        u += String.fromCharCode(33 + (x % 94));
      }
      expect(urlKey('GET', u), u).toBe(fastHash(`GET ${u.split('#')[0]}`));
    }
  });
});
