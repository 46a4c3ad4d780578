import { describe, expect, it } from 'vitest';
import { fastHash } from '../util/secret';
import { urlKey } from './keys';

describe('urlKey', () => {
  it('is fastHash of "METHOD url-without-fragment" (hashed in place, the same value)', () => {
    const urls = ['https://a.example/cb?code=x&state=y#frag', 'https://a.example/', '', '#only', 'https://ü.example/päth?q=é#x', 'http://h/?a=1##b'];
    for (const u of urls) for (const m of ['GET', 'get', 'Post', 'PÜT']) expect(urlKey(m, u), `${m} ${u}`).toBe(fastHash(`${m.toUpperCase()} ${u.split('#')[0]}`));
  });
});
