/** Token decoding (sync, no verification), verification/decryption (jose) and token-level checks. */
export * from './peek';
export {
  decodeToken,
  tryDecodeToken,
  timesOf,
  algsOf,
  type TokenKind,
  type Serialization,
  type TokenReport,
  type TokenFinding,
  type SignatureInfo,
  type TokenTimes,
  type JsonObject,
  type RawToken,
} from './decode';
export {
  tokenFindings,
  algNoneCheck,
  audienceCheck,
  lifetimeCheck,
  riskyHeaderChecks,
  looksLikeAccessToken,
  formatDuration,
  type TokenCheckOptions,
} from './findings';
export { inspectToken, parseKeys, verificationFailed, type InspectOptions, type KeyInput, type KeyEntry } from './inspect';
export { auditMetadata, issuerMismatchCheck, endpointForeignChecks, impliedIssuers, CLIENT_AUTH_ENDPOINTS } from './metadata-audit';
export { analyzeAudience, normUrl, type AudienceAnalysis, type AudienceProblem, type ReceivingKind } from './assertion-audience';
export { jwtSources, assertionsIn, requestClientId, type JwtSource, type JwtUse } from './sources';
