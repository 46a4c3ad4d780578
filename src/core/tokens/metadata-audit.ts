/**
 * Authorization server metadata checks (RFC 8414, OIDC Discovery), shared by the engine's
 * `metadata-*` rules and the CLI's `metadata` command.
 */
import { isProviderEndpointHost } from '../flows/providers';
import { parseUrl, siteOf } from '../util/url';
import type { JsonObject, TokenFinding } from './decode';

const WK_OAUTH = '/.well-known/oauth-authorization-server';
const WK_OIDC = '/.well-known/openid-configuration';

/** Endpoints an assertion audience or a client credential can be sent to (detectors.md §K). */
export const CLIENT_AUTH_ENDPOINTS = [
  'token_endpoint',
  'pushed_authorization_request_endpoint',
  'revocation_endpoint',
  'introspection_endpoint',
  'device_authorization_endpoint',
  'backchannel_authentication_endpoint',
] as const;

/**
 * The issuer(s) a metadata URL implies: RFC 8414 §3.1 inserts the well-known segment between the
 * host and the issuer's path (`/.well-known/oauth-authorization-server/tenant`); OIDC Discovery
 * §4 appends it (`/tenant/.well-known/openid-configuration`). Both forms are accepted for either
 * name, as deployments use both. Undefined when the URL is not a well-known metadata URL.
 */
export function impliedIssuers(fetchedFrom: string): string[] | undefined {
  const u = parseUrl(fetchedFrom);
  if (!u) return undefined;
  const path = u.pathname;
  for (const wk of [WK_OAUTH, WK_OIDC]) {
    const i = path.indexOf(wk);
    if (i < 0) continue;
    const before = path.slice(0, i);
    const after = path.slice(i + wk.length);
    if (after !== '' && !after.startsWith('/')) continue;
    const out = new Set<string>();
    if (before === '') out.add(u.origin + after); // inserted form (or no path)
    if (after === '') out.add(u.origin + before); // appended form
    return [...out];
  }
  return undefined;
}

function stripSlash(s: string): string {
  return s.replace(/\/+$/, '');
}

/** Templated issuers (Entra's `https://login.microsoftonline.com/{tenantid}/v2.0`) as patterns. */
function issuerMatches(issuer: string, implied: string): boolean {
  if (issuer === implied) return true;
  if (!issuer.includes('{')) return false;
  const re = new RegExp(`^${issuer.split(/\{[^}]*\}/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^/]+')}$`);
  return re.test(implied);
}

export function issuerMismatchCheck(doc: JsonObject, fetchedFrom: string): TokenFinding | undefined {
  const implied = impliedIssuers(fetchedFrom);
  if (!implied || implied.length === 0) return undefined;
  const issuer = doc.issuer;
  if (typeof issuer !== 'string' || issuer === '') {
    return { ruleId: 'metadata-issuer-mismatch', severity: 'high', variant: 'missing', message: `The metadata fetched from ${fetchedFrom} has no "issuer" (RFC 8414 §2 requires it).` };
  }
  if (implied.some((i) => issuerMatches(issuer, i))) return undefined;
  if (implied.some((i) => stripSlash(i) === stripSlash(issuer))) {
    return {
      ruleId: 'metadata-issuer-mismatch',
      severity: 'low',
      variant: 'trailing-slash',
      message: `The metadata issuer "${issuer}" differs from "${implied[0]}" (implied by ${fetchedFrom}) only by a trailing slash; strict clients reject it.`,
    };
  }
  return {
    ruleId: 'metadata-issuer-mismatch',
    severity: 'high',
    variant: 'mismatch',
    message: `The metadata fetched from ${fetchedFrom} claims issuer "${issuer}", but that URL implies ${implied.map((i) => `"${i}"`).join(' or ')} (RFC 8414 §3.3): a client must not use it.`,
  };
}

