import type { Rule } from '../types';
import nonceMissing from './nonce-missing';
import nonceReusedOrMismatch from './nonce-reused-or-mismatch';
import pkceChallengeReused from './pkce-challenge-reused';
import pkceDowngradeAccepted from './pkce-downgrade-accepted';
import pkceMissing from './pkce-missing';
import pkcePlain from './pkce-plain';
import pkceS256Malformed from './pkce-s256-malformed';
import pkceVerifierMismatchAccepted from './pkce-verifier-mismatch-accepted';
import pkceVerifierWeak from './pkce-verifier-weak';

export const pkceRules: Rule[] = [pkceMissing, pkcePlain, pkceS256Malformed, pkceVerifierWeak, pkceVerifierMismatchAccepted, pkceDowngradeAccepted, pkceChallengeReused, nonceMissing, nonceReusedOrMismatch];
