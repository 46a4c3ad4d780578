import type { SourceRef } from '../observe/observation';
import type { SecretRef } from '../util/secret';
import type { MessageKind } from '../classify/message';
import type { McpFlowMark } from '../mcp/ledger';

export type IssuerSource = 'metadata' | 'id_token' | 'provider' | 'origin';

/** The AS identity resolved for an authorization endpoint (§0.4). */
export interface AsIdentity {
  origin: string;
  issuer: string;
  source: IssuerSource;
  /** authorization endpoint (scheme + host + path) */
  endpoint: string;
  /** RFC 9207: known to send `iss` (metadata flag or provider table) */
  sendsIss?: boolean;
  /** templated issuer (Entra /common/): RegExp source an `iss` of this AS matches */
  issuerPattern?: string;
  /** other issuers of the same AS (RegExp sources): Entra's v1 and v2 issuers of one tenant (§3) */
  issuerAliases?: readonly string[];
  /** RegExp source of the issuer space owned by this AS when it is not its origin (Entra: the tenant) */
  ownScope?: string;
  /** id of the provider table row (§3) that recognised the authorization endpoint */
  provider?: string;
}

/** One authorization request that carried this flow's state (the first one is AS1's). */
export interface FlowRequest {
  ref: SourceRef;
  obsId: string;
  time: number;
  url: string; // redacted as the engine is configured
  as: AsIdentity;
  clientId?: string;
  redirectUri?: string;
  /** origin of the previous hop (Location source, initiator or Referer), if known */
  from?: string;
  /** how the previous hop led here */
  via?: 'redirect' | 'initiator' | 'referer' | 'client_redirect' | 'none';
  responseType?: string;
  /** which key joined this request to the flow (§0.3): state, else code_challenge, else nonce */
  boundBy?: RequestBinding;
}

/** The keys an authorization request joins an open flow by (§0.3), in order. */
export type RequestBinding = 'state' | 'code_challenge' | 'nonce';
/** How a response was linked: its state, a PAR/JAR adoption, or only redirect_uri prefix and timing in its tab. */
export type ResponseBinding = 'state' | 'par' | 'redirect_uri';

export interface FlowResponse {
  ref: SourceRef;
  obsId: string;
  time: number;
  url: string; // redacted
  base: string; // scheme + host + path of the callback
  mode: 'query' | 'fragment' | 'form_post';
  code?: SecretRef;
  hasToken: boolean;
  iss?: string;
  error?: string;
  /** how the response was linked to the flow (§0.3) */
  boundBy?: ResponseBinding;
}

export interface FlowStep {
  ref: SourceRef;
  obsId: string;
  time: number;
  kind: MessageKind;
  url: string; // redacted
}

/** One authorization transaction from the client's point of view (§0.3). */
export interface Flow {
  id: string;
  context: string;
  t0: number;
  tLast: number;
  /** client origin C: origin(redirect_uri) of the first request */
  client?: string;
  /** origin that navigated to the first request (previous hop) */
  opener?: string;
  as: AsIdentity;
  clientId?: string;
  redirectUri?: string;
  state?: SecretRef;
  nonce?: SecretRef;
  codeChallenge?: string;
  codeChallengeMethod?: string;
  responseType?: string;
  responseMode?: string;
  scope?: string;
  /** false for PAR/JAR flows whose parameters were not visible in the authorization request */
  paramsKnown: boolean;
  /** PAR: state, redirect_uri, … were learnt from the pushed request body (DT/HAR) */
  pushed?: boolean;
  /** an MCP flow (§1 L): the AS was reached through protected-resource discovery in this context */
  mcp?: McpFlowMark;
  /** parent flow id when this is a brokered upstream flow (G1) */
  parent?: string;
  children: string[];
  requests: FlowRequest[];
  responses: FlowResponse[];
  steps: FlowStep[];
}
