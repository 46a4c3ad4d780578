import type { Rule } from '../types';
import codeReplay from './code-replay';
import sessionFixationLink from './session-fixation-link';
import stateMissing from './state-missing';
import stateReuse from './state-reuse';
import stateWeak from './state-weak';

export const sessionRules: Rule[] = [stateMissing, stateWeak, stateReuse, sessionFixationLink, codeReplay];
