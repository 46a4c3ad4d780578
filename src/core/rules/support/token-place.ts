/**
 * Where a token was met, as the token rules word it, and a finding's text before it has a place in
 * the engine: shared by the rules (which know the message) and the token view (tokens/warnings.ts,
 * which knows only the token and where it was found).
 */
import type { Severity } from '../../report/finding';
import type { JwtUse } from '../../tokens/sources';

export interface TokenPlace {
  use: JwtUse | 'unknown';
  /** parameter, JSON member or header that carried it */
  param: string;
  /** the URL of the message that carried it (no query, no fragment) */
  url: string;
  frontChannel: boolean;
  /** found in a response body (a token response) */
  inResponse?: boolean;
}

/** A token rule's verdict on one token: severity, variant and its wording (messageId + data). */
export interface TokenDraft {
  severity?: Severity;
  variant?: string;
  messageId: string;
  data: Record<string, unknown>;
}

export const TOKEN_WHAT: Record<JwtUse | 'unknown', string> = {
  id_token: 'ID token',
  access_token: 'JWT access token',
  assertion: 'client assertion',
  request: 'request object',
  logout_token: 'logout token',
  jarm: 'JARM response',
  unknown: 'JWT',
};
