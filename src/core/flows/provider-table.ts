/**
 * CoatCheck's provider table as dated data (detectors.md §3, §0.4 "The provider table ages").
 *
 * Each row says how to recognise a provider's authorization endpoint, which issuer value(s) it
 * answers with, how it behaves with the RFC 9207 `iss` parameter — `always` since a date,
 * `some accounts` since a date, or `not seen` — and where that knowledge comes from and when it
 * was last checked. Knowledge from this table is *soft* (§0.4): it never raises a critical
 * group-A verdict on its own against an `iss` on the provider's own origin, and `always since D`
 * applies only to captures at or after D. Changing a row: docs/providers.md.
 *
 * Pure data plus small matchers; no platform API. test/providers.test.ts enforces that every row
 * has a source, a check date and its drift fixtures in test/fixtures/providers/.
 */

/** ISO date (YYYY-MM-DD) */
export type IsoDate = string;

export type IssBehaviour =
  | { kind: 'always'; since: IsoDate }
  | { kind: 'some-accounts'; since: IsoDate }
  | { kind: 'not-seen' };

export interface ProviderSource {
  /** a public document, issue or pull request */
  title: string;
  url: string;
  /** what it shows */
  note: string;
}

export interface ProviderRow {
  /** stable id (fixture file names, `coatcheck providers`) */
  id: string;
  name: string;
  /** matches the authorization endpoint (origin + path) */
  endpoint: RegExp;
  /** the endpoint shapes `endpoint` matches, for humans */
  endpointShape: string;
  /** the issuer this endpoint answers with (from the endpoint match) */
  issuer: (m: RegExpMatchArray) => string;
  /** templated issuer (§0.4): a RegExp source the real `iss` must match, when the URL does not fix it */
  issuerPattern?: (m: RegExpMatchArray) => string | undefined;
  /** other issuers of the same AS (RegExp sources), e.g. Entra's v1 issuer for the same tenant */
  aliases?: (m: RegExpMatchArray) => string[];
  /**
   * The part of the issuer space that belongs to this AS, as a RegExp source (default: the
   * endpoint's origin). An `iss` inside it that differs from the table means the table is stale;
   * one outside it is a foreign issuer. Multi-tenant providers whose tenants share an origin
   * (Entra) narrow it to the tenant.
   */
  ownScope?: (m: RegExpMatchArray) => string | undefined;
  /** issuer value(s) as documented, for humans (`{tenant}` etc. are placeholders) */
  issuers: string[];
  /** RFC 9207 iss parameter in authorization responses */
  iss: IssBehaviour;
  /** when this row was last checked against its sources */
  checked: IsoDate;
  sources: ProviderSource[];
  notes?: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const ANY_TID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

export const PROVIDER_TABLE: ProviderRow[] = [
  {
    id: 'google',
    name: 'Google',
    endpoint: /^https:\/\/accounts\.google\.com\/o\/oauth2\/(v2\/)?auth$/,
    endpointShape: 'https://accounts.google.com/o/oauth2/v2/auth (and the older /o/oauth2/auth)',
    issuer: () => 'https://accounts.google.com',
    issuers: ['https://accounts.google.com'],
    iss: { kind: 'some-accounts', since: '2026-02-24' },
    checked: '2026-12-04',
    sources: [
      {
        title: 'openiddict/openiddict-core#2428',
        url: 'https://github.com/openiddict/openiddict-core/issues/2428',
        note: 'Google returns iss to some users without authorization_response_iss_parameter_supported in its discovery document (reported 2026-02-24)',
      },
      {
        title: 'openiddict/openiddict-core#2446',
        url: 'https://github.com/openiddict/openiddict-core/pull/2446',
        note: 'issuer parameter validation turned off for Google (merged 2026-03-12)',
      },
    ],
    notes: 'Per account, undeclared: a response without iss proves nothing. The earliest public report is the since date.',
  },
  {
    id: 'entra',
    name: 'Microsoft Entra ID',
    // v2 (/oauth2/v2.0/authorize) and v1 (/oauth2/authorize) endpoints of one tenant
    endpoint: /^https:\/\/login\.microsoftonline\.com\/([^/]+)\/oauth2\/(v2\.0\/)?authorize$/,
    endpointShape: 'https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize and /{tenant}/oauth2/authorize (v1)',
    issuer: (m) => (m[2] ? `https://login.microsoftonline.com/${m[1]}/v2.0` : `https://sts.windows.net/${m[1]}/`),
    // multi-tenant endpoints and tenants named by a domain (contoso.onmicrosoft.com): the ID token
    // names the tenant id
    issuerPattern: (m) => (GUID.test(m[1]) ? undefined : m[2] ? `^https://login\\.microsoftonline\\.com/${ANY_TID}/v2\\.0$` : `^https://sts\\.windows\\.net/${ANY_TID}/$`),
    // one AS, two issuers: v1 tokens name https://sts.windows.net/{tid}/, v2 tokens
    // https://login.microsoftonline.com/{tid}/v2.0 — for the same tenant only
    aliases: (m) => {
      const tid = GUID.test(m[1]) ? esc(m[1]) : ANY_TID;
      return [`^https://login\\.microsoftonline\\.com/${tid}/v2\\.0$`, `^https://sts\\.windows\\.net/${tid}/$`];
    },
    ownScope: (m) => (GUID.test(m[1]) ? `^https://login\\.microsoftonline\\.com/${esc(m[1])}(/|$)` : '^https://login\\.microsoftonline\\.com/'),
    issuers: ['https://login.microsoftonline.com/{tenantid}/v2.0 (v2 endpoints)', 'https://sts.windows.net/{tenantid}/ (v1 endpoints; alias of the same tenant)'],
    iss: { kind: 'not-seen' },
    checked: '2026-12-04',
    sources: [
      {
        title: 'Microsoft Q&A: token issuers per endpoint version',
        url: 'https://learn.microsoft.com/en-us/answers/questions/1190472/what-are-the-token-issuers-for-the-sovereign-cloud',
        note: 'v1 issuer prefix https://sts.windows.net, v2 https://login.microsoftonline.com',
      },
      {
        title: 'microsoft/teams.ts#556',
        url: 'https://github.com/microsoft/teams.ts/pull/556',
        note: 'valid Entra tokens carry either https://login.microsoftonline.com/{tid}/… or https://sts.windows.net/{tid}/ (2026-05)',
      },
      {
        title: 'MicrosoftDocs entra-docs v2-oauth2-auth-code-flow.md',
        url: 'https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow',
        note: 'callback shape code, state, session_state; no iss parameter documented',
      },
    ],
    notes: 'No iss parameter seen in callbacks (docs and public reports searched 2026-12-04).',
  },
  {
    id: 'github',
    name: 'GitHub',
    endpoint: /^https:\/\/github\.com\/login\/oauth\/authorize$/,
    endpointShape: 'https://github.com/login/oauth/authorize',
    issuer: () => 'https://github.com/login/oauth',
    issuers: ['https://github.com/login/oauth'],
    iss: { kind: 'always', since: '2026-04-09' },
    checked: '2026-12-04',
    sources: [
      {
        title: 'GitHub docs: GitHub authentication discovery endpoints',
        url: 'https://docs.github.com/en/apps/github-authentication-discovery-endpoints',
        note: 'issuer for GitHub.com is https://github.com/login/oauth; RFC 8414 metadata at https://github.com/.well-known/oauth-authorization-server/login/oauth (public preview)',
      },
      {
        title: 'Kilo-Org/cloud#2290',
        url: 'https://github.com/Kilo-Org/cloud/pull/2290',
        note: 'all GitHub logins failing since 2026-04-09 ~19:21 UTC: callbacks carry iss=https://github.com/login/oauth',
      },
      { title: 'nextauthjs/next-auth#13408', url: 'https://github.com/nextauthjs/next-auth/issues/13408', note: 'GitHub sign-in broken, reported 2026-04-10' },
      { title: 'langfuse/langfuse#13093', url: 'https://github.com/langfuse/langfuse/pull/13093', note: 'fix: configure issuer https://github.com/login/oauth (issue #13091, 2026-04-10)' },
      { title: 'openiddict/openiddict-core#2529', url: 'https://github.com/openiddict/openiddict-core/pull/2529', note: 'GitHub provider: AuthorizationResponseIssParameterSupported and issuer https://github.com/login/oauth (2026-08-22)' },
    ],
    notes: 'The issuer is not the origin. No ID tokens.',
  },
  {
    id: 'apple',
    name: 'Apple',
    endpoint: /^https:\/\/appleid\.apple\.com\/auth\/authorize$/,
    endpointShape: 'https://appleid.apple.com/auth/authorize',
    issuer: () => 'https://appleid.apple.com',
    aliases: () => ['^https://account\\.apple\\.com$'],
    issuers: ['https://appleid.apple.com', 'https://account.apple.com (ID tokens, seen June 2025)'],
    iss: { kind: 'not-seen' },
    checked: '2026-12-04',
    sources: [
      { title: 'supabase/auth#2050', url: 'https://github.com/supabase/auth/pull/2050', note: 'ID tokens from both https://appleid.apple.com and https://account.apple.com accepted (2025-06-11)' },
      { title: 'supabase/auth#2068', url: 'https://github.com/supabase/auth/pull/2068', note: 'appleid.apple.com is the issuer to use (Apple developer forums thread 790821, 2025-06-30)' },
    ],
    notes: 'form_post with code and id_token; the ID token names the issuer. No iss parameter seen.',
  },
  {
    id: 'slack',
    name: 'Slack',
    endpoint: /^https:\/\/slack\.com\/(oauth\/v2|openid\/connect)\/authorize$/,
    endpointShape: 'https://slack.com/oauth/v2/authorize, https://slack.com/openid/connect/authorize',
    issuer: () => 'https://slack.com',
    issuers: ['https://slack.com'],
    iss: { kind: 'not-seen' },
    checked: '2026-12-04',
    sources: [{ title: 'Slack docs: Installing with OAuth', url: 'https://api.slack.com/authentication/oauth-v2', note: 'callback carries code and state; no iss (nothing else found in public reports, 2026-12-04)' }],
  },
  {
    id: 'salesforce',
    name: 'Salesforce',
    // login/test and My Domain hosts (acme.my.salesforce.com): one issuer per host
    endpoint: /^https:\/\/((?:login|test)\.salesforce\.com|[a-z0-9-]+(?:--[a-z0-9]+)?\.(?:sandbox\.)?my\.salesforce\.com)\/services\/oauth2\/authorize$/i,
    endpointShape: 'https://login.salesforce.com/services/oauth2/authorize, https://{mydomain}.my.salesforce.com/services/oauth2/authorize',
    issuer: (m) => `https://${m[1].toLowerCase()}`,
    issuers: ['https://login.salesforce.com', 'https://{mydomain}.my.salesforce.com'],
    iss: { kind: 'not-seen' },
    checked: '2026-12-04',
    sources: [{ title: 'Salesforce help: OAuth 2.0 Web Server Flow', url: 'https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm', note: 'callback carries code and state; no iss (nothing else found in public reports, 2026-12-04)' }],
  },
  {
    id: 'okta',
    name: 'Okta',
    // custom authorization servers (/oauth2/{id}/v1/authorize, issuer {domain}/oauth2/{id}) and the
    // org authorization server (/oauth2/v1/authorize, issuer {domain})
    endpoint: /^(https:\/\/[^/]+\.(?:okta|oktapreview|okta-emea)\.com)(?:\/oauth2(\/(?!v1\/)[^/]+)?)\/v1\/authorize$/,
    endpointShape: 'https://{yourOktaDomain}/oauth2/{authServerId}/v1/authorize, https://{yourOktaDomain}/oauth2/v1/authorize',
    issuer: (m) => `${m[1]}${m[2] ? `/oauth2${m[2]}` : ''}`,
    issuers: ['https://{yourOktaDomain}/oauth2/{authServerId}', 'https://{yourOktaDomain} (org authorization server)'],
    iss: { kind: 'not-seen' },
    checked: '2026-12-04',
    sources: [{ title: 'Okta developer docs: Implement authorization by grant type (authorization code)', url: 'https://developer.okta.com/docs/guides/implement-grant-type/authcode/main/', note: 'callback carries code and state; no iss (nothing else found in public reports, 2026-12-04)' }],
  },
  {
    // §3 Auth0: tenant domains (regional too); the issuer is the tenant URL with a trailing slash
    id: 'auth0',
    name: 'Auth0',
    endpoint: /^(https:\/\/[a-z0-9-]+(?:\.[a-z]{2})?\.auth0\.com)\/authorize$/i,
    endpointShape: 'https://{tenant}[.{region}].auth0.com/authorize',
    issuer: (m) => `${m[1].toLowerCase()}/`,
    issuers: ['https://{tenant}[.{region}].auth0.com/'],
    iss: { kind: 'not-seen' },
    checked: '2026-12-04',
    sources: [
      { title: 'Auth0 docs: Call your API using the Authorization Code Flow with PKCE', url: 'https://auth0.com/docs/get-started/authentication-and-authorization-flow/authorization-code-flow-with-pkce', note: 'callback carries code and state' },
      { title: 'reearth/reearth-visualizer#1850', url: 'https://github.com/reearth/reearth-visualizer/pull/1850', note: 'Auth0 adds ?iss= only to out-of-band redirects (password reset, email verification), not to authorization responses (2025-10-08)' },
    ],
  },
  {
    id: 'keycloak',
    name: 'Keycloak',
    endpoint: /^(https?:\/\/[^/]+(?:\/auth)?\/realms\/[^/]+)\/protocol\/openid-connect\/auth$/,
    endpointShape: '{origin}[/auth]/realms/{realm}/protocol/openid-connect/auth',
    issuer: (m) => m[1],
    issuers: ['{origin}[/auth]/realms/{realm}'],
    iss: { kind: 'always', since: '2023-11-20' },
    checked: '2026-12-04',
    sources: [
      { title: 'Keycloak 23 upgrading guide: "Added iss parameter to OAuth 2.0/OpenID Connect Authentication Response"', url: 'https://www.keycloak.org/docs/23.0.4/upgrading/#added-iss-parameter-to-oauth-2-0openid-connect-authentication-response', note: 'Keycloak 23 sends iss and sets authorization_response_iss_parameter_supported' },
      { title: 'UserOfficeProject/user-office-core#481', url: 'https://github.com/UserOfficeProject/user-office-core/issues/481', note: 'after the upgrade to Keycloak 23 callbacks carry iss (2024-01-23)' },
      { title: 'ory/polis#2074', url: 'https://github.com/ory/polis/issues/2074', note: 'Keycloak 23.0.3 callback: code, iss, session_state, state (2023-12-20)' },
    ],
    notes: 'Self-hosted: a deployment older than Keycloak 23 (released 2023-11-20) sends no iss; its metadata then says so, and metadata wins over this row.',
  },
];

/** A §3 row's knowledge summarised for findings and the panel: "from CoatCheck's provider table, checked <date>". */
export interface TableBasis {
  provider: string;
  checked: IsoDate;
}

export function describeIss(b: IssBehaviour): string {
  return b.kind === 'always' ? `always since ${b.since}` : b.kind === 'some-accounts' ? `some accounts since ${b.since}` : 'not seen';
}

/** Epoch ms of the start (00:00 UTC) of an ISO date; NaN for a malformed one. */
export function dateMs(d: IsoDate): number {
  return Date.parse(`${d}T00:00:00Z`);
}

/**
 * A provider row in JSON form (settings, tests): the exact authorization endpoint (origin + path)
 * and the issuer it answers with. Lets a user — or a test lab on its own hosts — add or correct a
 * row before CoatCheck's table is updated; rows given this way are consulted before the table.
 */
export interface ProviderSpec {
  id: string;
  name: string;
  /** the authorization endpoint, scheme + host + path (no query) */
  endpoint: string;
  issuer: string;
  iss: IssBehaviour;
  checked: IsoDate;
  source?: string;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A well-formed ProviderSpec, or undefined (bad input is dropped, never thrown). */
export function providerSpec(v: unknown): ProviderSpec | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  const str = (x: unknown, max = 300) => (typeof x === 'string' && x.length > 0 && x.length <= max ? x : undefined);
  const id = str(o.id, 60);
  const name = str(o.name, 100);
  const endpoint = str(o.endpoint);
  const issuer = str(o.issuer);
  const checked = str(o.checked, 10);
  const iss = o.iss as Partial<IssBehaviour> | undefined;
  if (!id || !name || !endpoint || !issuer || !checked || !ISO_DATE.test(checked) || !/^https?:\/\/[^/?#]+\/[^?#]*$/.test(endpoint) || !/^https?:\/\//.test(issuer)) return undefined;
  let behaviour: IssBehaviour;
  if (iss?.kind === 'not-seen') behaviour = { kind: 'not-seen' };
  else if ((iss?.kind === 'always' || iss?.kind === 'some-accounts') && typeof iss.since === 'string' && ISO_DATE.test(iss.since)) behaviour = { kind: iss.kind, since: iss.since };
  else return undefined;
  const source = str(o.source);
  return { id, name, endpoint, issuer, iss: behaviour, checked, ...(source ? { source } : {}) };
}

/** The table row a ProviderSpec stands for. */
export function rowFromSpec(s: ProviderSpec): ProviderRow {
  return {
    id: s.id,
    name: s.name,
    endpoint: new RegExp(`^${esc(s.endpoint)}$`),
    endpointShape: s.endpoint,
    issuer: () => s.issuer,
    issuers: [s.issuer],
    iss: s.iss,
    checked: s.checked,
    sources: [{ title: s.source ?? 'user-supplied provider row', url: 'https://coatcheck.invalid/settings', note: 'supplied in the settings, not part of CoatCheck\'s table' }],
  };
}
