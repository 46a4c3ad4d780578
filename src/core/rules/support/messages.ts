/**
 * A rule's wording lives in its `meta.messages` (message id → template), as in ESLint: a report
 * names a `messageId` and gives `data`; `{name}` in the template is replaced by `data.name`
 * (strings as they are, anything else as JSON). The engine and the token view
 * (tokens/warnings.ts) render findings with the same table, so a rule's words are the same in the
 * extension, the DevTools panel and the CLI.
 */
import type { RuleMeta } from '../types';

function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined) return 'undefined';
  return JSON.stringify(v) ?? String(v);
}

/** Fill a template's `{placeholders}`; a placeholder without data stays as written. */
export function formatMessage(template: string, data: Record<string, unknown> = {}): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (Object.hasOwn(data, k) ? text(data[k]) : m));
}

/** A rule's message by id, filled; an unknown id is a programming error. */
export function ruleMessage(meta: Pick<RuleMeta, 'id' | 'messages'>, messageId: string, data?: Record<string, unknown>): string {
  const template = meta.messages?.[messageId];
  if (template === undefined) throw new Error(`rule ${meta.id} has no message "${messageId}"`);
  return formatMessage(template, data);
}
