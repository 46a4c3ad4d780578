import { classify, NOT_PLAIN, otherMessage, PLAIN_MERGED, plainOtherKind } from './classify/classify';
import type { MessageKind, OAuthMessage } from './classify/message';
import type { Flow } from './flows/flow';
import type { ProviderRow } from './flows/provider-table';
import { discardBatch, emptyBatch, type JournalBatch, type JournalEntries } from './flows/journal';
import { FlowStore, type StoreState } from './flows/store';
import { FragmentCarrier } from './observe/fragments';
import type { Observation } from './observe/observation';
import { requestHeaderBits } from './observe/raw';
import { isFinding, type Evidence, type Finding } from './report/finding';
import { FindingLog } from './report/finding-log';
import { allRules } from './rules/index';
import { ContextMemoView, RuleMemos, type ContextMemo, type RuleMemo } from './rules/memo';
import { NeedsDispatch } from './rules/needs';
import { RulePrefilter } from './rules/prefilter';
import { ruleMessage } from './rules/support/messages';
import type { FindingDraft, Rule, RuleContext } from './rules/types';
import { redactValue } from './util/secret';

/** the previous hop handed to store.learn for an 'other' navigation no recorded redirect led to (recordHop reads only that) */
const NO_HOP: RuleContext['from'] = { via: 'none' };
/** observations between two discards of the journal of an engine that is never saved */
const DISCARD_EVERY = 1024;

export interface EngineOptions {
  /** redact secrets in flows and findings (default true) */
  redact?: boolean;
  rules?: Rule[];
  /** rule ids to run (default all) */
  only?: string[];
  /** rule ids to skip */
  disable?: string[];
  /** restore a saved state: the journal's entries (storage.session), or a snapshot (toJSON) */
  state?: EngineState | LegacyEngineState;
  entries?: JournalEntries;
  maxFlows?: number;
  /**
   * keep the journal of changed keys for `flush` (default true: the worker saves after every
   * event). An engine that is never saved (a scan, the panel) passes false, so that what changed
   * is forgotten as it goes instead of piling up (the keys of every flow and context ever evicted).
   */
  journal?: boolean;
  /** provider rows consulted before CoatCheck's table (settings; a test lab on its own hosts) */
  providers?: ProviderRow[];
  /**
   * called with every message the engine classified and the flow it attached it to, before its
   * rules run (the DevTools panel's steps)
   */
  onMessage?: (msg: OAuthMessage, flowId: string | undefined) => void;
  /** @internal false: run every 'any' rule on every 'other' message (the prefilter's equivalence test) */
  prefilter?: boolean;
  /** @internal false: run every rule of a kind on every OAuth message, whatever its `meta.needs` (rules/needs.ts) */
  needs?: boolean;
}

/** A whole saved engine: the journal's entries (what `flush` writes, all of it). */
export interface EngineState {
  v: 2;
  entries: Record<string, string>;
}

/** The layout before the journal (one object): read once and migrated. */
export interface LegacyEngineState {
  v: 1;
  store: StoreState;
  findings: Finding[];
}

export interface RuleError {
  ruleId: string;
  obsId: string;
  message: string;
}

/**
 * The loop: observe → classify → correlate → run rules → findings. One observation at a time, so
 * the background worker, a streaming HAR scan and the devtools panel share one path.
 */
