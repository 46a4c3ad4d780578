import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CoreError } from '../errors';
import { Engine } from '../engine';
import { entrySchema, harContext, observationFromHarEntry, quickEntry } from './from-har';

const ctx = { input: 0, entry: 7 };
const valid = {
  startedDateTime: '2026-01-01T00:00:00Z',
  request: { method: 'get', url: 'https://as.example/authorize?client_id=c&state=s', headers: [{ name: 'Accept', value: 'text/html' }] },
  response: { status: 302, headers: [{ name: 'Location', value: '/cb?code=1#f' }], content: { mimeType: 'text/html', text: '' } },
};

describe('observationFromHarEntry', () => {
  it('converts a well-formed entry (method upper-cased, Location resolved, fragment kept)', () => {
    const o = observationFromHarEntry(valid, ctx);
    expect(o.method).toBe('GET');
    expect(o.location).toBe('https://as.example/cb?code=1#f');
    expect(o.type).toBe('main_frame');
    expect(o.ref).toEqual({ input: 0, entry: 7 });
  });

  it('takes the response time from the entry time (total ms), and ignores a missing or bogus one', () => {
    const t0 = Date.parse(valid.startedDateTime);
    expect(observationFromHarEntry({ ...valid, time: 250.5 }, ctx).responseTime).toBe(t0 + 250.5);
    expect(observationFromHarEntry({ ...valid, time: -1 }, ctx).responseTime).toBeUndefined();
    expect(observationFromHarEntry({ ...valid, time: 'soon' }, ctx).responseTime).toBeUndefined();
    expect(observationFromHarEntry(valid, ctx).responseTime).toBeUndefined();
  });

  it.each([
    [{ ...valid, request: { ...valid.request, url: 5 } }, 'request.url'],
    [{ ...valid, startedDateTime: undefined }, 'startedDateTime'],
    [{ ...valid, request: { ...valid.request, headers: [{ name: 'x' }] } }, 'request.headers.0.value'],
    [{ ...valid, response: { ...valid.response, status: '200' } }, 'response.status'],
    [{ ...valid, response: { ...valid.response, status: Number.POSITIVE_INFINITY } }, 'response.status'],
    [{ ...valid, response: { ...valid.response, status: Number.NaN } }, 'response.status'],
    [null, '(entry)'],
  ])('names the entry and the field of a malformed entry (%#)', (raw, field) => {
    let err: unknown;
    try {
      observationFromHarEntry(raw, ctx);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CoreError);
    expect((err as CoreError).code).toBe('HAR_ENTRY_INVALID');
    expect((err as CoreError).message).toContain('entry 7');
    expect((err as CoreError).message).toContain(field);
  });

  it('the hand-written fast path accepts only what the schema accepts, with the same result', () => {
    const str = fc.oneof({ arbitrary: fc.string({ maxLength: 8 }), weight: 8 }, fc.constant(undefined), fc.integer(), fc.constant(null));
    const header = fc.record({ name: str, value: str }, { requiredKeys: [] });
    const headers = fc.oneof(fc.array(header, { maxLength: 3 }), fc.constant(undefined), fc.constant('x'));
    const entry = fc.record(
      {
        pageref: str,
        startedDateTime: str,
        _resourceType: str,
        request: fc.oneof(
          fc.record(
            {
              method: str,
              url: str,
              headers,
              postData: fc.oneof(
                fc.constant(undefined),
                fc.record({ mimeType: str, text: str, params: fc.oneof(fc.constant(undefined), fc.array(fc.record({ name: str, value: str }, { requiredKeys: [] }), { maxLength: 2 })) }, { requiredKeys: [] }),
              ),
            },
            { requiredKeys: [] },
          ),
          fc.constant(null),
        ),
        response: fc.oneof(
          fc.constant(undefined),
          fc.record(
            {
              status: fc.oneof(fc.integer(), fc.string({ maxLength: 3 }), fc.constant(undefined)),
              headers,
              redirectURL: str,
              content: fc.oneof(fc.constant(undefined), fc.record({ mimeType: str, text: str, encoding: str }, { requiredKeys: [] })),
            },
            { requiredKeys: [] },
          ),
        ),
      },
      { requiredKeys: [] },
    );
    // and mutations of a valid entry: one field set to an arbitrary value
    const paths = [['pageref'], ['startedDateTime'], ['request'], ['request', 'method'], ['request', 'url'], ['request', 'headers'], ['request', 'postData'], ['response'], ['response', 'status'], ['response', 'headers'], ['response', 'content'], ['response', 'redirectURL'], ['_initiator'], ['extra']];
    const mutated = fc.tuple(fc.constantFrom(...paths), fc.oneof(fc.anything(), str, headers)).map(([path, v]) => {
      const e = structuredClone(valid) as Record<string, any>;
      let at = e;
      for (const k of path.slice(0, -1)) at = at[k];
      at[path[path.length - 1]] = v;
      return e;
    });
    let accepted = 0;
    fc.assert(
      fc.property(fc.oneof(entry, mutated), (raw) => {
        const quick = quickEntry(raw);
        const slow = entrySchema.safeParse(raw);
        if (quick) {
          accepted += 1;
          expect(slow.success).toBe(true);
          // zod strips the keys it does not know: the observations built from either are the same
          expect(observationFromHarEntry(raw, ctx)).toEqual(observationFromHarEntry(slow.success ? slow.data : undefined, ctx));
        }
      }),
      { numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(0);
  });
});

describe('HAR browsing contexts', () => {
  it('DevTools pages (page_N) of one file are one tab; other pagerefs are their own', () => {
    expect(harContext(0, 'page_1')).toBe(harContext(0, 'page_7'));
    expect(harContext(0, 'page_1')).not.toBe(harContext(1, 'page_1'));
    expect(harContext(0, undefined)).toBe(harContext(0, 'page_2'));
    expect(harContext(0, 'tab_5')).not.toBe(harContext(0, 'tab_6'));
    expect(harContext(0, 'page@3f2a')).not.toBe(harContext(0, 'page@9c1b'));
  });

  it('a callback reloaded on a page of its own (DevTools export) is a reload, not a code replay', () => {
    const entry = (i: number, url: string, pageref: string, extra: object = {}) => ({
      pageref,
      startedDateTime: new Date(Date.UTC(2026, 0, 1, 10, 0, i)).toISOString(),
      request: { method: 'GET', url, headers: [{ name: 'Accept', value: 'text/html' }] },
      response: { status: 200, headers: [] },
      _resourceType: 'document',
      ...extra,
    });
    const state = 'Vq3xY8pL2mN7kR4tW9zB1cD6';
    const cb = `https://app.example/cb?code=SplxlOBeZQQYbYS6WxSbIA&state=${state}`;
    const entries = [
      { ...entry(0, `https://as.example/authorize?client_id=c&response_type=code&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&state=${state}&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256`, 'page_1') },
      entry(20, cb, 'page_2', { _initiator: { type: 'other', url: 'https://as.example/login' } }),
      entry(60, cb, 'page_3'),
    ];
    const e = new Engine();
    entries.forEach((x, i) => e.push(observationFromHarEntry(x, { input: 0, entry: i })));
    e.finish();
    expect(e.findings.filter((f) => f.ruleId === 'code-replay')).toEqual([]);
  });
});

