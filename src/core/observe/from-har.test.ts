import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CoreError } from '../errors';
import { entrySchema, observationFromHarEntry, quickEntry } from './from-har';

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
