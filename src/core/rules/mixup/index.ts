import type { Rule } from '../types';
import authorizationRequestFlood from './authorization-request-flood';
import brokerConsentShared from './broker-consent-shared';
import callbackContextMismatch from './callback-context-mismatch';
import coatContextSwitch from './coat-context-switch';
import mixupAsSwitch from './mixup-as-switch';
import mixupIssMismatch from './mixup-iss-mismatch';
import mixupCodeSentToWrongTokenEndpoint from './mixup-code-sent-to-wrong-token-endpoint';
import mixupIssMissing from './mixup-iss-missing';
import mixupNoDefense from './mixup-no-defense';
import unsolicitedCallback from './unsolicited-callback';

export const mixupRules: Rule[] = [mixupIssMismatch, mixupIssMissing, mixupAsSwitch, coatContextSwitch, callbackContextMismatch, unsolicitedCallback, mixupNoDefense, mixupCodeSentToWrongTokenEndpoint, authorizationRequestFlood, brokerConsentShared];
