/** JSON helpers that never throw. */

/** Parse text as a JSON object (not an array or a scalar); undefined otherwise or when over `maxLength`. */
export function parseJsonObject(text: string | undefined, maxLength = 5_000_000): Record<string, unknown> | undefined {
  if (!text || text.length > maxLength) return undefined;
  const t = text.trim();
  if (!t.startsWith('{')) return undefined;
  try {
    const v = JSON.parse(t) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
