import type { MessageKind, OAuthMessage } from '../classify/message';
import type { PreviousHop } from '../flows/navigation';
import type { FlowView, StoreView } from '../flows/view';
import type { ContextMemo, RuleMemo } from './memo';
import type { Observation } from '../observe/observation';
import type { Confidence, Evidence, ProviderTableBasis, Severity } from '../report/finding';

export type Vantage = 'BG' | 'DT' | 'HAR';

export interface RuleMeta {
  /** stable public id (detectors.md) */
  id: string;
  title: string;
  /** default severity; a rule may lower it as its section says */
  severity: Severity;
  confidence: Confidence;
  /** RFC / draft sections, e.g. "RFC 9700 §4.4.1" */
  references: string[];
  /** one paragraph: what it detects */
  description: string;
  tier: 1 | 2;
  /** message kinds this rule looks at; 'any' for every observation */
  on: MessageKind[] | 'any';
  /** where the rule can see its signature */
  vantage: Vantage[];
  /**
   * The rule's wording, as ESLint's `meta.messages`: message id → template with `{placeholders}`,
   * filled from a report's `data` (rules/support/messages.ts). A report names its `messageId`.
   */
  messages?: Record<string, string>;
}

export interface FindingDraft {
  severity?: Severity;
  confidence?: Confidence;
  /** the finding's text; or a `messageId` of the rule's `meta.messages`, filled from `data` */
  message?: string;
  messageId?: string;
  data?: Record<string, unknown>;
  evidence: Evidence[];
  /** defaults to the flow of the message, or null */
  flowId?: string | null;
  variant?: string;
  /**
   * What makes this finding the same as an earlier one (default: rule, flow, variant and the first
   * evidence's source). Rules that can see one value through several observations (a fragment in a
   * Location and again in the committed URL) set it, e.g. to the value's hash.
   */
  fingerprint?: string;
  /** the verdict rests on the provider table (§3) only: which row, checked when */
  providerTable?: ProviderTableBasis;
}

export interface RuleContext {
  msg: OAuthMessage;
  /** the flow the message was attached to, if any */
  flow: FlowView | undefined;
  /** how the browser reached this request */
  from: PreviousHop;
  /** true when the engine judged this message a G3 replay (reload, back/forward, re-request) */
  replay: boolean;
  /** the flow store, read-only (rules cannot write flow state) */
  store: StoreView;
  /** this rule's own memory across messages: saved with the store, secret-free (hashes) */
  memo: RuleMemo;
  /** this rule's memory of the message's context (tab/page): saved with the context's record */
  contextMemo: ContextMemo;
  /** redact a secret value for display (prefix + hash), unless redaction is off */
  redact(value: string): string;
  redactUrl(url: string): string;
  /** evidence pointing at an observation (redacted URL, source reference) */
  evidence(o: Observation, param?: string, note?: string, value?: string): Evidence;
  report(d: FindingDraft): void;
}

export interface FinishContext {
  store: StoreView;
  memo: RuleMemo;
  redact(value: string): string;
  report(d: FindingDraft & { context: string; time: number }): void;
}

export interface Rule {
  meta: RuleMeta;
  /** Pure with respect to the store: read it, never mutate it. */
  check(ctx: RuleContext): void;
  /** Optional end-of-capture pass (HAR scans, exports). */
  finish?(ctx: FinishContext): void;
}

export function defineRule(rule: Rule): Rule {
  return rule;
}