export function endpointForeignChecks(doc: JsonObject): TokenFinding[] {
  const issuer = typeof doc.issuer === 'string' ? parseUrl(doc.issuer) : undefined;
  if (!issuer) return [];
  const out: TokenFinding[] = [];
  const origin = issuer.origin;
  for (const name of CLIENT_AUTH_ENDPOINTS) {
    const v = doc[name];
    if (typeof v !== 'string') continue;
    // the usual endpoint spells the issuer's origin and a path: its origin is the issuer's without
    // a URL parse of its own (six per metadata document otherwise)
    if (v.length > origin.length && v.charCodeAt(origin.length) === 47 /* / */ && v.startsWith(origin)) continue;
    const e = parseUrl(v);
    if (!e || e.origin === issuer.origin) continue;
    // providers that document endpoints on a second domain they own count as "same site" (low), per the FP guard of §K
    const operator = isProviderEndpointHost(issuer.origin, e.hostname);
    const sameSite = siteOf(e.hostname) === siteOf(issuer.hostname) || operator;
    out.push({
      ruleId: 'metadata-endpoint-foreign',
      severity: sameSite ? 'low' : 'high',
      variant: sameSite ? 'same-site' : 'foreign-site',
      message: sameSite
        ? operator
          ? `The metadata's ${name} ${v} is on ${e.host}, a documented endpoint host of the operator of issuer ${doc.issuer}.`
          : `The metadata's ${name} ${v} is on another host (${e.host}) of the issuer's site (issuer ${doc.issuer}).`
        : `The metadata of issuer ${doc.issuer} names ${name} ${v} on another site (${siteOf(e.hostname)}): a client that uses it as an assertion audience is exposed to audience injection.`,
    });
  }
  return out;
}

/** The full metadata audit of the `metadata` command (the two rules plus feature checks). */
export function auditMetadata(doc: JsonObject, fetchedFrom?: string): TokenFinding[] {
  const out: TokenFinding[] = [];
  if (fetchedFrom) {
    const m = issuerMismatchCheck(doc, fetchedFrom);
    if (m) out.push(m);
  } else if (typeof doc.issuer !== 'string') {
    out.push({ ruleId: 'metadata-issuer-mismatch', severity: 'high', variant: 'missing', message: 'The metadata has no "issuer" (RFC 8414 §2 requires it).' });
  }
  out.push(...endpointForeignChecks(doc));
  const hasAuthz = typeof doc.authorization_endpoint === 'string';
  if (hasAuthz && doc.authorization_response_iss_parameter_supported !== true) {
    out.push({
      ruleId: 'metadata-no-iss-parameter',
      severity: 'low',
      message: 'The AS does not advertise authorization_response_iss_parameter_supported: its authorization responses carry no "iss" (RFC 9207), so clients need another mix-up defence.',
    });
  }
  const methods = doc.code_challenge_methods_supported;
  if (hasAuthz) {
    if (!Array.isArray(methods)) {
      out.push({ ruleId: 'metadata-pkce-s256', severity: 'low', variant: 'not-advertised', message: 'The AS does not advertise code_challenge_methods_supported: PKCE S256 support is unknown (RFC 8414 §2, RFC 9700 §2.1.1).' });
    } else if (!methods.includes('S256')) {
      out.push({ ruleId: 'metadata-pkce-s256', severity: 'medium', variant: 'no-s256', message: `code_challenge_methods_supported is ${JSON.stringify(methods)}: no S256 (RFC 7636 §4.2, RFC 9700 §2.1.1).` });
    } else if (methods.includes('plain')) {
      out.push({ ruleId: 'metadata-pkce-s256', severity: 'info', variant: 'plain-allowed', message: 'The AS also accepts PKCE "plain" (a downgrade target; RFC 9700 §4.8.2).' });
    }
  }
  if (hasAuthz && typeof doc.pushed_authorization_request_endpoint !== 'string') {
    out.push({ ruleId: 'metadata-no-par', severity: 'info', message: 'The AS does not advertise a pushed_authorization_request_endpoint (RFC 9126 PAR).' });
  }
  const grants = Array.isArray(doc.grant_types_supported) ? doc.grant_types_supported : [];
  for (const g of ['password', 'implicit']) {
    if (grants.includes(g)) {
      out.push({ ruleId: 'metadata-deprecated-grant', severity: 'medium', variant: g, message: `grant_types_supported advertises "${g}" (RFC 9700 §2.${g === 'password' ? '4' : '1.2'}).` });
    }
  }
  const rts = Array.isArray(doc.response_types_supported) ? doc.response_types_supported : [];
  const tokenTypes = rts.filter((r): r is string => typeof r === 'string' && r.split(/\s+/).includes('token'));
  if (tokenTypes.length && !grants.includes('implicit')) {
    out.push({ ruleId: 'metadata-deprecated-grant', severity: 'medium', variant: 'token-response-type', message: `response_types_supported advertises ${tokenTypes.map((t) => `"${t}"`).join(', ')} (implicit-style, RFC 9700 §2.1.2).` });
  }
  return out;
}
