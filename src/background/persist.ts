/**
 * storage.session persistence of the engine state and the HAR log. The state holds secrets only as
 * fingerprints (the engine redacts when it records them). Bounded: when the serialized state grows
 * past the budget, the oldest part of the HAR log goes first, then the engine prunes its flows.
 *
 * Cheap enough to run after every relevant event (the worker can be stopped at any moment):
 * - each part is stored as one JSON string (storage serialises a string far faster than the same
 *   object graph), under its own key: `engine` (the state without its flows, plus their order),
 *   `flow:<id>` per flow, and `har:<tabId>` per tab;
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

/** The engine part as stored: the state without its flows, which get a key each. */
type StoredEngine = EngineState & { flowIds?: string[] };

function engineParts(engine: EngineState, parts: Map<string, string>): void {
  const texts = engine.store.flows.map((f) => [f.id, JSON.stringify(f)] as const);
  const rest = (e: EngineState, ids: string[]): string => JSON.stringify({ ...e, store: { ...e.store, flows: [] }, flowIds: ids } satisfies StoredEngine);
  let restText = rest(engine, texts.map(([id]) => id));
  let kept = texts;
  if (restText.length + texts.reduce((n, [, t]) => n + t.length, 0) > STATE_BUDGET / 2) {
    kept = texts.slice(-100);
    restText = rest({ ...engine, findings: engine.findings.slice(-1000) }, kept.map(([id]) => id));
  }
  parts.set('engine', restText);
  for (const [id, t] of kept) parts.set(`${FLOW_PREFIX}${id}`, t);
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
    try {
      if (changed) {
        set.savedAt = Date.now();
        await this.area.set(set);
        for (const [k, v] of Object.entries(set)) if (typeof v === 'string') this.written.set(k, v);
      }
      if (gone.length > 0 && this.area.remove) {
        await this.area.remove(gone);
        for (const k of gone) this.written.delete(k);
      }
    } catch (e) {
      // the next save writes everything that differs again
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
    const engine = parsed(v.engine) as StoredEngine | undefined;
    if (engine && typeof engine === 'object' && engine.store && Array.isArray(engine.flowIds)) {
      const flows = [];
      for (const id of engine.flowIds) {
        const f = parsed(v[`${FLOW_PREFIX}${id}`]);
        if (f && typeof f === 'object') flows.push(f);
      }
      engine.store = { ...engine.store, flows: flows as EngineState['store']['flows'] };
      delete engine.flowIds;
    }
    const har: [number, unknown[]][] = [];
    for (const [k, text] of Object.entries(v)) {
      if (!k.startsWith(HAR_PREFIX)) continue;
      const list = parsed(text);
      const tab = Number(k.slice(HAR_PREFIX.length));
      if (Array.isArray(list) && Number.isFinite(tab)) har.push([tab, list]);
    }
    return { engine: engine && typeof engine === 'object' && engine.v === 1 ? engine : undefined, har };
  } catch {
    return {};
  }
}
