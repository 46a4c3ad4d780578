/**
 * Provider table (detectors.md §3 and §0.4 step 3): authorization endpoint patterns → issuer, and
 * whether the provider is known to send the RFC 9207 `iss` parameter. Templated issuers are patterns.
 */
export interface ProviderEntry {
  name: string;
  /** matches the authorization endpoint (origin + path) */
  endpoint: RegExp;
  /** issuer from the endpoint match */
  issuer: (m: RegExpMatchArray) => string;
  /** RFC 9207 iss parameter known to be sent */
  sendsIss: boolean;
  /** templated issuer (§0.4): a RegExp source the real `iss` must match, when the URL does not fix it */
  issuerPattern?: (m: RegExpMatchArray) => string | undefined;
}

/**
 * Hosts on another site than the issuer where a provider documents its own endpoints (Google:
 * issuer accounts.google.com, token/revocation endpoints on oauth2.googleapis.com, userinfo on
 * openidconnect.googleapis.com). Exact hosts, not sites: googleapis.com also hosts tenants' content.
 */
const PROVIDER_ENDPOINT_HOSTS: Record<string, readonly string[]> = {
  'https://accounts.google.com': ['oauth2.googleapis.com', 'www.googleapis.com', 'openidconnect.googleapis.com'],
};

/** Is `hostname` a host on which the provider with this issuer documents its own endpoints? */
export function isProviderEndpointHost(issuer: string, hostname: string): boolean {
  return (PROVIDER_ENDPOINT_HOSTS[issuer.replace(/\/$/, '')] ?? []).includes(hostname.toLowerCase());
}

export const PROVIDERS: ProviderEntry[] = [
  { name: 'Google', endpoint: /^https:\/\/accounts\.google\.com\/o\/oauth2\/(v2\/)?auth$/, issuer: () => 'https://accounts.google.com', sendsIss: true },
  {
    name: 'Microsoft Entra',
    endpoint: /^https:\/\/login\.microsoftonline\.com\/([^/]+)\/oauth2\/v2\.0\/authorize$/,
    issuer: (m) => `https://login.microsoftonline.com/${m[1]}/v2.0`,
    sendsIss: false,
    // multi-tenant endpoints: the ID token names the user's tenant, https://login.microsoftonline.com/{tenantid}/v2.0
    issuerPattern: (m) => (/^(common|organizations|consumers)$/i.test(m[1]) ? '^https://login\\.microsoftonline\\.com/[0-9a-fA-F-]{36}/v2\\.0$' : undefined),
  },
  { name: 'GitHub', endpoint: /^https:\/\/github\.com\/login\/oauth\/authorize$/, issuer: () => 'https://github.com', sendsIss: false },
  { name: 'Apple', endpoint: /^https:\/\/appleid\.apple\.com\/auth\/authorize$/, issuer: () => 'https://appleid.apple.com', sendsIss: false },
  { name: 'Slack', endpoint: /^https:\/\/slack\.com\/(oauth\/v2|openid\/connect)\/authorize$/, issuer: () => 'https://slack.com', sendsIss: false },
  {
    name: 'Salesforce',
    endpoint: /^https:\/\/(login|test)\.salesforce\.com\/services\/oauth2\/authorize$/,
    issuer: (m) => `https://${m[1]}.salesforce.com`,
    sendsIss: false,
  },
  {
    name: 'Okta',
    endpoint: /^(https:\/\/[^/]+\.okta(preview)?\.com)(\/oauth2\/[^/]+)?\/v1\/authorize$/,
    issuer: (m) => `${m[1]}${m[3] ?? ''}`,
    sendsIss: false,
  },
  {
    name: 'Keycloak',
    endpoint: /^(https?:\/\/[^/]+(?:\/auth)?\/realms\/[^/]+)\/protocol\/openid-connect\/auth$/,
    issuer: (m) => m[1],
    sendsIss: true,
  },
];

export function providerForEndpoint(base: string): { entry: ProviderEntry; issuer: string; pattern?: string } | undefined {
  for (const entry of PROVIDERS) {
    const m = base.match(entry.endpoint);
    if (m) return { entry, issuer: entry.issuer(m), pattern: entry.issuerPattern?.(m) };
  }
  return undefined;
}
