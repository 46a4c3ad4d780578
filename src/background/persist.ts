/**
 * storage.session persistence: the engine's journal (core/flows/journal.ts) and the HAR log's
 * chunks. A save writes only what changed since the last one — the keys of the flows, contexts,
 * AS facts, credentials, rule memos and findings chunks an event touched, and the last HAR chunk of
 * the tab that logged — with one `set` and one `remove`, handed to the browser in the task of the
 * event that changed them (the worker can be stopped the next moment). Nothing is re-serialised
 * that did not change. The state holds secrets only as fingerprints (the engine and the HAR log
 * redact when they record).
 *
 * The layout before the journal (`engine` + `store:<field>` + `flow:<id>` + `findings`, `har:<tab>`)
 * is read once and migrated: the first save writes it in the new layout and removes the old keys.
 */
import { emptyBatch, type Engine, type JournalBatch, type LegacyEngineState, parsedValue } from '../core';
import { HarLog } from './har-log';

export interface SessionArea {
  get(keys: string | string[] | null): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove?(keys: string | string[]): Promise<void>;
}

/** The old layout's keys (besides `flow:<id>`, which the journal keeps with the same meaning). */
const LEGACY_KEYS = /^(engine|findings|store:.*)$/;

export interface Saved {
  /** the journal's entries (restore with new Engine({ entries })) */
  entries?: Record<string, unknown>;
  /** a state in the old layout (restore with new Engine({ state })) */
  legacy?: LegacyEngineState;
  har: HarLog;
}

export class SessionWriter {
  private legacy: string[] = [];
  constructor(private readonly area: SessionArea) {}

  /** the old layout's keys, removed by the next save */
  dropLegacy(keys: string[]): void {
    this.legacy.push(...keys);
  }

  /** Forget pending removals (after the area was cleared). */
  reset(): void {
    this.legacy = [];
  }

  /**
   * Write what changed. The writes are handed to the browser before the first await, in the same
   * task as the event that changed the state: once dispatched, the browser completes them even if
   * the worker is stopped the next moment, and saves dispatched one after another land in order.
   * If a write fails, everything is marked changed again (the next save writes it all).
   */
  async save(engine: Engine, har: HarLog): Promise<JournalBatch> {
    const batch = emptyBatch();
    engine.flush(batch);
    har.flush(batch);
    batch.remove.push(...this.legacy.splice(0));
    const pending: Promise<void>[] = [];
    if (Object.keys(batch.set).length > 0) pending.push(this.area.set(batch.set));
    if (batch.remove.length > 0 && this.area.remove) pending.push(this.area.remove(batch.remove));
    try {
      await Promise.all(pending);
    } catch (e) {
      engine.markAllChanged();
      har.markAll();
      console.warn('coatcheck: could not persist state', e);
    }
    return batch;
  }
}


/** The old layout: `engine` names the flows and store fields, each under its own key. */
function legacyFrom(v: Record<string, unknown>): LegacyEngineState | undefined {
  const head = parsedValue(v.engine) as { v?: unknown; flowIds?: unknown; storeFields?: unknown } | undefined;
  if (!head || typeof head !== 'object' || head.v !== 1 || !Array.isArray(head.flowIds) || !Array.isArray(head.storeFields)) return undefined;
  const store: Record<string, unknown> = {};
  for (const k of head.storeFields) if (typeof k === 'string') store[k] = parsedValue(v[`store:${k}`]);
  const flows = [];
  for (const id of head.flowIds) {
    const f = parsedValue(v[`flow:${id}`]);
    if (f && typeof f === 'object') flows.push(f);
  }
  store.v = 1;
  store.flows = flows;
  const findings = parsedValue(v.findings);
  return { v: 1, store: store as unknown as LegacyEngineState['store'], findings: Array.isArray(findings) ? findings : [] };
}

export async function loadState(area: SessionArea, writer?: SessionWriter): Promise<Saved> {
  let v: Record<string, unknown>;
  try {
    v = (await area.get(null)) ?? {};
  } catch {
    return { har: new HarLog() };
  }
  let har: HarLog;
  try {
    har = HarLog.restore(v);
  } catch {
    har = new HarLog();
  }
  try {
    if (v.engine !== undefined) {
      writer?.dropLegacy(Object.keys(v).filter((k) => LEGACY_KEYS.test(k)));
      return { legacy: legacyFrom(v), har };
    }
    return { entries: v, har };
  } catch {
    return { har };
  }
}
