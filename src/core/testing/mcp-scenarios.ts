/**
 * MCP client flows for the group L rule tests, as a browser-based MCP client (the MCP Inspector
 * shape) or a recorder of a command-line client shows them: the 401 with resource_metadata, the
 * protected-resource metadata (RFC 9728), the AS metadata probes, registration (RFC 7591), the
 * authorization request and callback, the token request, then the MCP request with the token.
 */
import type { Observation } from '../observe/observation';
import { pkceS256 } from '../util/sha256';
import { obs, q, rand } from './builders';

export const MCP_CLIENT = 'http://127.0.0.1:6274';
export const RS = 'https://mcp.example.com';
export const AS = 'https://auth.example.com';
export const AS2 = 'https://other-auth.example.net';

export interface McpOpts {
  context?: string;
  rs?: string;
  /** the MCP endpoint path */
  path?: string;
  /** the resource_metadata the 401 names (undefined: the RFC 9728 well-known URL; null: none) */
  resourceMetadata?: string | null;
  /** the URL the client fetches the PRM from (default: what the 401 named, else the well-known URL) */
  prmUrl?: string;
  /** the PRM document's `resource` (default: the MCP endpoint URL) */
  resource?: string;
  as?: string;
  /** extra fields of the AS metadata */
  asMetadata?: Record<string, unknown>;
  /** the AS metadata URLs probed, in order, with their status (default: the spec's first, 200) */
  probes?: [string, number][];
  /** the resource parameter sent (undefined: the discovered one; null: none) */
  sendResource?: string | null;
  tokenResource?: string | null;
  /** registration body extra fields; null: no registration (pre-registered) */
  registration?: Record<string, unknown> | null;
  clientId?: string;
  clientSecret?: string;
  /** no PRM fetch at all (cached) */
  cachedDiscovery?: boolean;
  protocolVersion?: string;
  seed?: string;
  /** the access token (a JWT) the token response returns and the MCP request sends */
  accessToken?: string;
  refreshToken?: string;
  /** seconds after the builders' T0 (2026-01-15) of the first observation */
  at?: number;
}

export function b64url(o: object): string {
  return btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

/** an unsigned-looking JWT (signature bytes only) with these claims */
export function jwt(claims: Record<string, unknown>): string {
  return `${b64url({ alg: 'RS256', typ: 'at+jwt', kid: 'k1' })}.${b64url(claims)}.${rand(JSON.stringify(claims), 86)}`;
}

export function asMetadataDoc(as: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    issuer: as,
    authorization_endpoint: `${as}/authorize`,
    token_endpoint: `${as}/token`,
    registration_endpoint: `${as}/register`,
    jwks_uri: `${as}/jwks`,
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
    ...extra,
  };
}

