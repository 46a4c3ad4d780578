import type { Observation } from '../observe/observation';
import type { ParsedUrl } from '../util/url';
import { Params } from '../util/url';

/** What kind of OAuth message an observation is (detectors.md §0.2). */
export type MessageKind =
  | 'authorization-request'
  | 'authorization-response'
  | 'par-request'
  | 'token-request'
  | 'metadata'
  | 'jwks'
  | 'client-auth-request'
  | 'end-session'
  | 'pre-authorization'
  /** a 401 with a Bearer challenge (RFC 6750 §3; RFC 9728 §5.1 `resource_metadata`) */
  | 'resource-challenge'
  /** a protected-resource metadata document (RFC 9728 §3) */
  | 'resource-metadata'
  /** a dynamic client registration request (RFC 7591 §3) */
  | 'client-registration'
  | 'other';

export type ParamSource = 'query' | 'fragment' | 'form' | 'request-object';

export interface OAuthMessage {
  kind: MessageKind;
  obs: Observation;
  /** parsed request URL; undefined when the URL is not absolute/parsable */
  url: ParsedUrl | undefined;
  query: Params;
  fragment: Params;
  form: Params;
  /** the OAuth parameters, merged in precedence request-object > form > fragment > query */
  params: Params;
  /** where each parameter name was first found */
  sources: Map<string, ParamSource>;
  /** false when the parameters travel by reference (PAR request_uri) or encrypted (JWE request) */
  paramsKnown: boolean;
  /** for authorization responses: how the response was delivered */
  responseMode?: 'query' | 'fragment' | 'form_post';
  /** for client-auth-request: which endpoint kind (par, revocation, introspection, device, ciba, token) */
  endpoint?: 'par' | 'revocation' | 'introspection' | 'device' | 'ciba' | 'token' | 'userinfo' | 'unknown';
  /** parsed JSON response body (token response, metadata, JWKS) when present */
  json?: Record<string, unknown>;
}

export function emptyParams(): Params {
  return new Params();
}
