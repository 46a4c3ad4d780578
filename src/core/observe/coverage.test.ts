import { describe, expect, it } from 'vitest';
import { allRules } from '../rules/index';
import { obs } from '../testing/builders';
import { CaptureCoverage, COOKIE_RULES } from './coverage';

const covered = (list: ReturnType<typeof obs>[], oauth = 3) => {
  const c = new CaptureCoverage();
  for (const o of list) c.note(o);
  return c.warnings(oauth);
};

describe('CaptureCoverage: a capture without cookies (a sanitized export)', () => {
  it('a browser capture of OAuth traffic without any Cookie or Set-Cookie header: one warning naming the rules that could not judge', () => {
    const w = covered([obs('https://app.example/login', { location: 'https://as.example/authorize?client_id=c' }), obs('https://as.example/authorize?client_id=c'), obs('https://app.example/cb?code=x&state=y')]);
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/no entry carries a Cookie or Set-Cookie header, though the capture has 3 browser navigations/);
    for (const id of COOKIE_RULES) expect(w[0]).toContain(id);
  });
  it('one Cookie request header, or one Set-Cookie response header (any case), anywhere: no warning', () => {
    expect(covered([obs('https://app.example/cb?code=x'), obs('https://app.example/api', { type: 'xhr', headers: { cookie: 'sid=1' } })])).toEqual([]);
    expect(covered([obs('https://app.example/cb?code=x', { responseHeaders: { 'Set-Cookie': 'sid=1; Path=/' } })])).toEqual([]);
  });
  it('no browser navigation (a command-line client, a proxy in front of a server), or no OAuth traffic: no warning', () => {
    expect(covered([obs('https://as.example/token', { type: 'fetch', method: 'POST', form: { grant_type: 'client_credentials' } })])).toEqual([]);
    expect(covered([obs('https://news.example/')], 0)).toEqual([]);
    expect(covered([obs('https://app.example/cb#access_token=x', { navigationOnly: true })])).toEqual([]);
  });
  it('no callback in the capture (an authorization request alone): no warning; a callback seen only in the Location of a redirect counts', () => {
    expect(covered([obs('https://as.example/authorize?client_id=c&response_type=code&state=s')])).toEqual([]);
    expect(covered([obs('https://as.example/authorize?client_id=c&response_type=token', { location: 'https://app.example/cb#access_token=x&state=s' })])).toHaveLength(1);
  });
  it('names rules that exist', () => {
    const ids = new Set(allRules.map((r) => r.meta.id));
    for (const id of COOKIE_RULES) expect(ids.has(id), id).toBe(true);
  });
});
