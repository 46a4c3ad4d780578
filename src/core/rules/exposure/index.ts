import type { Rule } from '../types';
import as307CredentialForward from './as-307-credential-forward';
import authzEndpointCors from './authz-endpoint-cors';
import clientSecretInBrowser from './client-secret-in-browser';
import clientSecretInUrl from './client-secret-in-url';
import codeRedeemedTwiceAccepted from './code-redeemed-twice-accepted';
import credentialInHistory from './credential-in-history';
import implicitGrant from './implicit-grant';
import openRedirectTokenExfil from './open-redirect-token-exfil';
import redirectUriInsecure from './redirect-uri-insecure';
import redirectUriMalformed from './redirect-uri-malformed';
import redirectUriNotExactMatch from './redirect-uri-not-exact-match';
import redirectUriOpenRedirect from './redirect-uri-open-redirect';
import refererLeak from './referer-leak';
import refreshTokenNotRotated from './refresh-token-not-rotated';
import refreshTokenReuse from './refresh-token-reuse';
import ropcGrant from './ropc-grant';
import tokenInFragment from './token-in-fragment';
import tokenInUrlQuery from './token-in-url-query';

export const exposureRules: Rule[] = [
  implicitGrant,
  tokenInFragment,
  tokenInUrlQuery,
  clientSecretInUrl,
  redirectUriInsecure,
  redirectUriOpenRedirect,
  ropcGrant,
  refreshTokenReuse,
  refererLeak,
  codeRedeemedTwiceAccepted,
  refreshTokenNotRotated,
  clientSecretInBrowser,
  as307CredentialForward,
  redirectUriNotExactMatch,
  redirectUriMalformed,
  authzEndpointCors,
  openRedirectTokenExfil,
  credentialInHistory,
];
