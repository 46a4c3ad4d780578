import type { Rule } from '../types';
import audienceInjection from './audience-injection';
import idTokenAudMismatch from './id-token-aud-mismatch';
import jwtAlgNone from './jwt-alg-none';
import metadataEndpointForeign from './metadata-endpoint-foreign';
import metadataIssuerMismatch from './metadata-issuer-mismatch';
import tokenLifetimeLong from './token-lifetime-long';

export const tokenRules: Rule[] = [
  idTokenAudMismatch,
  jwtAlgNone,
  tokenLifetimeLong,
  audienceInjection,
  metadataEndpointForeign,
  metadataIssuerMismatch,
];
