import { classify } from './classify/classify';
import type { MessageKind, OAuthMessage } from './classify/message';
import type { Flow } from './flows/flow';
import type { ProviderRow } from './flows/provider-table';
import { FlowStore, type StoreState } from './flows/store';
import { FragmentCarrier } from './observe/fragments';
import type { Observation } from './observe/observation';
import { header } from './observe/observation';
import { isFinding, severityRank, type Evidence, type Finding } from './report/finding';
import { allRules } from './rules/index';
import { ruleMessage } from './rules/support/messages';
import type { FindingDraft, Rule, RuleContext } from './rules/types';
import { decodeJwtPayloadUnsafe } from './tokens/peek';
import { hashSecret, redactValue } from './util/secret';
import { stripFragment } from './util/url';

export interface EngineOptions {
  /** redact secrets in flows and findings (default true) */
  redact?: boolean;
  rules?: Rule[];
  /** rule ids to run (default all) */
  only?: string[];
  /** rule ids to skip */
  disable?: string[];
  /** restore a serialised state (storage.session) */
  state?: EngineState;
  maxFlows?: number;
  /** provider rows consulted before CoatCheck's table (settings; a test lab on its own hosts) */
  providers?: ProviderRow[];
  /**
   * called with every message the engine classified and the flow it attached it to, before its
   * rules run (the DevTools panel's steps)
   */
  onMessage?: (msg: OAuthMessage, flowId: string | undefined) => void;
}

export interface EngineState {
  v: 1;
  store: StoreState;
  findings: Finding[];
}

export interface RuleError {
  ruleId: string;
  obsId: string;
  message: string;
}

const MAX_FINDINGS = 5000;

/**
 * Which finding goes when the list is full (#11: a flood of findings must not push out the one it
 * was meant to hide): from the context holding the most findings, the least severe, oldest one
 * that is not the first of its rule there (every rule keeps a finding per context: a flood's own
 * note survives the flood). O(n), only when the list is full.
 */
