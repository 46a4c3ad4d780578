import { describe, expect, it } from 'vitest';
import { obs } from '../testing/builders';
import { requestHeaderBits } from '../observe/raw';
import type { Observation } from '../observe/observation';
import { RulePrefilter } from './prefilter';
import { defineRule, type RawPrecondition } from './types';

const rule = (id: string, prefilter?: RawPrecondition) =>
  defineRule({ meta: { id, title: id, severity: 'low', confidence: 'strong', references: [], description: id, tier: 2, on: 'any', vantage: ['HAR'], prefilter }, check: () => {} });

const rules = [
  rule('url', { urlParams: ['access_token', 'client_secret'] }),
  rule('ref', { refererParams: ['code'] }),
  rule('auth', { requestHeaders: ['authorization'] }),
  rule('loc', { location: ['client_id='] }),
  rule('status', { statuses: [307] }),
  rule('body', { bodyFields: ['grant_type'] }),
  rule('memo', { contextMemo: true }),
  rule('type', { types: ['script'], methods: ['PUT'] }),
];
const pf = new RulePrefilter(rules);
const noMemo = () => undefined;
const which = (o: Observation, memo: (c: string, id: string) => unknown = noMemo) =>
  rules.filter((_, i) => (pf.test(o, requestHeaderBits(o.requestHeaders), memo) & (1 << i)) !== 0).map((r) => r.meta.id);
const sub = { type: 'image' } as const;

describe('RulePrefilter', () => {
  it('lets nothing through for a plain subresource', () => {
    expect(which(obs('https://cdn.example/a.png?w=640&q=75#x', sub))).toEqual([]);
  });
  it('matches parameter names as the parser reads them: after ? & #, with a value', () => {
    expect(which(obs('https://a.example/?access_token=x', sub))).toEqual(['url']);
    expect(which(obs('https://a.example/?a=1&client_secret=x', sub))).toEqual(['url']);
    expect(which(obs('https://a.example/#/route?access_token=x', sub))).toEqual(['url']);
    expect(which(obs('https://a.example/?access_token=&b=1', sub)), 'empty value').toEqual([]);
    expect(which(obs('https://a.example/?access_token', sub)), 'no value').toEqual([]);
    expect(which(obs('https://a.example/?my_access_token=x&access_token_help=1', sub)), 'look-alikes').toEqual([]);
    expect(which(obs('https://a.example/access_token=x', sub)), 'in the path').toEqual([]);
    expect(which(obs('https://a.example/?a=access_token=x', sub)), 'in a value').toEqual([]);
  });
  it('decodes percent-encoded names as the parser does', () => {
    expect(which(obs('https://a.example/?access%5Ftoken=x', sub))).toEqual(['url']);
    expect(which(obs('https://a.example/?%61ccess_token=x', sub))).toEqual(['url']);
    expect(which(obs('https://a.example/?acc%65ss_tokens=x', sub))).toEqual([]);
  });
  it('reads the Referer, headers, Location, status, body, type, method and the context memo', () => {
    expect(which(obs('https://b.example/x.js', { ...sub, referer: 'https://a.example/cb?code=abc' }))).toEqual(['ref']);
    expect(which(obs('https://b.example/x.js', { ...sub, referer: 'https://a.example/cb?codes=abc' }))).toEqual([]);
    expect(which(obs('https://b.example/api', { ...sub, headers: { AUTHORIZATION: 'Bearer x' } }))).toEqual(['auth']);
    expect(which(obs('https://b.example/login', { ...sub, location: 'https://as.example/authorize?client_id=a' }))).toEqual(['loc']);
    expect(which(obs('https://b.example/login', { ...sub, status: 307, location: 'https://c.example/' }))).toEqual(['status']);
    expect(which(obs('https://b.example/t', { ...sub, form: { grant_type: 'password' } }))).toEqual(['body']);
    expect(which(obs('https://b.example/t', { ...sub, body: '{"grant\\u005ftype":"password"}' })), 'a JSON escape').toEqual(['body']);
    expect(which(obs('https://b.example/t', { ...sub, body: '{"q":1}' }))).toEqual([]);
    expect(which(obs('https://b.example/x.js', { type: 'script' }))).toEqual(['type']);
    expect(which(obs('https://b.example/x', { ...sub, method: 'put' }))).toEqual(['type']);
    expect(which(obs('https://b.example/x', sub), (c, id) => (c === 'tab:1' && id === 'memo' ? { page: 1 } : undefined))).toEqual(['memo']);
  });
  it('runs a rule without a declaration always', () => {
    const p = new RulePrefilter([rule('a', { statuses: [500] }), rule('b')]);
    expect(p.test(obs('https://x.example/', sub), 0, noMemo)).toBe(2);
  });
  it('refuses a name the scan cannot recognise', () => {
    expect(() => new RulePrefilter([rule('a', { urlParams: ['a-b'] })])).toThrow(/not \[A-Za-z0-9_\]/);
  });
});
