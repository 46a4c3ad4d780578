import type { Rule } from './types';
import { exposureRules } from './exposure/index';
import { mcpRules } from './mcp/index';
import { mixupRules } from './mixup/index';
import { pkceRules } from './pkce/index';
import { sessionRules } from './session/index';
import { tokenRules } from './tokens/index';

/** Every rule, in catalogue order. Each group folder lists its own rules (one file per rule id). */
export const allRules: Rule[] = [...mixupRules, ...sessionRules, ...pkceRules, ...exposureRules, ...tokenRules, ...mcpRules];

export function ruleById(id: string): Rule | undefined {
  return allRules.find((r) => r.meta.id === id);
}
