/** Errors are values with stable codes (as panva/jose does); messages are for people. */
export type CoreErrorCode =
  | 'HAR_ENTRY_INVALID'
  | 'HAR_MALFORMED'
  | 'HAR_TRUNCATED'
  | 'TOKEN_MALFORMED'
  | 'TOKEN_UNSUPPORTED'
  | 'KEY_INVALID'
  | 'METADATA_INVALID'
  | 'INPUT_TOO_LARGE'
  | 'STATE_INVALID';

export class CoreError extends Error {
  readonly code: CoreErrorCode;
  constructor(code: CoreErrorCode, message: string) {
    super(message);
    this.code = code;
    this.name = 'CoreError';
  }
}

export function isCoreError(e: unknown): e is CoreError {
  return e instanceof CoreError;
}
