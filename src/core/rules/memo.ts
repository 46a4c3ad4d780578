/**
 * A rule's own memory across messages (RuleContext.memo): small JSON values under keys the rule
 * chooses, secret-free (hashes, never values), bounded per rule (oldest first out), and saved with
 * the flow store (`rule:<ruleId>:<key>`), so a worker stop forgets nothing a rule remembered.
 */
import { entriesUnder, OrderedMap, type JournalBatch, type JournalEntries } from '../flows/journal';

export const MEMO_CAP = 2000;

export interface RuleMemo {
  get<T>(key: string): T | undefined;
  has(key: string): boolean;
  /** remember a JSON value (no secrets: store hashes) */
  set(key: string, value: unknown): void;
  delete(key: string): void;
}

const isJson = (v: unknown): v is unknown => v !== undefined;

/** A rule's memory of one context (tab/page): saved with that context's record (`ctx:<context>`). */
export interface ContextMemo {
  get<T>(): T | undefined;
  set(value: unknown): void;
  delete(): void;
}

/** where a context's memos live (the navigation log: flows/navigation.ts) */
export interface ContextMemoStore {
  memoOf(context: string, ruleId: string): unknown;
  setMemo(context: string, ruleId: string, value: unknown): void;
}

/** one rule's memo of one context: an object with methods, not three closures per access (rules ask on hot paths) */
export class ContextMemoView implements ContextMemo {
  constructor(
    private readonly store: ContextMemoStore,
    private readonly context: string,
    private readonly ruleId: string,
  ) {}
  get<T>(): T | undefined {
    return this.store.memoOf(this.context, this.ruleId) as T | undefined;
  }
  set(value: unknown): void {
    this.store.setMemo(this.context, this.ruleId, value);
  }
  delete(): void {
    this.store.setMemo(this.context, this.ruleId, undefined);
  }
}

export class RuleMemos {
  private byRule = new Map<string, OrderedMap<unknown>>();
  private views = new Map<string, RuleMemo>();
  private tracked = true;

  private of(ruleId: string): OrderedMap<unknown> {
    let m = this.byRule.get(ruleId);
    if (!m) {
      m = new OrderedMap<unknown>(MEMO_CAP);
      if (!this.tracked) m.untrack();
      this.byRule.set(ruleId, m);
    }
    return m;
  }

  /**
   * never saved (an engine with `journal: false`: a scan, the panel): a memo's change is not
   * recorded for a flush (markAll still marks everything, for a snapshot on demand)
   */
  untrack(): void {
    this.tracked = false;
    for (const m of this.byRule.values()) m.untrack();
  }

  for(ruleId: string): RuleMemo {
    const known = this.views.get(ruleId);
    if (known) return known;
    const m = this.of(ruleId);
    const view: RuleMemo = {
      get: <T>(key: string) => m.map.get(key) as T | undefined,
      has: (key) => m.map.has(key),
      set: (key, value) => m.set(key, value),
      delete: (key) => m.delete(key),
    };
    this.views.set(ruleId, view);
    return view;
  }

  flush(batch: JournalBatch): void {
    for (const [id, m] of this.byRule) m.flush(batch, `rule:${id}:`);
  }

  markAll(): void {
    for (const m of this.byRule.values()) m.markAll();
  }

  restore(entries: JournalEntries): void {
    const ids = new Set<string>();
    for (const [k] of entriesUnder(entries, 'rule:')) {
      const i = k.indexOf(':');
      if (i > 0) ids.add(k.slice(0, i));
    }
    for (const id of ids) this.of(id).restore(entries, `rule:${id}:`, isJson);
  }
}
