/** JSON helpers that never throw. */
import { GenCache } from './gen-cache';

/**
 * How deep JSON may nest before we refuse it. `JSON.parse` copes with any depth, but everything
 * that walks the value afterwards (JSON.stringify, renderers, claim checks) recurses: 100 000
 * nested arrays in a token overflowed the stack. Real tokens and OAuth bodies nest a few levels.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Does JSON text nest deeper than `max` arrays/objects? One pass over the characters, skipping
 * strings; no parsing, so it is safe on any input.
 */
export function jsonNestsDeeperThan(text: string, max: number = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // a backslash escapes the next character
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > max) return true;
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return false;
}

/**
 * Does a parsed JSON value nest deeper than `max` arrays/objects? The same answer as
 * `jsonNestsDeeperThan` on the text it was parsed from (brackets outside strings are exactly its
 * arrays and objects), found by walking the value: a few fields instead of every character.
 */
export function valueNestsDeeperThan(v: unknown, max: number = MAX_JSON_DEPTH): boolean {
  if (v === null || typeof v !== 'object') return false;
  if (max < 1) return true;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (valueNestsDeeperThan(v[i], max - 1)) return true;
    return false;
  }
  for (const k in v) if (valueNestsDeeperThan((v as Record<string, unknown>)[k], max - 1)) return true;
  return false;
}

/**
 * JSON.parse of text that must not nest deeper than MAX_JSON_DEPTH: the value, or `tooDeep` when
 * it nests deeper, or `invalid` when it is not JSON (deep text is `tooDeep` whether it parses or
 * not, as a check of the text before parsing would say). Short text (tokens, token responses) is
 * parsed first and the depth checked on the value, the text scanned only when it does not parse
 * (V8's JSON.parse is not recursive: deep text cannot overflow it); long text is scanned first, so
 * that a hostile document nested a million levels is refused without building it.
 */
export function parseJsonBounded(text: string): { value: unknown } | 'tooDeep' | 'invalid' {
  const long = text.length > 8192;
  if (long && jsonNestsDeeperThan(text)) return 'tooDeep';
  let v: unknown;
  try {
    v = JSON.parse(text) as unknown;
  } catch {
    return !long && jsonNestsDeeperThan(text) ? 'tooDeep' : 'invalid';
  }
  return !long && valueNestsDeeperThan(v) ? 'tooDeep' : { value: v };
}

// the same body is often parsed twice in a row (a token response by the MCP ledger, then by
// classify): the last answer is kept. Callers treat the object as read-only.
let lastText: string | undefined;
let lastValue: Record<string, unknown> | undefined;

/**
 * Parse text as a JSON object (not an array or a scalar); undefined otherwise, when over
 * `maxLength`, or when it nests deeper than MAX_JSON_DEPTH.
 */
export function parseJsonObject(text: string | undefined, maxLength = 5_000_000): Record<string, unknown> | undefined {
  if (!text || text.length > maxLength) return undefined;
  if (text === lastText) return lastValue;
  const t = text.trim();
  let out: Record<string, unknown> | undefined;
  if (t.startsWith('{')) {
    const r = parseJsonBounded(t);
    if (typeof r === 'object') {
      const v = r.value;
      out = v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
    }
  }
  lastText = text;
  lastValue = out;
  return out;
}

// documents served alike to every client (AS metadata, JWKS, protected-resource metadata) by text
const documents = new GenCache<Record<string, unknown> | null>(64);

/**
 * `parseJsonObject` for a document that many flows fetch with the same text (discovery metadata,
 * JWKS): an equal text seen recently is answered without parsing it again (a lookup hashes the
 * text, a few times faster than JSON.parse). Only for such documents: a token response is new
 * every time and would pay the hashing for nothing. Callers treat the object as read-only.
 */
export function parseJsonDocument(text: string | undefined, maxLength = 5_000_000): Record<string, unknown> | undefined {
  if (!text || text.length > maxLength) return undefined;
  if (text === lastText) return lastValue;
  if (text.length > 256 * 1024) return parseJsonObject(text, maxLength);
  const known = documents.get(text);
  if (known !== undefined) {
    lastText = text;
    lastValue = known ?? undefined;
    return lastValue;
  }
  const v = parseJsonObject(text, maxLength);
  documents.set(text, v ?? null);
  return v;
}
