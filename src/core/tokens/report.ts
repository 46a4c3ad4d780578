/** What decoding a token reports (tokens/decode.ts and its parts). */
export type TokenKind = 'JWS' | 'JWE' | 'unsecured';
export type Serialization = 'compact' | 'json' | 'flattened';
export type JsonObject = Record<string, unknown>;

export interface TokenFinding {
  ruleId: string;
  severity: 'critical' | 'high' | 'medium' | 'low' | 'info';
  message: string;
  variant?: string;
  /** what the message says, for a rule that words it its own way (`meta.messages`) */
  data?: Record<string, unknown>;
}

export interface SignatureInfo {
  /** null: no key was given or found (see reason); true/false: verified or not */
  verified: boolean | null;
  kid: string | null;
  alg: string | null;
  reason: string | null;
  /** the protected header of this signature */
  protected: JsonObject;
  /** the unprotected header of this signature, when present */
  header?: JsonObject;
  /** true when the signature value is empty */
  empty: boolean;
}

export interface TokenTimes {
  iat?: string;
  exp?: string;
  nbf?: string;
  expired?: boolean;
  notYetValid?: boolean;
  lifetimeSeconds?: number;
}

export interface TokenReport {
  kind: TokenKind;
  serialization: Serialization;
  /** JWS: the protected header (for several signatures, the first one's); JWE: the protected header */
  header: JsonObject;
  /** unprotected headers (JWS flattened `header`, JWE shared `unprotected`), when present */
  unprotectedHeader?: JsonObject;
  /** the decoded JSON object, a string when the payload is not a JSON object, null for JWE or a detached payload */
  payload: JsonObject | string | null;
  /** JWS with a detached payload (RFC 7515 App. F) */
  detached?: boolean;
  signature?: SignatureInfo;
  /** JWS JSON serialization with several signatures: one entry each */
  signatures?: SignatureInfo[];
  /** JWE: recipients' per-recipient headers */
  recipients?: { header?: JsonObject; hasEncryptedKey: boolean }[];
  /** JWE: the inner content when a key decrypted it (a nested token is inspected in turn) */
  decrypted?: TokenReport | string | null;
  /** why `decrypted` is null (no key, unsupported algorithm, wrong key) */
  decryptReason?: string | null;
  findings: TokenFinding[];
  times?: TokenTimes;
  /** the input, normalised (trimmed), kept for verification; never printed */
  raw: RawToken;
}

/** The pieces verification needs (base64url strings as they appeared). */
export type RawToken =
  | { type: 'jws-compact'; protected: string; payload: string; signature: string }
  | { type: 'jws-json'; payload: string | undefined; signatures: { protected?: string; header?: JsonObject; signature: string }[] }
  | { type: 'jwe-compact'; compact: string }
  | { type: 'jwe-json'; jwe: JsonObject };
