import type { Rule } from '../types';
import assertionAudNotIssuerOrTarget from './assertion-aud-not-issuer-or-target';
import assertionHygiene from './assertion-hygiene';
import assertionKeySharedAcrossAs from './assertion-key-shared-across-as';
import audienceInjection from './audience-injection';
import idTokenAsBearer from './id-token-as-bearer';
import idTokenAudMismatch from './id-token-aud-mismatch';
import idtokenHashMismatch from './idtoken-hash-mismatch';
import jwtAlgNone from './jwt-alg-none';
import jwtRiskyHeader from './jwt-risky-header';
import metadataEndpointForeign from './metadata-endpoint-foreign';
import metadataIssuerMismatch from './metadata-issuer-mismatch';
import tokenLifetimeLong from './token-lifetime-long';

/** Groups E (JWT), F (token lifetime), J (audience injection) and K (metadata), in catalogue order. */
export const tokenRules: Rule[] = [
  idTokenAudMismatch,
  jwtAlgNone,
  jwtRiskyHeader,
  idtokenHashMismatch,
  idTokenAsBearer,
  tokenLifetimeLong,
  audienceInjection,
  assertionAudNotIssuerOrTarget,
  assertionKeySharedAcrossAs,
  assertionHygiene,
  metadataEndpointForeign,
  metadataIssuerMismatch,
];
