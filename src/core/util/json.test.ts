import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonNestsDeeperThan, MAX_JSON_DEPTH, parseJsonBounded, parseJsonDocument, parseJsonObject, valueNestsDeeperThan } from './json';

/** parseJsonObject as it was (scan the text, then parse): the reference */
function reference(text: string | undefined): Record<string, unknown> | undefined {
  if (!text || text.length > 5_000_000) return undefined;
  const t = text.trim();
  if (!t.startsWith('{')) return undefined;
  if (jsonNestsDeeperThan(t)) return undefined;
  try {
    const v = JSON.parse(t) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const nested = (depth: number, leaf = '1') => '{"a":'.repeat(depth) + leaf + '}'.repeat(depth);
const arrays = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe('bounded JSON parsing', () => {
  it('the depth of a parsed value is the depth its text shows', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 10 }), (v, max) => {
      const text = JSON.stringify(v);
      expect(valueNestsDeeperThan(JSON.parse(text), max)).toBe(jsonNestsDeeperThan(text, max));
    }));
  });
  it('parseJsonObject answers as before on JSON, broken JSON and text nested around the limit', () => {
    const samples = [
      nested(MAX_JSON_DEPTH), nested(MAX_JSON_DEPTH + 1), `{"x":${arrays(MAX_JSON_DEPTH - 1)}}`, `{"x":${arrays(MAX_JSON_DEPTH)}}`,
      `{"x":${arrays(MAX_JSON_DEPTH)}`, `${nested(MAX_JSON_DEPTH + 1)},`, `  ${nested(3)}  `, '[1]', '{"a":"}}}}"}', '{', '', ' ', '{"a":1} x',
      `{"s":"${'['.repeat(100)}"}`, `{"s":"${'{'.repeat(60)}","d":${arrays(10)}}`, `{"s":"${'{'.repeat(60)}","d":${nested(MAX_JSON_DEPTH - 1)}}`, `[${nested(MAX_JSON_DEPTH)}]`, `{"a":[${nested(MAX_JSON_DEPTH - 1)}]}`, `{"pad":"${'x'.repeat(9000)}","d":${arrays(MAX_JSON_DEPTH)}}`, `{"pad":"${'x'.repeat(9000)}","d":${arrays(MAX_JSON_DEPTH + 5)}}`,
    ];
    for (const s of samples) expect(parseJsonObject(s)).toEqual(reference(s));
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 6 }), fc.nat(3), (v, cut) => {
      const full = JSON.stringify(v);
      const s = cut ? full.slice(0, Math.max(0, full.length - cut)) : full;
      expect(parseJsonObject(s)).toEqual(reference(s));
    }));
  });
  it('refuses a million levels without building them', () => {
    expect(parseJsonBounded(arrays(1_000_000))).toBe('tooDeep');
    expect(parseJsonBounded(arrays(10))).toEqual({ value: JSON.parse(arrays(10)) });
    expect(parseJsonBounded('{x')).toBe('invalid');
  });
});

describe('parseJsonDocument', () => {
  it('answers as parseJsonObject, for equal texts asked again in any order (a copy of the text included)', () => {
    const docs = ['{"issuer":"https://as.example","jwks_uri":"https://as.example/jwks"}', '{"keys":[{"kty":"RSA"}]}', '[1]', '', ' {"a":1} ', nested(MAX_JSON_DEPTH + 1), '{"a":', '{}'];
    const text = fc.oneof(fc.constantFrom(...docs), fc.json(), fc.string({ maxLength: 30 }));
    fc.assert(
      fc.property(fc.array(fc.tuple(text, fc.boolean()), { maxLength: 100 }), (texts) => {
        for (const [t, copy] of texts) {
          const asked = copy ? [...t].join('') : t;
          expect(parseJsonDocument(asked)).toEqual(reference(t));
          expect(parseJsonObject(t)).toEqual(reference(t));
        }
      }),
      { numRuns: 300 },
    );
    expect(parseJsonDocument(docs[0], 10)).toBeUndefined();
    expect(parseJsonDocument(undefined)).toBeUndefined();
  });
});
