import type { Rule } from '../types';
import implicitGrant from './implicit-grant';
import ropcGrant from './ropc-grant';

export const exposureRules: Rule[] = [implicitGrant, ropcGrant];