export class Engine {
  readonly store: FlowStore;
  readonly rules: Rule[];
  private byKind = new Map<MessageKind, Rule[]>();
  private anyRules: Rule[] = [];
  private listMemos = new Map<Rule[], RuleMemo[]>();
  /** which 'any' rules can fire on an 'other' message (rules/prefilter.ts), or undefined: all */
  private prefilter: RulePrefilter | undefined;
  /** per kind's rule list: which rules an OAuth message can make fire (rules/needs.ts), when any declares */
  private dispatch = new Map<Rule[], NeedsDispatch>();
  /** per message kind, what its OAuth messages run (one lookup per message); `anyPlan` for a kind no rule names */
  private plans = new Map<MessageKind, RulePlan>();
  private anyPlan!: RulePlan;
  private readonly memoOfContext = (context: string, ruleId: string): unknown => this.store.nav.memoOf(context, ruleId);
  private readonly log = new FindingLog();
  private readonly memos = new RuleMemos();
  private fragments = new FragmentCarrier();
  readonly errors: RuleError[] = [];
  /** OAuth messages (any kind but 'other') processed so far: lets a shell tell OAuth traffic from the rest */
  oauthMessages = 0;
  /** @internal */
  readonly redact: boolean;
  private readonly onMessage?: EngineOptions['onMessage'];
  private readonly journal: boolean;
  private sinceDiscard = 0;

  constructor(opts: EngineOptions = {}) {
    this.redact = opts.redact ?? true;
    this.onMessage = opts.onMessage;
    this.journal = opts.journal ?? true;
    const storeOpts = { redact: this.redact, maxFlows: opts.maxFlows, providers: opts.providers, journal: this.journal };
    const state = opts.state;
    const entries = opts.entries ?? (state?.v === 2 && state.entries && typeof state.entries === 'object' ? state.entries : undefined);
    if (entries) {
      this.store = FlowStore.restore(entries, storeOpts);
      this.memos.restore(entries);
      this.log.restore(entries);
    } else if (state?.v === 1) {
      // the old layout: read once; the next flush writes everything in the journal layout
      this.store = FlowStore.fromJSON(state.store, storeOpts);
      for (const f of Array.isArray(state.findings) ? state.findings.filter(isFinding) : []) this.log.add(f);
    } else this.store = new FlowStore(storeOpts);
    // (the store stops tracking changes itself: FlowStore's `journal` option)
    if (!this.journal) this.memos.untrack();
    const base = opts.rules ?? allRules;
    this.rules = base.filter(
      (r) => (!opts.only || opts.only.includes(r.meta.id)) && !(opts.disable ?? []).includes(r.meta.id),
    );
    // per message kind, the rules to run (the kind's own, then the 'any' rules), computed once
    for (const r of this.rules) {
      if (r.meta.on === 'any') this.anyRules.push(r);
      else
        for (const k of r.meta.on) {
          const list = this.byKind.get(k) ?? [];
          list.push(r);
          this.byKind.set(k, list);
        }
    }
    for (const [k, list] of this.byKind) this.byKind.set(k, [...list, ...this.anyRules]);
    if (opts.needs !== false) {
      for (const list of [...this.byKind.values(), this.anyRules]) {
        const d = NeedsDispatch.of(list);
        if (d) this.dispatch.set(list, d);
      }
    }
    if (opts.prefilter !== false && this.anyRules.length <= 30) this.prefilter = new RulePrefilter(this.anyRules);
    const plan = (rules: Rule[]): RulePlan => ({ rules, memos: undefined, needs: this.dispatch.get(rules) });
    for (const [k, list] of this.byKind) this.plans.set(k, plan(list));
    this.anyPlan = plan(this.anyRules);
  }

  get findings(): readonly Finding[] {
    return this.log.list;
  }

  flows(): Flow[] {
    return [...this.store.flows.values()];
  }

  /**
   * What changed since the last flush, as journal keys (`flow:`, `ctx:`, `as:`, `cred:`, `rule:`,
   * `fnd:`): the worker writes it with one storage set and one remove.
   */
  flush(batch: JournalBatch = emptyBatch()): JournalBatch {
    this.store.flush(batch);
    this.memos.flush(batch);
    this.log.flush(batch);
    return batch;
  }

  /** Everything, as entries (a new Engine({ state }) restores it); the next flush writes all again. */
  toJSON(): EngineState {
    this.markAll();
    const { set } = this.flush();
    this.markAll();
    return { v: 2, entries: set };
  }

  /** Mark everything changed: the next flush writes it all (after a failed write). */
  markAllChanged(): void {
    this.markAll();
  }

