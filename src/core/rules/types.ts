import type { MessageKind, OAuthMessage } from '../classify/message';
import type { PreviousHop } from '../flows/navigation';
import type { FlowView, StoreView } from '../flows/view';
import type { ContextMemo, RuleMemo } from './memo';
import type { Observation, ResourceType } from '../observe/observation';
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
  /**
   * Required for `on: 'any'` rules: what of the raw observation a non-OAuth ('other') message must
   * show for check() to report or to change the rule's memory on it. The engine compiles the
   * declarations of all rules into one test over raw strings (rules/prefilter.ts) and runs a rule on
   * an 'other' message only when its declaration matches; OAuth messages always run it. Declare a
   * superset: test/prefilter-equivalence.test.ts replays every rule table and fixture HAR with and
   * without the prefilter and random observations against each rule.
   */
  prefilter?: RawPrecondition;
  /**
   * Optional: what an OAuth message (any kind but 'other') must carry for check() to report or to
   * change the rule's memory on it. The engine finds these facts once per message (rules/needs.ts)
   * and does not call a rule none of whose items hold. Declare a superset: test/rule-needs.test.ts
   * replays every rule table, fixture HAR and random flows with and without it.
   */
  needs?: MessageNeeds;
  /** where the rule can see its signature */
  vantage: Vantage[];
  /**
   * The rule's wording, as ESLint's `meta.messages`: message id → template with `{placeholders}`,
   * filled from a report's `data` (rules/support/messages.ts). A report names its `messageId`.
   */
  messages?: Record<string, string>;
}

/**
 * A rule's cheap precondition on a raw observation (any one item matching lets the rule run).
 * Parameter names match as the URL parser reads them: `name=` after `?`, `&` or `#` (also
 * percent-encoded names); only names of [A-Za-z0-9_] with a non-empty value count.
 */
export interface RawPrecondition extends ObservationFacts {
  /** parameter names it reads from the URL in the Referer request header */
  refererParams?: readonly string[];
  /** request body field names it reads (a form field of that name, or the name in the body's text) */
  bodyFields?: readonly string[];
  /** the rule remembers something of the observation's context (RuleContext.contextMemo) */
  contextMemo?: boolean;
}

/** What both kinds of precondition can ask of the observation itself. */
export interface ObservationFacts {
  /** parameter names of the request URL's query or fragment (non-empty values for a raw precondition) */
  urlParams?: readonly string[];
  /** request headers it reads (lower case), present at all */
  requestHeaders?: readonly RawHeaderName[];
  /** substrings of the Location response header it needs */
  location?: readonly string[];
  /** response statuses it looks at */
  statuses?: readonly number[];
  /** request methods it looks at (upper case, as observations carry them) */
  methods?: readonly string[];
  /** resource types it looks at */
  types?: readonly ResourceType[];
}

/**
 * A rule's precondition on an OAuth message (any one item holding lets the rule run): facts the
 * engine reads once per message, whatever the number of rules that ask.
 */
export interface MessageNeeds extends ObservationFacts {
  /** OAuth parameters it reads (msg.params has the name, whatever the value) */
  params?: readonly string[];
  /** members of the JSON response body it reads (msg.json has the member) */
  json?: readonly string[];
  /** a compact JWT the message carries where the token rules look (tokens/sources.ts jwtSources) */
  jwt?: boolean;
  /** the parameters travel by reference or encrypted (msg.paramsKnown false: PAR request_uri, JWE request) */
  paramsUnknown?: boolean;
  /** request body form field names (msg.form has the name) */
  formParams?: readonly string[];
  /** substrings of the request body's text it needs */
  bodyText?: readonly string[];
  /** message kinds on which it reads more than the other items say */
  kinds?: readonly MessageKind[];
  /**
   * parameter names it reads from the URL in the Referer request header, when that URL is not on
   * the request's own origin (names as RawPrecondition's: [A-Za-z0-9_], a non-empty value)
   */
  refererParams?: readonly string[];
  /**
   * resource types on which it reads or clears its memory of the message's context
   * (RuleContext.contextMemo): it runs there only when it remembers something of that context
   */
  contextMemo?: readonly ResourceType[];
}

/** the request headers the engine's one pass over the headers reports (observe/raw.ts) */
export type RawHeaderName = 'authorization' | 'cookie' | 'referer' | 'dpop' | 'origin';

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
