/**
 * Provider lookups (detectors.md §3 and §0.4 step 3) over the dated table in ./provider-table:
 * authorization endpoint → the row, its issuer (templated issuers as patterns), the issuer aliases
 * of the same AS, and what the row says about the RFC 9207 `iss` parameter at a given time.
 */
import { dateMs, PROVIDER_TABLE, type ProviderRow } from './provider-table';

export { PROVIDER_TABLE, describeIss, providerSpec, rowFromSpec, type ProviderRow, type ProviderSpec, type IssBehaviour, type TableBasis } from './provider-table';

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
  // asked of every token request (mixup-code-sent-to-wrong-token-endpoint): no regex, no lower-casing for an issuer not in the table
  const hosts = PROVIDER_ENDPOINT_HOSTS[issuer.charCodeAt(issuer.length - 1) === 47 /* / */ ? issuer.slice(0, -1) : issuer];
  return hosts !== undefined && hosts.includes(hostname.toLowerCase());
}

export interface ProviderMatch {
  row: ProviderRow;
  issuer: string;
  /** RegExp source the real iss must match when the endpoint does not fix the issuer */
  pattern?: string;
  /** RegExp sources of the other issuers of this AS (Entra v1/v2 of the same tenant) */
  aliases: string[];
  /** RegExp source of the issuer space that belongs to this AS (default: its origin) */
  ownScope?: string;
}

/** The row matching an authorization endpoint: rows supplied by the caller first, then the table. */
export function providerForEndpoint(base: string, extra: readonly ProviderRow[] = []): ProviderMatch | undefined {
  for (const row of extra.length ? [...extra, ...PROVIDER_TABLE] : PROVIDER_TABLE) {
    const m = base.match(row.endpoint);
    if (m) return { row, issuer: row.issuer(m), pattern: row.issuerPattern?.(m), aliases: row.aliases?.(m) ?? [], ownScope: row.ownScope?.(m) };
  }
  return undefined;
}

export function providerRow(id: string | undefined, extra: readonly ProviderRow[] = []): ProviderRow | undefined {
  return id === undefined ? undefined : (extra.find((r) => r.id === id) ?? PROVIDER_TABLE.find((r) => r.id === id));
}

/**
 * §0.4: does the table say this provider sends iss in every response at `time`? `always since D`
 * applies only at or after D; `some accounts` never qualifies; `not seen` never does.
 */
export function tableSendsIss(row: ProviderRow, time: number): boolean {
  return row.iss.kind === 'always' && Number.isFinite(time) && time >= dateMs(row.iss.since);
}
