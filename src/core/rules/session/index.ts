import type { Rule } from '../types';

export const sessionRules: Rule[] = [];
