/** CoatCheck core: the flat public index. Platform-free: no chrome.*, no DOM, no Node APIs. */
export { Engine, type EngineOptions, type EngineState, type LegacyEngineState, type RuleError } from './engine';
export { emptyBatch, parsedValue, type JournalBatch, type JournalEntries } from './flows/journal';
export { CoreError, isCoreError, type CoreErrorCode } from './errors';
export type { Observation, Header, SourceRef, ResourceType, RequestBody } from './observe/observation';
export { header, headersAll, isNavigation } from './observe/observation';
export { observationFromHarEntry, type HarEntry } from './observe/from-har';
export { feedHarEntries, HarFeed, HeaderPool, harWarnings, OrderCheck, slimObservation, timeOrder, type HarFeedSummary } from './observe/har-feed';
export { CaptureCoverage, COOKIE_RULES } from './observe/coverage';
export { classify, mayReadResponseBody, NO_HINTS, type ClassifyHints } from './classify/classify';
export type { OAuthMessage, MessageKind, ParamSource } from './classify/message';
export type { Flow, FlowRequest, FlowResponse, FlowStep, AsIdentity } from './flows/flow';
export { FlowStore, type StoreState, type MetadataRecord } from './flows/store';
export { PROVIDER_TABLE, PROVIDER_TABLE as PROVIDERS, providerForEndpoint, describeIss, tableSendsIss, providerSpec, rowFromSpec, type ProviderRow, type ProviderSpec, type IssBehaviour } from './flows/providers';
export { allRules, ruleById } from './rules/index';
export type { Rule, RuleMeta, RuleContext, FindingDraft } from './rules/types';
export { type Finding, type Evidence, type Severity, type Confidence, SEVERITIES, severityRank, atLeast, sortFindings } from './report/finding';
export { redactUrl, redactValue, redactText, secretRef, entropyBits, alphabetOf, type SecretRef } from './util/secret';
export { parseUrl, parseParams, Params, originOf, siteOf, safeDecode } from './util/url';
export { sha256Hex, pkceS256, base64url } from './util/sha256';
export { TOOL, VERSION } from './version';
export { SECRET_PARAMS } from './util/secret';
export { fetchRefusal, hostScope, type FetchPolicy, type FetchRefusal, type FetchRefusalCode, type HostScope } from './util/fetch-policy';
export { MAX_JSON_DEPTH, jsonNestsDeeperThan } from './util/json';
export { isProviderEndpointHost } from './flows/providers';
// reports: JSON, SARIF, text, HTML, sequence diagrams
export { toJsonReport, jsonError, type ReportInput, type ReportModel, type JsonFinding, type JsonReport, type JsonFlow } from './report/json';
export { toSarif, type SarifOptions } from './report/sarif';
export { toText, readableUrl, type TextOptions } from './report/text';
export { toHtml, fixSection, type HtmlOptions } from './report/html';
export { buildDiagrams, buildDiagram, diagramFetchOf, diagramHops, tokenExchangeOf, type Diagram, type DiagramFetch, type DiagramHop, type DiagramInput, type TokenExchange, type Arrow, type Lane } from './report/diagram';
export { diagramScene, diagramSvg, sceneToSvg, SEVERITY_MARK, type Scene, type SceneNode, type SceneOptions } from './report/diagram-svg';
// tokens: decoding, verification, the token rules' verdicts on one token, metadata audit
export { decodeToken, tryDecodeToken, numericDateIso, type TokenReport, type TokenFinding, type SignatureInfo, type JsonObject } from './tokens/decode';
export { formatDuration, type TokenCheckOptions } from './tokens/findings';
export { inspectToken, parseKeys, verificationFailed, type InspectOptions, type KeyInput } from './tokens/inspect';
export { auditMetadata, CLIENT_AUTH_ENDPOINTS } from './tokens/metadata-audit';
export type { ReceivingKind } from './tokens/assertion-audience';
export { tokenWarnings, metadataWarnings, type TokenWarning, type TokenSeen } from './tokens/warnings';
