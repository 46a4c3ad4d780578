/** CoatCheck core: the flat public index. Platform-free: no chrome.*, no DOM, no Node APIs. */
export { Engine, type EngineOptions, type EngineState, type RuleError } from './engine';
export { CoreError, isCoreError, type CoreErrorCode } from './errors';
export type { Observation, Header, SourceRef, ResourceType, RequestBody } from './observe/observation';
export { header, headersAll, isNavigation } from './observe/observation';
export { observationFromHarEntry, type HarEntry } from './observe/from-har';
export { feedHarEntries, HarFeed, HeaderPool, harWarnings, OrderCheck, slimObservation, timeOrder, type HarFeedSummary } from './observe/har-feed';
export { classify, NO_HINTS, type ClassifyHints } from './classify/classify';
export type { OAuthMessage, MessageKind, ParamSource } from './classify/message';
export type { Flow, FlowRequest, FlowResponse, FlowStep, AsIdentity } from './flows/flow';
export { FlowStore, type StoreState, type MetadataRecord } from './flows/store';
export { PROVIDER_TABLE, PROVIDER_TABLE as PROVIDERS, providerForEndpoint, describeIss, tableSendsIss, type ProviderRow, type IssBehaviour } from './flows/providers';
export { allRules, ruleById } from './rules/index';
export type { Rule, RuleMeta, RuleContext, FindingDraft } from './rules/types';
export { type Finding, type Evidence, type Severity, type Confidence, SEVERITIES, severityRank, atLeast, sortFindings } from './report/finding';
export { redactUrl, redactValue, redactText, secretRef, entropyBits, alphabetOf, type SecretRef } from './util/secret';
export { parseUrl, parseParams, Params, originOf, siteOf, safeDecode } from './util/url';
export { sha256Hex, pkceS256, base64url } from './util/sha256';