  private markAll(): void {
    this.store.markAll();
    this.memos.markAll();
    this.log.markAll();
  }

  /**
   * Fragment Locations waiting for the navigation that follows them (fragments.ts): the one piece
   * of state that is never saved, because it holds the raw fragment. A worker stopped now loses the
   * wait; in the browser the committed URL then delivers the fragment on its own.
   */
  get fragmentsInFlight(): number {
    return this.fragments.waiting;
  }

  /** @internal the memo of one rule */
  memoOf(rule: Rule): RuleMemo {
    return this.memos.for(rule.meta.id);
  }

  /** Feed one observation; returns the findings it raised. Never throws on bad input. */
  push(o: Observation): Finding[] {
    const out: Finding[] = [];
    if (!o || typeof o.url !== 'string' || typeof o.context !== 'string') return out;
    if (!this.journal && ++this.sinceDiscard >= DISCARD_EVERY) {
      this.sinceDiscard = 0;
      this.flush(discardBatch());
    }
    // fragments never cross the wire: the navigation that follows a redirect whose Location has
    // one carries it, a committed URL that repeats it is not processed twice (§0.1, fragments.ts)
    if (this.fragments.passes(o)) {
      this.safeProcess(o, out);
      if (o.location !== undefined) {
        const now = this.fragments.redirected(o);
        if (now) this.safeProcess(now, out);
      }
      return out;
    }
    for (const x of this.fragments.route(o)) {
      this.safeProcess(x, out);
      const now = this.fragments.redirected(x);
      if (now) this.safeProcess(now, out);
    }
    return out;
  }

  private safeProcess(o: Observation, out: Finding[]): void {
    try {
      this.process(o, out);
    } catch (e) {
      this.errors.push({ ruleId: '(engine)', obsId: String(o.id), message: e instanceof Error ? e.message : String(e) });
    }
  }

  private process(o: Observation, out: Finding[]): void {
    const store = this.store;
    // one pass over the request headers, shared by the store, the MCP ledger and the prefilter
    const headers = o.requestHeaders.length > 0 ? requestHeaderBits(o.requestHeaders) : 0;
    store.observe(o, headers);
    let msg: OAuthMessage;
    try {
      // most traffic: 'other' without parsing anything, and no message unless something reads it
      const plain = plainOtherKind(o, store.hints);
      if (plain !== NOT_PLAIN) {
        this.processOther(undefined, o, headers, out, plain === PLAIN_MERGED);
        return;
      }
      msg = classify(o, store.hints);
    } catch (e) {
      this.errors.push({ ruleId: '(classify)', obsId: o.id, message: String(e) });
      return;
    }
    if (msg.kind === 'other') {
      this.processOther(msg, o, headers, out, false);
      return;
    }
    this.oauthMessages += 1;
    // how the request was reached: the front channel's correlation needs it; for the other kinds
    // only a rule that asks (Ctx.from, found on first use: hops change only after the rules) and
    // the hop of a navigation do
    const front = msg.kind === 'authorization-request' || msg.kind === 'authorization-response';
    const from = front ? store.previousHop(o) : undefined;
    let replay = false;
    let flow: Flow | undefined;

    if (msg.kind === 'authorization-request' && msg.url && from) {
      replay = store.isReplay(o, from);
      flow = store.attachAuthorizationRequest(msg, from, replay).flow;
    } else if (msg.kind === 'authorization-response' && from) {
      replay = store.isReplay(o, from);
      flow = store.attachAuthorizationResponse(msg, from);
    } else if (msg.kind === 'token-request') {
      flow = store.attachByCode(msg);
    } else if (msg.kind === 'par-request') {
      store.recordPushedRequest(msg);
    } else if (msg.kind === 'metadata' && msg.json && msg.url) {
      store.recordMetadata(msg.url.href, msg.json);
    }
    this.onMessage?.(msg, flow?.id);

    const plan = this.plans.get(msg.kind) ?? this.anyPlan;
    let ctx: Ctx | undefined;
    if (plan.rules.length > 0) {
      const d = plan.needs;
      ctx = new Ctx(this, msg, flow, from, replay, out);
      this.runRules(plan.rules, (plan.memos ??= this.memosOf(plan.rules)), -1, ctx, d?.masks, d ? d.facts(msg, headers, this.memoOfContext) : 0);
    }
    // (the store reads `from` of a front-channel message, and of a navigation only whether a recorded
    // redirect led to it, as processOther hands it: learn.ts, recordHop)
    const nav = o.type === 'main_frame' || o.type === 'sub_frame';
    store.learn(msg, flow, from ?? (nav ? (ctx?.fromIfKnown ?? store.nav.redirectedFrom(o) ?? NO_HOP) : NO_HOP), replay);
  }

