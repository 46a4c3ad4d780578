import type { Rule } from '../types';
import bearerAudienceMismatch from './bearer-audience-mismatch';
import credentialSentToOtherIssuer from './credential-sent-to-other-issuer';
import discoveryUrlPrivateOrInsecure from './discovery-url-private-or-insecure';
import dynamicRegistrationInsecure from './dynamic-registration-insecure';
import mcpDiscoveryOutOfOrder from './mcp-discovery-out-of-order';
import pkceNotAdvertisedContinued from './pkce-not-advertised-continued';
import protectedResourceMetadataMismatch from './protected-resource-metadata-mismatch';
import resourceIndicatorMissing from './resource-indicator-missing';

/** Group L (MCP and protected-resource discovery) and §1 I's credential-sent-to-other-issuer, in catalogue order. */
export const mcpRules: Rule[] = [
  credentialSentToOtherIssuer,
  resourceIndicatorMissing,
  protectedResourceMetadataMismatch,
  discoveryUrlPrivateOrInsecure,
  pkceNotAdvertisedContinued,
  bearerAudienceMismatch,
  dynamicRegistrationInsecure,
  mcpDiscoveryOutOfOrder,
];
