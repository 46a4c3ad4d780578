/**
 * What the panel captured itself: HAR entries from `devtools.network` (or an imported HAR file),
 * converted with the core's `observationFromHarEntry` and fed to a panel-local `Engine`, so that
 * the bodies only DevTools sees (SPA token responses, metadata, JWKS) reach the token, metadata
 * and refresh rules. Raw values stay in memory here; everything shown goes through redaction.
 */
import { Engine, feedHarEntries, type Finding, type Flow, type HarFeedSummary, harWarnings, type OAuthMessage, type Observation, observationFromHarEntry, VERSION } from '../../core';

export interface CapturedStep {
  obs: Observation;
  msg: OAuthMessage;
  /** index into `entries` */
  entry: number;
  /** the flow the engine attached the message to */
  flowId?: string;
}

export interface HarLike {
  log?: { entries?: unknown[]; pages?: unknown[] };
}

export const MAX_ENTRIES = 20_000;

export class Capture {
  engine: Engine;
  readonly steps: CapturedStep[] = [];
  /** the raw HAR entries, for export (bodies included) */
  readonly entries: unknown[] = [];
  readonly errors: string[] = [];
  /** how an imported HAR was read (entries without a parseable time, …) */
  readonly warnings: string[] = [];
  readonly input: number;
  private readonly context?: string;

  constructor(opts: { input?: number; context?: string } = {}) {
    this.engine = this.newEngine();
    this.input = opts.input ?? 0;
    this.context = opts.context;
  }

  /**
   * The steps are the messages the engine processed, as it classified them, with the flow it
   * attached each to (a fragment response carried from a redirect's Location included:
   * core/observe/fragments.ts): the panel neither classifies nor correlates by itself.
   */
  private newEngine(): Engine {
    return new Engine({
      redact: true,
      journal: false,
      onMessage: (msg, flowId) => {
        if (msg.kind !== 'other' || hasTokenish(msg.obs)) this.steps.push({ obs: msg.obs, msg, entry: msg.obs.ref.entry ?? -1, ...(flowId ? { flowId } : {}) });
      },
    });
  }

  /** Add one HAR entry (DevTools' onRequestFinished entry with its body filled in). Never throws. */
  addEntry(entry: unknown): Finding[] {
    if (this.entries.length >= MAX_ENTRIES) return [];
    const index = this.entries.length;
    this.entries.push(entry);
    let obs: Observation;
    try {
      obs = observationFromHarEntry(entry, { input: this.input, entry: index });
    } catch (e) {
      this.errors.push(e instanceof Error ? e.message : String(e));
      return [];
    }
    if (this.context) obs = { ...obs, context: this.context };
    return this.addObservation(obs);
  }

  /** Add a whole imported HAR's entries, read in time order (har-feed.ts). */
  addEntries(entries: readonly unknown[]): HarFeedSummary {
    const room = Math.max(0, MAX_ENTRIES - this.entries.length);
    const list = entries.slice(0, room);
    const base = this.entries.length;
    this.entries.push(...list);
    const summary = feedHarEntries(
      list,
      (o) => void this.addObservation(this.context ? { ...o, context: this.context } : o),
      { input: this.input, firstEntry: base },
    );
    for (const e of summary.errors) this.errors.push(e.message);
    return summary;
  }

  addObservation(obs: Observation): Finding[] {
    return this.engine.push(obs);
  }

  /** End of an imported capture: the rules' finish passes. */
  finish(): Finding[] {
    return this.engine.finish();
  }

  get findings(): readonly Finding[] {
    return this.engine.findings;
  }

  flows(): Flow[] {
    return this.engine.flows();
  }

  stepByObsId(id: string): CapturedStep | undefined {
    return this.steps.find((s) => s.obs.id === id);
  }

  clear(): void {
    this.engine = this.newEngine();
    this.steps.length = 0;
    this.entries.length = 0;
    this.errors.length = 0;
    this.warnings.length = 0;
  }
}

const BODY_TYPES = /json|jwt|jose|x-www-form-urlencoded/i;
const MAX_BODY = 2_000_000;

/**
 * Whether the panel should ask DevTools for a response body: JSON (token, PAR, metadata, JWKS
 * responses), JWT/JOSE bodies, form-encoded replies; never scripts, images, fonts or styles, so a
 * long session does not hold the page's whole payload in memory.
 */
export function wantsBody(entry: unknown): boolean {
  const e = entry as { response?: { content?: { mimeType?: string; size?: number }; bodySize?: number }; _resourceType?: string } | null;
  const type = (e?._resourceType ?? '').toLowerCase();
  if (['image', 'font', 'stylesheet', 'script', 'media', 'manifest', 'texttrack', 'websocket'].includes(type)) return false;
  const mime = e?.response?.content?.mimeType ?? '';
  const size = e?.response?.content?.size ?? e?.response?.bodySize ?? 0;
  if (size > MAX_BODY) return false;
  return BODY_TYPES.test(mime) || (/^text\/plain/i.test(mime) && size < 65536);
}

/** Non-OAuth traffic still worth a row: a bearer JWT or a JWT in a JSON body. */
function hasTokenish(o: Observation): boolean {
  const auth = o.requestHeaders.find((h) => h.name.toLowerCase() === 'authorization')?.value ?? '';
  if (/^(bearer|dpop)\s+eyJ/i.test(auth)) return true;
  return o.requestHeaders.some((h) => h.name.toLowerCase() === 'dpop' && h.value.startsWith('eyJ'));
}

/** Parse a HAR file's text into its entries; errors as a message naming what is wrong. */
export function harEntries(text: string): { entries: unknown[] } | { error: string } {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    return { error: `not JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  const entries = (j as HarLike)?.log?.entries;
  if (!Array.isArray(entries)) return { error: 'not a HAR file: log.entries is missing' };
  return { entries };
}

/** Feed a whole HAR into a fresh capture (offline analysis of an imported file). */
export function analyseHar(text: string): { capture: Capture } | { error: string } {
  const r = harEntries(text);
  if ('error' in r) return r;
  // time order, and the authorization responses only a redirect's Location holds, as `coatcheck
  // scan` reads them (core/observe/har-feed.ts): the same HAR gives the same findings everywhere
  const c = new Capture();
  const summary = c.addEntries(r.entries);
  c.finish();
  // the skipped entries are in c.errors already
  c.warnings.push(...harWarnings({ untimed: summary.untimed }));
  return { capture: c };
}

/** A HAR 1.2 document of what was captured (bodies as captured: it contains secrets). */
export function exportHar(entries: readonly unknown[], version = VERSION): object {
  return { log: { version: '1.2', creator: { name: 'CoatCheck DevTools panel', version }, pages: [], entries: [...entries] } };
}
