import type { Rule } from '../types';

export const pkceRules: Rule[] = [];
