/**
 * `coatcheck scan [options] <file.har>...`: stream HAR files through the core engine and report
 * (text, JSON or SARIF). Exit 0 / 1 / 2 as ESLint and Semgrep (companion-cli.md).
 */
import { Engine, TOOL, isCoreError, type Flow, observationFromHarEntry, HarFeed, HeaderPool, harWarnings, CaptureCoverage, OrderCheck, slimObservation, timeOrder, type Observation, atLeast, type Finding, SEVERITIES, type Severity, jsonError, type ReportInput, type ReportModel, toJsonReport, toSarif, toText, diagramFetchOf, type DiagramFetch, allRules } from '../core';
export { TOOL, VERSION } from '../core';
import { writeFile } from 'node:fs/promises';
import { resolveLeanBody } from './har-lean';
import { HarReadError, HarReader, type HarReadSummary } from './har-stream';
import { argTokens } from './io';
import { docsBase, htmlReport, MAX_FETCHES } from './scan-html';
import { defaultOpen, defaultSize, describeIoError, fmtBytes, SpanKeeper } from './scan-input';

export { docsBase } from './scan-html';
export { fileChunks } from './scan-input';


/** Chrome refuses URLs above 2 MiB; a HAR entry with a longer one is not a real capture. */
export const MAX_URL_BYTES = 2 * 1024 * 1024;
const MAX_KEPT_FLOWS = 10000;

export const SCAN_HELP = `Usage: coatcheck scan [options] <file.har>...   (- reads standard input)

Read HAR 1.2 captures, rebuild the OAuth flows and run every detector.

Options:
  --format text|json|sarif|html
                             report format (default text); html is one self-contained page
                             (no script, no network) with the findings, their fixes and a
                             sequence diagram of every flow: use it with --output report.html
  --fail-on LEVEL            exit 1 when a reported finding is at or above LEVEL:
                             critical|high|medium|low|info|none (default high)
  --min-severity LEVEL       hide findings below LEVEL (they do not count for --fail-on)
  --rules id,id              run only these rules
  --disable id,id            skip these rules
  --output FILE, -o FILE     write the report to FILE instead of standard output
  --reveal                   show codes, tokens, states, nonces, verifiers and assertions in
                             full (default: redacted to a short prefix and a hash)
  -h, --help                 this help

Exit codes: 0 no finding at or above --fail-on, 1 at least one, 2 could not run.
`;

export interface ScanIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** standard output is a terminal */
  isTTY?: boolean;
  /** colour the text report (a TTY without NO_COLOR) */
  color?: boolean;
  /** standard error is a terminal (progress display); default: process.stderr.isTTY */
  stderrIsTTY?: boolean;
  /** open an input as a byte stream; default: node:fs (and process.stdin for `-`) */
  openInput?(path: string): AsyncIterable<Uint8Array>;
  /** size of an input in bytes, when known (progress) */
  inputSize?(path: string): number | undefined;
  writeFile?(path: string, text: string): Promise<void>;
}

type Format = 'text' | 'json' | 'sarif' | 'html';

interface ScanArgs {
  format: Format;
  failOn: Severity | 'none';
  minSeverity: Severity;
  only?: string[];
  disable: string[];
  output?: string;
  reveal: boolean;
  help: boolean;
  files: string[];
}

class UsageError extends Error {}

const LEVELS = [...SEVERITIES] as string[];