/** One MCP client's discovery + authorization + token request + first MCP request. */
export function mcpFlow(o: McpOpts = {}): Observation[] {
  const context = o.context ?? 'tab:1';
  const rs = o.rs ?? RS;
  const path = o.path ?? '/mcp';
  const endpoint = `${rs}${path}`;
  const as = o.as ?? AS;
  const seed = o.seed ?? 'mcp';
  const wellKnown = `${rs}/.well-known/oauth-protected-resource${path}`;
  const rm = o.resourceMetadata === null ? undefined : (o.resourceMetadata ?? wellKnown);
  const prmUrl = o.prmUrl ?? rm ?? wellKnown;
  const resource = o.resource ?? endpoint;
  const pv = o.protocolVersion ?? '2025-06-18';
  const init = JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: pv, capabilities: {}, clientInfo: { name: 'inspector', version: '1' } } });
  const fetchInit = { context, type: 'fetch' as const, headers: { 'MCP-Protocol-Version': pv } };
  const out: Observation[] = [];
  out.push(obs(endpoint, { context, at: o.at, type: 'fetch', method: 'POST', body: init, status: 401, responseHeaders: { 'WWW-Authenticate': rm ? `Bearer error="invalid_token", resource_metadata="${rm}"` : 'Bearer error="invalid_token"' } }));
  if (!o.cachedDiscovery) {
    out.push(obs(prmUrl, { ...fetchInit, responseBody: { resource, authorization_servers: [as], scopes_supported: ['mcp'], bearer_methods_supported: ['header'] } }));
    const probes = o.probes ?? [[`${as}/.well-known/oauth-authorization-server`, 200]];
    for (const [u, status] of probes) out.push(obs(u, { ...fetchInit, status, responseBody: status === 200 ? asMetadataDoc(as, o.asMetadata) : { error: 'not_found' } }));
  }
  const redirectUri = `${MCP_CLIENT}/oauth/callback`;
  const verifier = rand(`${seed}-verifier`, 43);
  let clientId = o.clientId ?? `dcr-${seed}`;
  if (o.registration !== null) {
    const body = { client_name: 'MCP Inspector', redirect_uris: [redirectUri], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: o.clientSecret ? 'client_secret_post' : 'none', application_type: 'native', ...(o.registration ?? {}) };
    for (const [k, v] of Object.entries(body)) if (v === undefined) delete (body as Record<string, unknown>)[k];
    out.push(obs(`${as}/register`, { context, type: 'fetch', method: 'POST', body: JSON.stringify(body), status: 201, responseBody: { ...body, client_id: clientId, ...(o.clientSecret ? { client_secret: o.clientSecret } : {}) } }));
    clientId = o.clientId ?? clientId;
  }
  const state = rand(`${seed}-state`);
  const send = o.sendResource === null ? undefined : (o.sendResource ?? resource);
  const a = `${as}/authorize?${q({ response_type: 'code', client_id: clientId, code_challenge: pkceS256(verifier), code_challenge_method: 'S256', redirect_uri: redirectUri, state, scope: 'mcp', resource: send })}`;
  const code = rand(`${seed}-code`);
  out.push(obs(a, { context, referer: `${MCP_CLIENT}/` }));
  out.push(obs(`${as}/login`, { context, method: 'POST', form: { user: 'alice' }, location: `${redirectUri}?${q({ code, state, iss: as })}` }));
  out.push(obs(`${redirectUri}?${q({ code, state, iss: as })}`, { context }));
  const at = o.accessToken ?? jwt({ iss: as, aud: resource, sub: 'alice', exp: 1_768_474_800, iat: 1_768_471_200 });
  const rt = o.refreshToken ?? rand(`${seed}-rt`);
  const tr = o.tokenResource === null ? undefined : (o.tokenResource ?? send);
  const form: Record<string, string> = { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: redirectUri, client_id: clientId };
  if (tr !== undefined) form.resource = tr;
  if (o.clientSecret) form.client_secret = o.clientSecret;
  out.push(obs(`${as}/token`, { context, type: 'fetch', method: 'POST', form, responseBody: { access_token: at, token_type: 'Bearer', expires_in: 3600, refresh_token: rt } }));
  out.push(obs(endpoint, { context, type: 'fetch', method: 'POST', body: init, headers: { Authorization: `Bearer ${at}`, 'MCP-Protocol-Version': pv }, responseBody: `event: message\ndata: {"jsonrpc":"2.0","id":0,"result":{"protocolVersion":"${pv}"}}` }));
  return out;
}

/** A refresh at an AS's token endpoint (optionally with the client secret). */
export function refresh(as: string, rt: string, o: { context?: string; clientId?: string; clientSecret?: string; resource?: string; status?: number } = {}): Observation {
  const form: Record<string, string> = { grant_type: 'refresh_token', refresh_token: rt, client_id: o.clientId ?? 'dcr-mcp' };
  if (o.clientSecret) form.client_secret = o.clientSecret;
  if (o.resource) form.resource = o.resource;
  const status = o.status ?? 200;
  return obs(`${as}/token`, { context: o.context ?? 'tab:1', type: 'fetch', method: 'POST', form, status, responseBody: status === 200 ? { access_token: rand(`${rt}-at2`), token_type: 'Bearer', refresh_token: rand(`${rt}-rt2`) } : { error: 'invalid_grant' } });
}

/** The resource server now names another AS: a 401, its PRM with the new authorization_servers, and that AS's metadata. */
export function switchAs(o: { rs?: string; path?: string; to: string; context?: string; resource?: string }): Observation[] {
  const rs = o.rs ?? RS;
  const path = o.path ?? '/mcp';
  const context = o.context ?? 'tab:1';
  const wk = `${rs}/.well-known/oauth-protected-resource${path}`;
  return [
    obs(`${rs}${path}`, { context, type: 'fetch', method: 'POST', body: '{"jsonrpc":"2.0","id":3,"method":"tools/list"}', status: 401, responseHeaders: { 'WWW-Authenticate': `Bearer error="invalid_token", resource_metadata="${wk}"` } }),
    obs(wk, { context, type: 'fetch', responseBody: { resource: o.resource ?? `${rs}${path}`, authorization_servers: [o.to] } }),
    obs(`${o.to}/.well-known/oauth-authorization-server`, { context, type: 'fetch', responseBody: asMetadataDoc(o.to) }),
  ];
}
