import type { Rule } from '../types';

export const mixupRules: Rule[] = [];
