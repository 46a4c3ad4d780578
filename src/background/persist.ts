/**
 * storage.session persistence of the engine state and the HAR log. The state holds secrets only as
 * fingerprints (the engine redacts when it records them). Bounded: when the serialized state grows
 * past the budget, the oldest part of the HAR log goes first, then the engine prunes its flows.
 */
import type { EngineState } from '../core/engine';

export interface SessionArea {
  get(keys: string | string[] | null): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
}

/** Chrome's storage.session quota is 10 MB; stay well under it. */
export const STATE_BUDGET = 4_000_000;

export async function saveState(area: SessionArea, engine: EngineState, har: [number, unknown[]][]): Promise<void> {
  let harPart = har;
  let text = JSON.stringify(harPart);
  while (text.length > STATE_BUDGET / 2 && harPart.some(([, l]) => l.length > 0)) {
    harPart = harPart.map(([k, l]) => [k, l.slice(Math.ceil(l.length / 4))] as [number, unknown[]]);
    text = JSON.stringify(harPart);
  }
  let state = engine;
  if (JSON.stringify(state).length > STATE_BUDGET / 2) {
    state = { ...state, findings: state.findings.slice(-1000), store: { ...state.store, flows: state.store.flows.slice(-100) } };
  }
  try {
    await area.set({ engine: state, har: harPart, savedAt: Date.now() });
  } catch (e) {
    console.warn('coatcheck: could not persist state', e);
  }
}

export async function loadState(area: SessionArea): Promise<{ engine?: EngineState; har?: unknown }> {
  try {
    const v = await area.get(['engine', 'har']);
    const engine = v.engine as EngineState | undefined;
    return { engine: engine && engine.v === 1 ? engine : undefined, har: v.har };
  } catch {
    return {};
  }
}
