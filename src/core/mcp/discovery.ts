/**
 * Protected-resource discovery (RFC 9728) and the MCP authorization spec's view of it: what a 401
 * challenge names, what resource a protected-resource metadata URL stands for, the order in which
 * a client must probe the AS metadata, which MCP revision a finding applies. Pure helpers shared by
 * the classifier (classify/mcp.ts), the ledger (mcp/ledger.ts) and the group L rules.
 */
import { hostScope, type HostScope } from '../util/fetch-policy';
import { parseUrl } from '../util/url';

export const WK_PRM = '/.well-known/oauth-protected-resource';
const WK_OAUTH = '/.well-known/oauth-authorization-server';
const WK_OIDC = '/.well-known/openid-configuration';

/** MCP authorization spec revisions CoatCheck knows, oldest first; the last one is the latest. */
export const MCP_REVISIONS = ['2025-03-26', '2025-06-18', '2025-11-25', '2026-07-28'] as const;
export const MCP_LATEST = MCP_REVISIONS[MCP_REVISIONS.length - 1];

/** The revision a finding applies: the negotiated one when the traffic shows it, else the latest. */
export function revisionNote(negotiated: string | undefined): { revision: string; note: string } {
  if (negotiated && /^\d{4}-\d{2}-\d{2}$/.test(negotiated)) return { revision: negotiated, note: `MCP ${negotiated} (negotiated by the traffic)` };
  return { revision: MCP_LATEST, note: `MCP ${MCP_LATEST} (latest revision; the capture shows no negotiated version)` };
}

/** Does revision `r` include what was introduced in `since`? (dates compare as strings) */
export function revisionAtLeast(r: string, since: string): boolean {
  return r >= since;
}

export interface BearerChallenge {
  /** the `resource_metadata` parameter (RFC 9728 §5.1), resolved against the request URL */
  resourceMetadata?: string;
  scope?: string;
  error?: string;
}

/**
 * The Bearer challenge of a `WWW-Authenticate` value (RFC 6750 §3, RFC 9728 §5.1), or undefined
 * when it has none. Parameters are `name="quoted"` or `name=token`; other schemes are skipped.
 */
export function bearerChallenge(value: string | undefined, requestUrl: string): BearerChallenge | undefined {
  if (!value) return undefined;
  const m = /(?:^|,\s*)bearer(?:\s+|$)(.*)$/i.exec(value);
  if (!m) return undefined;
  const out: BearerChallenge = {};
  const re = /([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g;
  for (let x = re.exec(m[1]); x; x = re.exec(m[1])) {
    const name = x[1].toLowerCase();
    const v = x[2] !== undefined ? x[2].replace(/\\(.)/g, '$1') : x[3];
    if (name === 'resource_metadata' && out.resourceMetadata === undefined) out.resourceMetadata = parseUrl(v, requestUrl)?.href ?? v;
    else if (name === 'scope' && out.scope === undefined) out.scope = v;
    else if (name === 'error' && out.error === undefined) out.error = v;
  }
  return out;
}

/** Is this URL a protected-resource metadata well-known URL (RFC 9728 §3)? */
export function isPrmWellKnown(url: string): boolean {
  const u = parseUrl(url);
  return !!u && (u.pathname === WK_PRM || u.pathname.startsWith(`${WK_PRM}/`) || u.pathname.endsWith(WK_PRM));
}

/**
 * The resource identifier a protected-resource metadata URL was built from (RFC 9728 §3.1: the
 * well-known segment inserted between host and path; the appended form some servers use is read
 * the same way). Undefined for a URL that is not a well-known PRM URL (one named by a challenge).
 */
export function prmImpliedResource(url: string): string | undefined {
  const u = parseUrl(url);
  if (!u) return undefined;
  const path = u.pathname;
  const i = path.indexOf(WK_PRM);
  if (i < 0) return undefined;
  const before = path.slice(0, i);
  const after = path.slice(i + WK_PRM.length);
  if (after !== '' && !after.startsWith('/')) return undefined;
  const query = u.href.includes('?') ? u.href.slice(u.href.indexOf('?')).split('#')[0] : '';
  if (before === '') return u.origin + after + query;
  if (after === '') return u.origin + before + query;
  return undefined;
}

/** Kind of AS metadata well-known URL: 'oauth' (RFC 8414) or 'oidc', with the issuer it implies and its form. */
export function asMetadataProbe(url: string): { issuer: string; kind: 'oauth' | 'oidc'; form: 'inserted' | 'appended' } | undefined {
  const u = parseUrl(url);
  if (!u) return undefined;
  for (const [wk, kind] of [[WK_OAUTH, 'oauth'], [WK_OIDC, 'oidc']] as const) {
    const i = u.pathname.indexOf(wk);
    if (i < 0) continue;
    const before = u.pathname.slice(0, i);
    const after = u.pathname.slice(i + wk.length);
    if (after !== '' && !after.startsWith('/')) continue;
    if (before === '') return { issuer: u.origin + after, kind, form: 'inserted' };
    if (after === '') return { issuer: u.origin + before, kind, form: 'appended' };
  }
  return undefined;
}

/**
 * The AS metadata URLs an MCP client must try for an issuer, in order (MCP authorization 2026-07-28
 * "Authorization Server Discovery"): with a path, path-inserted oauth-authorization-server, then
 * path-inserted openid-configuration, then openid-configuration appended; without a path,
 * oauth-authorization-server then openid-configuration.
 */
export function asMetadataOrder(issuer: string): string[] {
  const u = parseUrl(issuer);
  if (!u) return [];
  const path = u.pathname.replace(/\/+$/, '');
  if (path === '') return [`${u.origin}${WK_OAUTH}`, `${u.origin}${WK_OIDC}`];
  return [`${u.origin}${WK_OAUTH}${path}`, `${u.origin}${WK_OIDC}${path}`, `${u.origin}${path}${WK_OIDC}`];
}

/** Compare URLs ignoring a trailing slash of the path: 'same', 'slash' (only a trailing slash differs) or 'different'. */
export function compareResource(a: string, b: string): 'same' | 'slash' | 'different' {
  if (a === b) return 'same';
  const strip = (s: string) => s.replace(/\/+(?=$|[?#])/, '');
  return strip(a) === strip(b) ? 'slash' : 'different';
}

/** Where a discovery URL points, judged from its text (no DNS). */
export function urlScope(url: string): { scope: HostScope; https: boolean; scheme: string } | undefined {
  const u = parseUrl(url);
  if (u) return { scope: hostScope(u.hostname), https: u.protocol === 'https:', scheme: u.protocol };
  const m = /^([a-z][a-z0-9+.-]*):/i.exec(url.trim());
  return m ? { scope: 'reserved', https: false, scheme: `${m[1].toLowerCase()}:` } : undefined;
}

/** The `MCP-Protocol-Version` of an initialize exchange (JSON or one SSE `data:` line), if any. */
export function initializeVersion(text: string | undefined): string | undefined {
  if (!text || text.length > 200_000 || !text.includes('protocolVersion')) return undefined;
  const m = /"protocolVersion"\s*:\s*"(\d{4}-\d{2}-\d{2})"/.exec(text);
  return m?.[1];
}