function list(v: string): string[] {
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function parseScanArgs(argv: string[]): ScanArgs {
  const a: ScanArgs = { format: 'text', failOn: 'high', minSeverity: 'info', disable: [], reveal: false, help: false, files: [] };
  const known = new Set(allRules.map((r) => r.meta.id));
  const checkIds = (ids: string[], opt: string) => {
    for (const id of ids) if (!known.has(id)) throw new UsageError(`${opt}: unknown rule id '${id}'`);
    return ids;
  };
  for (const { arg, name, option, inline, value } of argTokens(argv, (m) => new UsageError(m))) {
    if (!option) {
      a.files.push(arg);
      continue;
    }
    switch (name) {
      case '--format': {
        const v = value();
        if (v !== 'text' && v !== 'json' && v !== 'sarif' && v !== 'html') throw new UsageError(`--format must be text, json, sarif or html (got '${v}')`);
        a.format = v;
        break;
      }
      case '--fail-on': {
        const v = value();
        if (v !== 'none' && !LEVELS.includes(v)) throw new UsageError(`--fail-on must be one of ${LEVELS.join(', ')}, none (got '${v}')`);
        a.failOn = v as Severity | 'none';
        break;
      }
      case '--min-severity': {
        const v = value();
        if (!LEVELS.includes(v)) throw new UsageError(`--min-severity must be one of ${LEVELS.join(', ')} (got '${v}')`);
        a.minSeverity = v as Severity;
        break;
      }
      case '--rules':
        a.only = [...(a.only ?? []), ...checkIds(list(value()), '--rules')];
        break;
      case '--disable':
        a.disable.push(...checkIds(list(value()), '--disable'));
        break;
      case '--output':
      case '-o':
        a.output = value();
        break;
      case '--reveal':
        if (inline !== undefined) throw new UsageError('--reveal takes no value');
        a.reveal = true;
        break;
      case '--help':
      case '-h':
        a.help = true;
        break;
      default:
        throw new UsageError(`unknown option '${name}'`);
    }
  }
  return a;
}

/** Thrown out of the reader when an entry is earlier than one already processed. */
const OUT_OF_ORDER = Symbol('out of time order');

/** What a sorted read of an input keeps: compact observations (no bodies the core never reads). */
interface SortedInput {
  kept: Observation[];
  spans: SpanKeeper;
  summary: HarReadSummary;
  untimed: number[];
  skipped: { entry: number; message: string }[];
}


export async function scanCommand(argv: string[], io: ScanIO): Promise<number> {
  let args: ScanArgs;
  const wantsJson = argv.some((v, i) => v === '--format=json' || (v === '--format' && argv[i + 1] === 'json'));
  const fail = (message: string, hint = false): number => {
    io.stderr(`coatcheck scan: ${message}\n${hint ? "Run 'coatcheck scan --help' for usage.\n" : ''}`);
    if (wantsJson) io.stdout(`${JSON.stringify(jsonError(message))}\n`);
    return 2;
  };
  try {
    args = parseScanArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) return fail(e.message, true);
    throw e;
  }
  if (args.help) {
    io.stdout(SCAN_HELP);
    return 0;
  }
  if (args.files.length === 0) return fail('no input: give one or more HAR files, or - for standard input', true);
  if (args.files.filter((f) => f === '-').length > 1) return fail('standard input (-) can be read only once', true);

  const newEngine = () => new Engine({ redact: !args.reveal, only: args.only, disable: args.disable, journal: false });
  let engine = newEngine();
  let flowsSeen = new Map<string, Flow>();
  // metadata / JWKS fetches and token requests, for the HTML report's diagrams only
  let fetches: DiagramFetch[] = [];
  const noteFetch = args.format === 'html' ? (o: Observation) => {
    const f = fetches.length < MAX_FETCHES ? diagramFetchOf(o, { redact: !args.reveal }) : undefined;
    if (f) fetches.push(f);
  } : undefined;
  let inputs: ReportInput[] = [];
  const bodyPolicy = { anyJson: args.format === 'html' };
  const open = io.openInput ?? defaultOpen;
  const sizeOf = io.inputSize ?? (io.openInput ? () => undefined : defaultSize);
  const progress = io.stderrIsTTY ?? Boolean(process.stderr.isTTY);

  const noteFindings = (found: Finding[], spans: SpanKeeper, input: number) => {
    // flows the store may expire before the end stay described in the report, within the findings cap
    if (found.length > 0 && flowsSeen.size > MAX_KEPT_FLOWS) {
      const live = new Set(engine.findings.map((f) => f.flowId));
      for (const id of flowsSeen.keys()) if (!live.has(id)) flowsSeen.delete(id);
    }
    for (const f of found) {
      if (f.flowId !== null) {
        const flow = engine.store.flows.get(f.flowId);
        if (flow) flowsSeen.set(flow.id, flow);
      }
      for (const e of f.evidence) if (e.entry !== undefined && (e.input ?? input) === input) spans.keep(e.entry);
    }
  };

  /**
   * Entries are processed in startedDateTime order (har-feed.ts). A capture in order streams
   * straight into the engine at no extra cost. At its first entry earlier than one already
   * processed, the scan starts again and reads that input sorted: compact observations (bodies the
   * core never reads dropped), sorted, then fed. Standard input cannot be read twice: it is always
   * read that way, and kept for a restart.
   */
  const sortedInputs = new Set<number>();
  const stdinCache = new Map<number, SortedInput>();

  const readInput = async (input: number, path: string): Promise<string | typeof OUT_OF_ORDER | undefined> => {
    const name = path === '-' ? 'standard input' : path;
    const sorted = sortedInputs.has(input) || path === '-';
    const cached = stdinCache.get(input);
    const spans = cached?.spans ?? new SpanKeeper(sorted ? Number.POSITIVE_INFINITY : undefined);
    // what the capture shows of the fields some rules need (a sanitized export: no cookies)
    const coverage = new CaptureCoverage();
    const oauthBefore = engine.oauthMessages;
    const feed = new HarFeed((o) => {
      noteFetch?.(o);
      coverage.note(o);
      noteFindings(engine.push(o), spans, input);
    });
    const check = new OrderCheck();
    const kept: Observation[] = [];
    const pool = sorted ? new HeaderPool() : undefined;
    const untimed: number[] = [];
    const skipped: { entry: number; message: string }[] = [];
    let summary = cached?.summary;
    if (!cached) {
      const total = sizeOf(path);
      let lastDraw = 0;
      const draw = (bytes: number, entries: number, final = false) => {
        if (!progress) return;
        const now = Date.now();
        if (!final && now - lastDraw < 100) return;
        lastDraw = now;
        const pct = total ? ` (${Math.floor((bytes / total) * 100)}%)` : '';
        io.stderr(final ? '\r\u001b[K' : `\r\u001b[Kscanning ${name}: ${fmtBytes(bytes)}${total ? ` of ${fmtBytes(total)}` : ''}${pct} · ${entries} entries${sortedInputs.has(input) ? ' (out of time order: reading it sorted)' : ''}`);
      };
      const reader = new HarReader({
        onEntry: (entry, index, span, bodies) => {
          spans.add(index, span);
          // the response body only when a rule may read it (har-lean.ts)
          resolveLeanBody(entry, bodies, bodyPolicy);
          // one unusable entry does not sink the capture: it is skipped and named in the
          // warnings (stderr, the JSON report's inputs[].warnings, SARIF's notifications)
          let obs;
          try {
            obs = observationFromHarEntry(entry, { input, entry: index });
          } catch (e) {
            if (!isCoreError(e)) throw e;
            skipped.push({ entry: index, message: `${e.message.replace(/^entry \d+: /, '').replace(/^\(entry\): /, 'not a HAR entry: ')} (bytes ${span.start}–${span.end})` });
            return;
          }
          if (obs.url.length > MAX_URL_BYTES || (obs.location?.length ?? 0) > MAX_URL_BYTES) {
            const which = obs.url.length > MAX_URL_BYTES ? 'request.url' : 'the redirect URL';
            const len = Math.max(obs.url.length, obs.location?.length ?? 0);
            skipped.push({ entry: index, message: `${which} is ${fmtBytes(len)} long, over the 2 MiB URL limit browsers enforce (bytes ${span.start}–${span.end})` });
            return;
          }
          if (obs.timeUnknown) untimed.push(index);
          if (sorted) kept.push(slimObservation(obs, pool));
          else if (check.inOrder(obs)) feed.push(obs);
          else throw OUT_OF_ORDER;
        },
      }, { lean: true });
      try {
        for await (const chunk of open(path)) {
          reader.write(chunk);
          draw(reader.bytesRead, reader.entries);
        }
        summary = reader.end();
      } catch (e) {
        draw(0, 0, true);
        if (e === OUT_OF_ORDER) return OUT_OF_ORDER;
        if (e instanceof HarReadError) return `${name}: ${e.message}`;
        if (isCoreError(e)) return `${name}: ${e.message}`;
        if ((e as { code?: string })?.code) return describeIoError(path, e);
        return `${name}: ${e instanceof Error ? e.message : String(e)}`;
      }
      draw(0, 0, true);
      if (path === '-') stdinCache.set(input, { kept, spans, summary, untimed, skipped });
    }
    const list = cached?.kept ?? kept;
    if (sorted) {
      const order = timeOrder(list.map((o) => (o.timeUnknown ? undefined : o.time)));
      for (let k = 0; k < list.length; k++) feed.push(list[order ? order[k] : k]);
    }
    feed.end();
    const warnings = [...harWarnings({ untimed: cached?.untimed ?? untimed, errors: cached?.skipped ?? skipped }), ...coverage.warnings(engine.oauthMessages - oauthBefore)];
    inputs.push({ path, entries: summary!.entries, ...(summary!.pages ? { pages: summary!.pages.length } : {}), spans: spans.kept, ...(warnings.length ? { warnings } : {}) });
    return undefined;
  };

  for (let input = 0; input < args.files.length; input++) {
    const r = await readInput(input, args.files[input]);
    if (r === OUT_OF_ORDER) {
      // start again: a fresh engine, this input read sorted (the earlier ones are in order)
      sortedInputs.add(input);
      engine = newEngine();
      flowsSeen = new Map();
      fetches = [];
      inputs = [];
      input = -1;
      continue;
    }
    if (r !== undefined) return fail(r);
  }
  const lastInput = inputs.length - 1;
  const finished = engine.finish();
  noteFindings(finished, new SpanKeeper(1), lastInput);

  const shown = engine.findings.filter((f) => atLeast(f.severity, args.minSeverity));
  for (const f of engine.flows()) flowsSeen.set(f.id, f);
  const model: ReportModel = { tool: TOOL, inputs, findings: shown, flows: [...flowsSeen.values()], redact: !args.reveal };

  let text: string;
  if (args.format === 'json') text = `${JSON.stringify(toJsonReport(model), null, 2)}\n`;
  else if (args.format === 'sarif') text = `${JSON.stringify(toSarif(model, { rules: allRules, docsBase: docsBase() }), null, 2)}\n`;
  else if (args.format === 'html') text = htmlReport(model, engine, fetches);
  else text = toText(model, { color: !args.output && Boolean(io.color) });

  if (args.format !== 'text' || args.output) for (const i of inputs) for (const w of i.warnings ?? []) io.stderr(`coatcheck scan: warning: ${i.path === '-' ? 'standard input' : i.path}: ${w}\n`);
  if (engine.errors.length > 0) {
    const first = engine.errors[0];
    io.stderr(`coatcheck scan: warning: ${engine.errors.length} internal rule error(s); results may be incomplete (first: ${first.ruleId} on ${first.obsId}: ${first.message})\n`);
  }
  if (args.output) {
    try {
      await (io.writeFile ?? ((p, t) => writeFile(p, t, 'utf8')))(args.output, text);
    } catch (e) {
      return fail(`cannot write ${args.output}: ${describeIoError(args.output, e).replace(/^[^:]*: /, '')}`);
    }
  } else io.stdout(text);

  if (args.failOn === 'none') return 0;
  return shown.some((f) => atLeast(f.severity, args.failOn as Severity)) ? 1 : 0;
}
