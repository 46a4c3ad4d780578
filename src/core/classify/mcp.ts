/**
 * Protected-resource discovery messages (detectors.md §0.2 and §1 L): the 401 challenge of a
 * resource server, its protected-resource metadata (RFC 9728), and dynamic client registration
 * (RFC 7591) — what MCP clients do before an authorization request. Called by `classify` before its
 * fast path; returns undefined for everything else (cheaply: a status, a path, a method).
 */
import { header, type Observation } from '../observe/observation';
import { hasPrmWellKnown } from '../observe/raw';
import { isPrmWellKnown } from '../mcp/discovery';
import { isRegistrationRequest, registrationBody } from '../mcp/registration';
import { parseJsonDocument, parseJsonObject } from '../util/json';
import { Params, parseUrl } from '../util/url';
import type { MessageKind, OAuthMessage, ParamSource } from './message';

/** What the MCP classifier asks the store (the ledger answers). */
export interface McpHints {
  /** the URL was named by a 401's resource_metadata in this context */
  namedResourceMetadata?(url: string, context: string): boolean;
  /** registration endpoints named by AS metadata seen */
  registrationEndpoints?(): ReadonlySet<string>;
}

const NONE: ReadonlySet<string> = new Set();
const NO_SOURCES: Map<string, ParamSource> = new Map();

function make(o: Observation, kind: MessageKind, json?: Record<string, unknown>, params?: Params): OAuthMessage | undefined {
  const url = parseUrl(o.url);
  if (!url) return undefined;
  return {
    kind,
    obs: o,
    url,
    query: url.query,
    fragment: url.fragment,
    form: new Params(),
    params: params ?? url.query,
    sources: NO_SOURCES,
    paramsKnown: true,
    json,
  };
}

export function classifyMcp(o: Observation, hints: McpHints): OAuthMessage | undefined {
  if (o.status === 401 && o.responseHeaders.length > 0 && !o.requestBody?.form?.some(([k]) => k === 'grant_type')) {
    const www = header(o.responseHeaders, 'www-authenticate');
    if (www && /(^|,\s*)bearer(\s|$)/i.test(www)) return make(o, 'resource-challenge');
  }
  if (o.method === 'GET' && (hasPrmWellKnown(o.url) ? isPrmWellKnown(o.url) : hints.namedResourceMetadata?.(o.url, o.context) === true)) {
    return make(o, 'resource-metadata', parseJsonDocument(o.responseBody));
  }
  if (o.method === 'POST' && o.requestBody?.text !== undefined && isRegistrationRequest(o, hints.registrationEndpoints?.() ?? NONE)) {
    const body = registrationBody(o) ?? {};
    const entries: [string, string][] = [];
    for (const [k, v] of Object.entries(body)) entries.push([k, typeof v === 'string' ? v : JSON.stringify(v)]);
    return make(o, 'client-registration', parseJsonObject(o.responseBody), new Params(entries));
  }
  return undefined;
}
