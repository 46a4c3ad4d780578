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
    // multi-tenant endpoints and tenants named by a domain (contoso.onmicrosoft.com): the ID token
    // names the tenant id, https://login.microsoftonline.com/{tenantid}/v2.0
    issuerPattern: (m) => (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(m[1]) ? undefined : '^https://login\\.microsoftonline\\.com/[0-9a-fA-F-]{36}/v2\\.0$'),
  },
  { name: 'GitHub', endpoint: /^https:\/\/github\.com\/login\/oauth\/authorize$/, issuer: () => 'https://github.com', sendsIss: false },
  { name: 'Apple', endpoint: /^https:\/\/appleid\.apple\.com\/auth\/authorize$/, issuer: () => 'https://appleid.apple.com', sendsIss: false },
  { name: 'Slack', endpoint: /^https:\/\/slack\.com\/(oauth\/v2|openid\/connect)\/authorize$/, issuer: () => 'https://slack.com', sendsIss: false },
  {
    name: 'Salesforce',
    // login/test and My Domain hosts (acme.my.salesforce.com): one issuer per host
    endpoint: /^https:\/\/((?:login|test)\.salesforce\.com|[a-z0-9-]+(?:--[a-z0-9]+)?\.(?:sandbox\.)?my\.salesforce\.com)\/services\/oauth2\/authorize$/i,
    issuer: (m) => `https://${m[1].toLowerCase()}`,
    sendsIss: false,
  },
  {
    name: 'Okta',
    // custom authorization servers (/oauth2/{id}/v1/authorize, issuer {domain}/oauth2/{id}) and the
    // org authorization server (/oauth2/v1/authorize, issuer {domain})
    endpoint: /^(https:\/\/[^/]+\.(?:okta|oktapreview|okta-emea)\.com)(?:\/oauth2(\/(?!v1\/)[^/]+)?)\/v1\/authorize$/,
    issuer: (m) => `${m[1]}${m[2] ? `/oauth2${m[2]}` : ''}`,
    sendsIss: false,
  },
  {
    // §3 Auth0: tenant domains (regional too); the issuer is the tenant URL with a trailing slash
    name: 'Auth0',
    endpoint: /^(https:\/\/[a-z0-9-]+(?:\.[a-z]{2})?\.auth0\.com)\/authorize$/i,
    issuer: (m) => `${m[1].toLowerCase()}/`,
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