  /**
   * A message that is not OAuth: only the 'any' rules whose prefilter matches run (most
   * subresources: none, and then no rule context is built); the store learns navigation hops only.
   */
  private processOther(classified: OAuthMessage | undefined, o: Observation, headers: number, out: Finding[], merged: boolean): void {
    const store = this.store;
    const nav = o.type === 'main_frame' || o.type === 'sub_frame';
    // where the request came from: its only readers are rules that ask (none of the 'any' rules
    // does today), so it is found on first use; the store records hops of navigations only and
    // reads only whether a recorded redirect led here (recordHop marks that hop followed)
    const from = nav ? store.nav.redirectedFrom(o) : undefined;
    const rules = this.anyRules;
    const which = rules.length === 0 ? 0 : this.prefilter ? this.prefilter.test(o, headers, this.memoOfContext) : -1;
    // the message (classify's 'other', built here when classification needed none) only for a
    // reader: most subresources have none
    if (which === 0 && !this.onMessage && !nav) return;
    const msg = classified ?? otherMessage(o, merged);
    this.onMessage?.(msg, undefined);
    if (which !== 0) this.runRules(rules, this.memosOf(rules), which, new Ctx(this, msg, undefined, from, false, out));
    if (nav) store.learn(msg, undefined, from ?? NO_HOP, false);
  }

  /** the rules' memos, looked up once per rule list rather than per rule and message */
  private memosOf(rules: Rule[]): RuleMemo[] {
    let memos = this.listMemos.get(rules);
    if (!memos) this.listMemos.set(rules, (memos = rules.map((r) => this.memoOf(r))));
    return memos;
  }

  /**
   * run `rules` (those whose bit is set in `which`; -1: all) in order on one message; with `needs`
   * (rules/needs.ts), only the rules whose mask is 0 or shares a bit with the message's `facts`
   */
  private runRules(rules: Rule[], memos: RuleMemo[], which: number, ctx: Ctx, needs?: Int32Array, facts = 0): void {
    if (which !== -1) {
      // the prefilter's rules only, lowest bit (first rule) first: an API call lets through 3 of
      // the ~30 'any' rules
      for (let w = which; w !== 0; w &= w - 1) {
        const i = 31 - Math.clz32(w & -w);
        if (i >= rules.length) break;
        if (needs !== undefined && needs[i] !== 0 && (needs[i] & facts) === 0) continue;
        this.runRule(rules[i], memos[i], ctx);
      }
      return;
    }
    // (an OAuth message: every rule of its kind its facts let through; the loop as it was)
    for (let i = 0; i < rules.length; i++) {
      if (needs !== undefined && needs[i] !== 0 && (needs[i] & facts) === 0) continue;
      const rule = rules[i];
      ctx.currentRule = rule;
      ctx.memo = memos[i];
      try {
        rule.check(ctx);
      } catch (e) {
        this.errors.push({ ruleId: rule.meta.id, obsId: ctx.msg.obs.id, message: e instanceof Error ? e.message : String(e) });
      }
    }
  }

