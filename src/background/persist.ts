/**
 * storage.session persistence of the engine state and the HAR log. The state holds secrets only as
 * fingerprints (the engine redacts when it records them). Bounded: when the serialized state grows
 * past the budget, the oldest part of the HAR log goes first, then the engine prunes its flows.
 *
 * Cheap enough to run after every relevant event (the worker can be stopped at any moment):
 * - each part is stored as one JSON string (storage serialises a string far faster than the same
 *   object graph), under its own key: the engine state split by field (`engine`, `findings`,
 *   `store:<field>`, `flow:<id>` per flow) and the HAR log by tab (`har:<tabId>`);
 * - a part is written only when its text changed since the last write (so a save costs what
 *   changed, not what the session holds: an event touches one or two flows of dozens), and a tab's
 *   HAR text is only rebuilt when the tab logged something (HarLog keeps the text until then).
 */
import type { EngineState } from '../core/engine';
import type { HarLog } from './har-log';

export interface SessionArea {
  get(keys: string | string[] | null): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove?(keys: string | string[]): Promise<void>;
}

/** Chrome's storage.session quota is 10 MB; stay well under it. */
export const STATE_BUDGET = 4_000_000;
const HAR_PREFIX = 'har:';
const FLOW_PREFIX = 'flow:';

/**
 * The engine state as stored: `engine` holds the version and the flows' order, `findings` the
 * findings, `store:<field>` each other field of the flow store (hops, codes, … : most events change
 * one or two of them), and `flow:<id>` each flow.
 */
interface StoredEngine {
  v: 1;
  flowIds: string[];
  storeFields: string[];
}
const STORE_PREFIX = 'store:';

function engineParts(engine: EngineState, parts: Map<string, string>): void {
  let flows = engine.store.flows.map((f) => [f.id, JSON.stringify(f)] as const);
  let findings = JSON.stringify(engine.findings);
  // fields without a value (undefined) are left out: JSON has no text for them, and they restore as absent
  const fields = Object.entries(engine.store).filter(([k, v]) => k !== 'flows' && v !== undefined);
  const fieldTexts = fields.map(([k, v]) => [k, JSON.stringify(v)] as const);
  const size = () => flows.reduce((n, [, t]) => n + t.length, 0) + findings.length + fieldTexts.reduce((n, [, t]) => n + t.length, 0);
  if (size() > STATE_BUDGET / 2) {
    flows = flows.slice(-100);
    findings = JSON.stringify(engine.findings.slice(-1000));
  }
  parts.set('engine', JSON.stringify({ v: engine.v, flowIds: flows.map(([id]) => id), storeFields: fieldTexts.map(([k]) => k) } satisfies StoredEngine));
  parts.set('findings', findings);
  for (const [k, t] of fieldTexts) parts.set(`${STORE_PREFIX}${k}`, t);
  for (const [id, t] of flows) parts.set(`${FLOW_PREFIX}${id}`, t);
}

function engineFrom(v: Record<string, unknown>): EngineState | undefined {
  const head = parsed(v.engine) as StoredEngine | undefined;
  if (!head || typeof head !== 'object' || head.v !== 1 || !Array.isArray(head.flowIds) || !Array.isArray(head.storeFields)) return undefined;
  const store: Record<string, unknown> = {};
  for (const k of head.storeFields) if (typeof k === 'string') store[k] = parsed(v[`${STORE_PREFIX}${k}`]);
  const flows = [];
  for (const id of head.flowIds) {
    const f = parsed(v[`${FLOW_PREFIX}${id}`]);
    if (f && typeof f === 'object') flows.push(f);
  }
  store.flows = flows;
  const findings = parsed(v.findings);
  return { v: 1, store: store as unknown as EngineState['store'], findings: Array.isArray(findings) ? findings : [] };
}

/** The HAR part, per tab: while the whole is over its half of the budget, every tab drops its oldest quarter. */
function harTexts(har: HarLog): Map<number, string> {
  const texts = new Map<number, string>();
  let total = 0;
  for (const tab of har.tabs.keys()) {
    const t = har.textOf(tab);
    texts.set(tab, t);
    total += t.length;
  }
  if (total <= STATE_BUDGET / 2) return texts;
  let lists = [...har.tabs.entries()];
  while (total > STATE_BUDGET / 2 && lists.some(([, l]) => l.length > 0)) {
    lists = lists.map(([k, l]) => [k, l.slice(Math.ceil(l.length / 4))]);
    total = 0;
    for (const [k, l] of lists) {
      const t = JSON.stringify(l);
      texts.set(k, t);
      total += t.length;
    }
  }
  return texts;
}

export class SessionWriter {
  /** key → the text last written under it */
  private written = new Map<string, string>();
  constructor(private readonly area: SessionArea) {}

  /** Forget what was written (after the area was cleared). */
  reset(): void {
    this.written.clear();
  }

  async save(engine: EngineState, har: HarLog): Promise<void> {
    const parts = new Map<string, string>();
    engineParts(engine, parts);
    for (const [tab, text] of harTexts(har)) parts.set(`${HAR_PREFIX}${tab}`, text);
    const set: Record<string, unknown> = {};
    let changed = false;
    for (const [k, text] of parts) {
      if (this.written.get(k) === text) continue;
      set[k] = text;
      changed = true;
    }
    const gone = [...this.written.keys()].filter((k) => !parts.has(k));
    // The writes are handed to the browser before the first await, in the same task as the event
    // that changed the state: once dispatched, the browser completes them even if the worker is
    // stopped the next moment, and saves dispatched one after another land in that order. So what
    // was written is recorded now, and taken back if the write fails (the next save writes it again).
    const pending: Promise<void>[] = [];
    const mark = new Map<string, string | undefined>();
    if (changed) {
      set.savedAt = Date.now();
      for (const [k, v] of Object.entries(set)) {
        if (typeof v !== 'string') continue;
        mark.set(k, this.written.get(k));
        this.written.set(k, v);
      }
      pending.push(this.area.set(set));
    }
    if (gone.length > 0 && this.area.remove) {
      for (const k of gone) {
        mark.set(k, this.written.get(k));
        this.written.delete(k);
      }
      pending.push(this.area.remove(gone));
    }
    try {
      await Promise.all(pending);
    } catch (e) {
      for (const [k, before] of mark) {
        if (before === undefined) this.written.delete(k);
        else this.written.set(k, before);
      }
      console.warn('coatcheck: could not persist state', e);
    }
  }
}

/** One-off save (tests, tools): everything, as the writer stores it. */
export async function saveState(area: SessionArea, engine: EngineState, har: HarLog): Promise<void> {
  await new SessionWriter(area).save(engine, har);
}

function parsed(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return undefined;
  }
}

export async function loadState(area: SessionArea): Promise<{ engine?: EngineState; har?: [number, unknown[]][] }> {
  try {
    const v = await area.get(null);
    const engine = engineFrom(v);
    const har: [number, unknown[]][] = [];
    for (const [k, text] of Object.entries(v)) {
      if (!k.startsWith(HAR_PREFIX)) continue;
      const list = parsed(text);
      const tab = Number(k.slice(HAR_PREFIX.length));
      if (Array.isArray(list) && Number.isFinite(tab)) har.push([tab, list]);
    }
    return { engine, har };
  } catch {
    return {};
  }
}
