import type { Rule } from '../types';

export const tokenRules: Rule[] = [];