  private runRule(rule: Rule, memo: RuleMemo, ctx: Ctx): void {
    ctx.currentRule = rule;
    ctx.memo = memo;
    try {
      rule.check(ctx);
    } catch (e) {
      this.errors.push({ ruleId: rule.meta.id, obsId: ctx.msg.obs.id, message: e instanceof Error ? e.message : String(e) });
    }
  }

  /** @internal used by the rule context */
  add(rule: Rule, d: FindingDraft, context: string, time: number, flowId: string | null, out: Finding[]): void {
    const f: Finding = {
      ruleId: rule.meta.id,
      severity: d.severity ?? rule.meta.severity,
      confidence: d.confidence ?? rule.meta.confidence,
      title: rule.meta.title,
      message: d.message ?? ruleMessage(rule.meta, d.messageId ?? '(none)', d.data),
      references: rule.meta.references,
      flowId,
      evidence: d.evidence,
      ...(d.variant ? { variant: d.variant } : {}),
      ...(d.fingerprint ? { fingerprint: d.fingerprint } : {}),
      ...(d.providerTable ? { providerTable: { provider: d.providerTable.provider, checked: d.providerTable.checked } } : {}),
      context,
      time,
    };
    if (this.log.add(f)) out.push(f);
  }

  /** End of capture: run the rules' finish passes (HAR scans). */
  finish(): Finding[] {
    const out: Finding[] = [];
    for (const x of this.fragments.end()) this.safeProcess(x, out);
    for (const rule of this.rules) {
      if (!rule.finish) continue;
      try {
        rule.finish({
          store: this.store,
          memo: this.memoOf(rule),
          redact: (v) => (this.redact ? redactValue(v) : v),
          report: (d) => this.add(rule, d, d.context, d.time, d.flowId ?? null, out),
        });
      } catch (e) {
        this.errors.push({ ruleId: rule.meta.id, obsId: '(finish)', message: e instanceof Error ? e.message : String(e) });
      }
    }
    return out;
  }
}

/** The rules of one message kind, their memos (looked up on first use) and their dispatch (rules/needs.ts). */
interface RulePlan {
  readonly rules: Rule[];
  memos: RuleMemo[] | undefined;
  readonly needs: NeedsDispatch | undefined;
}

/** The context a rule's check() sees for one message. A class, not closures: it is built per message. */
class Ctx implements RuleContext {
  currentRule: Rule | undefined;
  readonly store: FlowStore;
  memo!: RuleMemo;
  constructor(
    private readonly engine: Engine,
    readonly msg: OAuthMessage,
    readonly flow: Flow | undefined,
    private knownFrom: RuleContext['from'] | undefined,
    readonly replay: boolean,
    private readonly out: Finding[],
  ) {
    this.store = engine.store;
  }
  /** the previous hop, found on first use when the engine did not need it (hops change only after the rules) */
  get from(): RuleContext['from'] {
    this.knownFrom ??= this.store.previousHop(this.msg.obs);
    return this.knownFrom;
  }
  /** the previous hop if the engine or a rule found it already */
  get fromIfKnown(): RuleContext['from'] | undefined {
    return this.knownFrom;
  }
  /** built on first use only (most rules never ask) */
  get contextMemo(): ContextMemo {
    return new ContextMemoView(this.store.nav, this.msg.obs.context, this.currentRule!.meta.id);
  }
  redact(v: string): string {
    return this.engine.redact ? redactValue(v) : v;
  }
  redactUrl(u: string): string {
    return this.store.redactUrl(u);
  }
  evidence(o: Observation, param?: string, note?: string, value?: string): Evidence {
    const e: Evidence = { ...o.ref, url: this.redactUrl(o.url) };
    if (param !== undefined) e.param = param;
    if (value !== undefined) e.value = this.redact(value);
    if (note !== undefined) e.note = note;
    return e;
  }
  report(d: FindingDraft): void {
    const o = this.msg.obs;
    this.engine.add(this.currentRule!, d, o.context, o.time, d.flowId === undefined ? (this.flow?.id ?? null) : d.flowId, this.out);
  }
}
