import type { Rule } from '../types';
import callbackWithoutBrowserBinding from './callback-without-browser-binding';
import codeReplay from './code-replay';
import sessionFixationLink from './session-fixation-link';
import sessionFixationStateCarriesSession from './session-fixation-state-carries-session';
import stateMissing from './state-missing';
import stateReuse from './state-reuse';
import stateWeak from './state-weak';

export const sessionRules: Rule[] = [stateMissing, stateWeak, stateReuse, sessionFixationLink, sessionFixationStateCarriesSession, callbackWithoutBrowserBinding, codeReplay];
