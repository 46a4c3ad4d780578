/**
 * CoatCheck as a library (`import { createScanner, scanHar } from 'coatcheck'`): the engine the
 * CLI and the extension run, for a test suite or a tool of your own. Findings come in the JSON
 * report's schema (`coatcheck scan --format json`), so code written against one reads the other.
 *
 * - `createScanner(options)`: feed HAR entries (any order: they are read in time order when you
 *   ask for the report) or observations, one at a time; read `findings`, `report()`, `sarif()`,
 *   `failed`.
 * - `scanHar(pathOrObject, options)`: a whole HAR, from a file path (streamed, as the CLI reads
 *   it: large captures are fine) or from a parsed object.
 *
 * Node ≥ 20. Secrets are redacted in everything returned unless `reveal: true`.
 */
import { allRules, atLeast, Engine, feedHarEntries, type Finding, harWarnings, type JsonFinding, type JsonReport, type Observation, type ReportModel, SEVERITIES, type Severity, toJsonReport, TOOL, toSarif } from '../core';
import { docsBase, scanCommand } from '../companion/scan';
export type { Severity, JsonFinding, JsonReport, Observation } from '../core';

export interface ScanOptions {
  /** run only these rule ids (default: every rule) */
  rules?: readonly string[];
  /** skip these rule ids */
  disable?: readonly string[];
  /** leave out findings below this severity (they do not count for `failOn`); default: info (all) */
  minSeverity?: Severity;
  /** `failed` is true when a finding is at or above this severity; default high, `'none'` never */
  failOn?: Severity | 'none';
  /** codes, tokens, states, nonces and verifiers in full; default false (redacted) */
  reveal?: boolean;
  /** a name for the input in the report (default `'capture'`) */
  name?: string;
}

export interface Scanner {
  /** one HAR 1.2 entry (an object of `log.entries`) */
  pushHarEntry(entry: unknown): void;
  /** one observation (the core's normalized record), pushed to the engine at once */
  pushObservation(o: Observation): void;
  /** the findings so far (HAR entries pushed since the last read are read first), in the JSON report's schema */
  readonly findings: JsonFinding[];
  /** true when a finding is at or above `failOn` */
  readonly failed: boolean;
  /** the JSON report (`coatcheck scan --format json`), finishing the capture */
  report(): JsonReport;
  /** the SARIF 2.1.0 log (`coatcheck scan --format sarif`), finishing the capture */
  sarif(): object;
}

function check(opts: ScanOptions): void {
  const known = new Set(allRules.map((r) => r.meta.id));
  const unknown = [...(opts.rules ?? []), ...(opts.disable ?? [])].filter((id) => !known.has(id));
  if (unknown.length) throw new TypeError(`coatcheck: unknown rule id(s): ${unknown.join(', ')}`);
  for (const [k, v] of [['minSeverity', opts.minSeverity], ['failOn', opts.failOn]] as const) {
    if (v !== undefined && !(SEVERITIES as readonly string[]).includes(v) && !(k === 'failOn' && v === 'none')) throw new TypeError(`coatcheck: ${k} must be one of ${SEVERITIES.join(', ')}${k === 'failOn' ? ' or none' : ''}`);
  }
}

/** A scanner you feed; see the module comment. */
export function createScanner(opts: ScanOptions = {}): Scanner {
  check(opts);
  const engine = new Engine({ redact: !opts.reveal, only: opts.rules ? [...opts.rules] : undefined, disable: opts.disable ? [...opts.disable] : undefined, journal: false });
  const entries: unknown[] = [];
  const untimed: number[] = [];
  const errors: { entry: number; message: string }[] = [];
  let fed = 0;
  let finished = false;
  const minSeverity = opts.minSeverity ?? 'info';
  const failOn = opts.failOn ?? 'high';

  // HAR entries wait until a read: then the batch goes in, in time order (HAR does not promise one)
  const flush = () => {
    if (fed === entries.length) return;
    const batch = entries.slice(fed);
    const s = feedHarEntries(batch, (o) => void engine.push(o), { firstEntry: fed });
    untimed.push(...s.untimed);
    errors.push(...s.errors);
    fed = entries.length;
  };
  const shown = (): Finding[] => {
    flush();
    return engine.findings.filter((f) => atLeast(f.severity, minSeverity));
  };
  const model = (): ReportModel => {
    flush();
    if (!finished) {
      engine.finish();
      finished = true;
    }
    const warnings = harWarnings({ untimed, errors });
    return {
      tool: TOOL,
      inputs: [{ path: opts.name ?? 'capture', entries: entries.length, ...(warnings.length ? { warnings } : {}) }],
      findings: shown(),
      flows: engine.flows(),
      redact: !opts.reveal,
    };
  };
  return {
    pushHarEntry(entry) {
      if (finished) throw new Error('coatcheck: the scanner has finished (report() or sarif() was called); create a new one');
      entries.push(entry);
    },
    pushObservation(o) {
      if (finished) throw new Error('coatcheck: the scanner has finished (report() or sarif() was called); create a new one');
      flush();
      engine.push(o);
    },
    get findings() {
      return toJsonReport({ tool: TOOL, inputs: [], findings: shown(), flows: [], redact: !opts.reveal }).findings;
    },
    get failed() {
      return failOn !== 'none' && shown().some((f) => atLeast(f.severity, failOn));
    },
    report() {
      return toJsonReport(model());
    },
    sarif() {
      return toSarif(model(), { rules: allRules, docsBase: docsBase() });
    },
  };
}

/** The result of `scanHar`: the JSON report, and whether it fails `failOn`. */
export interface ScanResult extends JsonReport {
  failed: boolean;
}

/**
 * Scan a whole HAR: a file path (streamed exactly as `coatcheck scan` reads it) or a parsed HAR
 * object. Throws an Error with the CLI's message when the input cannot be read at all.
 */
export async function scanHar(input: string | { log: { entries: unknown[] } }, opts: ScanOptions = {}): Promise<ScanResult> {
  check(opts);
  const failOn = opts.failOn ?? 'high';
  if (typeof input !== 'string') {
    if (!input || typeof input !== 'object' || !Array.isArray(input.log?.entries)) throw new TypeError('coatcheck: scanHar takes a file path or a HAR object with log.entries');
    const s = createScanner(opts);
    for (const e of input.log.entries) s.pushHarEntry(e);
    const report = s.report();
    return { ...report, failed: s.failed };
  }
  const argv = ['--format', 'json', '--fail-on', failOn];
  if (opts.minSeverity) argv.push('--min-severity', opts.minSeverity);
  if (opts.rules) argv.push('--rules', opts.rules.join(','));
  if (opts.disable) argv.push('--disable', opts.disable.join(','));
  if (opts.reveal) argv.push('--reveal');
  argv.push(input);
  let out = '';
  let err = '';
  const code = await scanCommand(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t), stderrIsTTY: false });
  if (code === 2) throw new Error(err.trim().replace(/^coatcheck scan: /, '') || 'coatcheck: the scan could not run');
  return { ...(JSON.parse(out) as JsonReport), failed: code === 1 };
}
