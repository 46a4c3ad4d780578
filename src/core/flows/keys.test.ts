import { describe, expect, it } from 'vitest';
import { fastHash } from '../util/secret';
import type { Observation } from '../observe/observation';
import { replayKey, urlKey } from './keys';

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

describe('replayKey', () => {
  it('is fastHash of "METHOD url" and a POST form\'s pairs (fed in parts, the same value)', () => {
    const before = (o: Observation) => {
      const form = o.method.toUpperCase() === 'POST' && o.requestBody?.form ? `\n${o.requestBody.form.map(([k, v]) => `${k}=${v}`).join('&')}` : '';
      return fastHash(`${o.method.toUpperCase()} ${o.url}${form}`);
    };
    const forms: ([string, string][] | undefined)[] = [undefined, [], [['code', 'abc']], [['a', ''], ['', 'b'], ['é', 'ü&=']]];
    let n = 0;
    for (const url of ['https://a.example/cb?code=x&state=y#frag', '', 'https://ü.example/päth']) {
      for (const method of ['GET', 'post', 'POST', 'Put', 'pöst']) {
        for (const form of forms) {
          const o = { url, method, requestBody: form ? { form } : undefined } as unknown as Observation;
          expect(replayKey(o), `${method} ${url} ${JSON.stringify(form)}`).toBe(before(o));
          n++;
        }
      }
    }
    expect(n).toBe(60);
  });

  it('of a GET without fragment is its urlKey (navigation.ts isReplay reuses the one it has)', () => {
    for (const url of ['https://a.example/cb?code=x&state=y', '', 'https://ü.example/päth?x=é']) {
      for (const method of ['GET', 'get', 'Get']) {
        const o = { url, method, requestBody: { form: [['a', 'b']] } } as unknown as Observation;
        expect(replayKey(o)).toBe(urlKey('GET', url));
      }
    }
  });
});
