/**
 * What the MCP ledger (ledger.ts) records: the discovery it saw per context (401 challenges,
 * protected-resource and AS metadata documents, registrations), the credentials presented at token
 * endpoints and where bearer tokens went, and the mark it gives a flow. Secrets appear only as keys.
 */
import type { SourceRef } from '../observe/observation';

export interface McpChallenge {
  obsId: string;
  ref: SourceRef;
  time: number;
  /** the request URL that was answered 401 (no query) */
  url: string;
  origin: string;
  resourceMetadata?: string;
}

export interface McpResourceDoc {
  obsId: string;
  ref: SourceRef;
  time: number;
  /** where the document was fetched (no fragment) */
  url: string;
  status?: number;
  /** the body was seen (DT/HAR) */
  body: boolean;
  resource?: string;
  authorizationServers: string[];
}

export interface McpAsDoc {
  obsId: string;
  time: number;
  url: string;
  status?: number;
  ok: boolean;
  issuer?: string;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  registrationEndpoint?: string;
  /** code_challenge_methods_supported is present */
  pkceAdvertised?: boolean;
  cimdSupported?: boolean;
}

export interface McpRegistration {
  obsId: string;
  ref: SourceRef;
  time: number;
  url: string;
  clientId?: string;
}

export interface McpContext {
  challenges: McpChallenge[];
  resourceDocs: McpResourceDoc[];
  asDocs: McpAsDoc[];
  registrations: McpRegistration[];
  /** the MCP-Protocol-Version the traffic negotiated (header or initialize exchange) */
  protocolVersion?: string;
  last: number;
}

/** A credential presented at a token endpoint, by hash: where it was first seen and where it came from. */
export interface CredentialUse {
  kind: 'refresh_token' | 'client_secret' | 'client_assertion';
  /** issuer (or origin) of the token endpoint it was sent to, or that issued it */
  issuer: string;
  /** the issuer comes from observed metadata (else it is the endpoint's origin, §0.4 (4)) */
  known: boolean;
  endpoint: string;
  obsId: string;
  ref: SourceRef;
  time: number;
  /** 'issued': a token response returned it; 'sent': a request presented it */
  how: 'issued' | 'sent';
}

/** The MCP mark of a flow (the panel and diagrams show it). */
export interface McpFlowMark {
  /** how the AS was reached: a 401 naming resource_metadata, or a protected-resource metadata document */
  via: 'challenge' | 'resource-metadata';
  /** origin of the resource server that answered 401, if seen */
  resourceServer?: string;
  resourceMetadata?: string;
  /** the discovered `resource` value */
  resource?: string;
  /** the authorization_servers entry that named this AS */
  authorizationServer?: string;
  /** the `resource` the authorization request asked for (RFC 8707), when its parameters are known */
  requestedResource?: string;
  protocolVersion?: string;
}

/** one resource origin an access token was sent to (the first call there) */
export type BearerUse = { origin: string; obsId: string; ref: SourceRef; time: number };