function findingToEvict(all: readonly Finding[]): number {
  const perContext = new Map<string, number>();
  for (const f of all) perContext.set(f.context, (perContext.get(f.context) ?? 0) + 1);
  let context = '';
  let most = -1;
  for (const [c, n] of perContext) if (n > most) [context, most] = [c, n];
  // candidates: that context's findings except the first of each rule; all of them if none is left
  const firsts = new Set<string>();
  const candidates: number[] = [];
  const everything: number[] = [];
  for (let i = 0; i < all.length; i++) {
    if (all[i].context !== context) continue;
    everything.push(i);
    if (firsts.has(all[i].ruleId)) candidates.push(i);
    else firsts.add(all[i].ruleId);
  }
  const pool = candidates.length ? candidates : everything;
  let at = pool[0] ?? 0;
  for (const i of pool) if (severityRank(all[i].severity) < severityRank(all[at].severity)) at = i;
  return at;
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
  private all: Finding[] = [];
  private keys = new Set<string>();
  private fragments = new FragmentCarrier();
  readonly errors: RuleError[] = [];
  /** OAuth messages (any kind but 'other') processed so far: lets a shell tell OAuth traffic from the rest */
  oauthMessages = 0;
  /** @internal */
  readonly redact: boolean;
  private readonly onMessage?: EngineOptions['onMessage'];

  constructor(opts: EngineOptions = {}) {
    this.redact = opts.redact ?? true;
    this.onMessage = opts.onMessage;
    const storeOpts = { redact: this.redact, maxFlows: opts.maxFlows, providers: opts.providers };
    this.store = opts.state ? FlowStore.fromJSON(opts.state.store, storeOpts) : new FlowStore(storeOpts);
    if (opts.state && Array.isArray(opts.state.findings)) {
      this.all = opts.state.findings.filter(isFinding); // a damaged state loses its broken findings only
      for (const f of this.all) this.keys.add(findingKey(f));
    }
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
  }

  get findings(): readonly Finding[] {
    return this.all;
  }

  flows(): Flow[] {
    return [...this.store.flows.values()];
  }

  toJSON(): EngineState {
    return { v: 1, store: this.store.toJSON(), findings: this.all };
  }

  /** Feed one observation; returns the findings it raised. Never throws on bad input. */
  push(o: Observation): Finding[] {
    const out: Finding[] = [];
    if (!o || typeof o.url !== 'string' || typeof o.context !== 'string') return out;
    // fragments never cross the wire: the navigation that follows a redirect whose Location has
    // one carries it, a committed URL that repeats it is not processed twice (§0.1, fragments.ts)
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
    store.observe(o);
    let msg: OAuthMessage;
    try {
      msg = classify(o, store);
    } catch (e) {
      this.errors.push({ ruleId: '(classify)', obsId: o.id, message: String(e) });
      return;
    }
    if (msg.kind !== 'other') this.oauthMessages += 1;
    const from = store.previousHop(o);
    let replay = false;
    let flow: Flow | undefined;

    if (msg.kind === 'authorization-request' && msg.url) {
      replay = store.isReplay(o, from);
      flow = store.attachAuthorizationRequest(msg, from, replay).flow;
    } else if (msg.kind === 'authorization-response') {
      replay = store.isReplay(o, from);
      flow = store.attachAuthorizationResponse(msg, from);
    } else if (msg.kind === 'token-request') {
      const code = msg.params.get('code');
      flow = code ? store.flowForCode(code) : undefined;
      if (flow) store.addStep(flow, msg);
    } else if (msg.kind === 'par-request') {
      store.recordPushedRequest(msg);
    } else if (msg.kind === 'metadata' && msg.json && msg.url) {
      store.recordMetadata(msg.url.href, msg.json);
    }
    this.onMessage?.(msg, flow?.id);

    const rules = msg.kind === 'other' ? this.anyRules : (this.byKind.get(msg.kind) ?? this.anyRules);
    if (rules.length > 0) {
      const ctx = new Ctx(this, msg, flow, from, replay, out);
      for (const rule of rules) {
        ctx.currentRule = rule;
        try {
          rule.check(ctx);
        } catch (e) {
          this.errors.push({ ruleId: rule.meta.id, obsId: o.id, message: e instanceof Error ? e.message : String(e) });
        }
      }
    }
    this.afterRules(msg, flow, from, replay);
  }

  /** Bookkeeping that rules must see only from the next message on. */
  private afterRules(msg: OAuthMessage, flow: Flow | undefined, from: RuleContext['from'], replay: boolean): void {
    const o = msg.obs;
    const store = this.store;
    if (msg.kind === 'authorization-response') {
      const code = msg.params.get('code');
      if (code) {
        store.recordCode(code, {
          flowId: flow?.id,
          ref: o.ref,
          obsId: o.id,
          time: o.time,
          context: o.context,
          stateHash: msg.params.get('state') !== undefined ? hashSecret(msg.params.get('state')!) : undefined,
          base: msg.url?.base ?? stripFragment(o.url),
          url: o.url,
          from: from.origin,
        });
      }
      // §0.4 (2): the RFC 9207 iss and the front-channel ID token iss of a clean flow (one AS,
      // matched by state, the two not conflicting, not a replay) teach what its AS sends
      const idt = msg.params.get('id_token');
      const state = msg.params.get('state');
      const issParam = msg.params.get('iss');
      if (flow && (idt || issParam) && !replay && state !== undefined && flow.state?.hash === hashSecret(state) && flow.requests.length === 1) {
        const v = idt ? decodeJwtPayloadUnsafe(idt)?.iss : undefined;
        const idIss = typeof v === 'string' ? v : undefined;
        if (issParam === undefined || idIss === undefined || issParam === idIss) store.learnFromResponse(flow.requests[0]?.as ?? flow.as, issParam, o.time, idIss);
      }
    }
    if (msg.kind === 'token-request' && msg.params.get('grant_type') === 'refresh_token') {
      const rt = msg.params.get('refresh_token');
      if (rt) {
        const h = hashSecret(rt);
        const newRt = msg.json?.refresh_token;
        store.recordRefreshUse(h, {
          ref: o.ref,
          time: o.time,
          responseTime: o.responseTime,
          status: o.status,
          rotatedTo: typeof newRt === 'string' ? hashSecret(newRt) : undefined,
          dpop: header(o.requestHeaders, 'dpop') !== undefined || msg.json?.token_type === 'DPoP',
          clientAuthenticated:
            msg.params.has('client_secret') || msg.params.has('client_assertion') || /^basic /i.test(header(o.requestHeaders, 'authorization') ?? ''),
        });
      }
    }
    store.recordHop(o, from);
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
    const key = findingKey(f);
    if (this.keys.has(key)) return;
    this.keys.add(key);
    if (this.all.length >= MAX_FINDINGS) {
      const [evicted] = this.all.splice(findingToEvict(this.all), 1);
      // its key is forgotten too: the key set stays bounded, and a restored engine (whose keys come
      // from the kept findings) behaves exactly like this one
      if (evicted) this.keys.delete(findingKey(evicted));
    }
    this.all.push(f);
    out.push(f);
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

function findingKey(f: Finding): string {
  if (f.fingerprint) return `${f.ruleId}|${f.context}|${f.variant ?? ''}|${f.fingerprint}`;
  const ev = f.evidence[0];
  return `${f.ruleId}|${f.flowId ?? ''}|${f.variant ?? ''}|${ev ? `${ev.input ?? ''}:${ev.entry ?? ''}:${ev.requestId ?? ''}:${ev.param ?? ''}` : f.message}`;
}

/** The context a rule's check() sees for one message. A class, not closures: it is built per message. */
class Ctx implements RuleContext {
  currentRule: Rule | undefined;
  readonly store: FlowStore;
  constructor(
    private readonly engine: Engine,
    readonly msg: OAuthMessage,
    readonly flow: Flow | undefined,
    readonly from: RuleContext['from'],
    readonly replay: boolean,
    private readonly out: Finding[],
  ) {
    this.store = engine.store;
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
