/** JSON helpers that never throw. */

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
 * Parse text as a JSON object (not an array or a scalar); undefined otherwise, when over
 * `maxLength`, or when it nests deeper than MAX_JSON_DEPTH.
 */
export function parseJsonObject(text: string | undefined, maxLength = 5_000_000): Record<string, unknown> | undefined {
  if (!text || text.length > maxLength) return undefined;
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
