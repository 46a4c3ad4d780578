/**
 * The report model shared by the CLI's text, JSON and SARIF outputs, and the stable JSON report
 * (`companion-cli.md`, "--format json", version 1).
 */
import type { MessageKind } from '../classify/message';
import type { Flow } from '../flows/flow';
import { redactUrl } from '../util/secret';
import { type Evidence, type Finding, type Severity, sortFindings } from './finding';

export const JSON_REPORT_VERSION = 1;

export interface ReportInput {
  /** the path as given on the command line (`-` for standard input) */
  path: string;
  /** number of `log.entries` read */
  entries: number;
  /** number of `log.pages`, when the HAR has them */
  pages?: number;
  /** byte span of each entry that evidence points at (SARIF regions), when known */
  spans?: Map<number, { start: number; end: number }>;
  /** how the input was read, where the user should know (entries without a parseable time, …) */
  warnings?: string[];
}

export interface ReportModel {
  tool: { name: string; version: string };
  inputs: ReportInput[];
  findings: readonly Finding[];
  /** flows to describe (typically every flow that a finding points at, plus the rest still open) */
  flows: readonly Flow[];
  /** whether secrets are redacted (redirect URIs in flows are redacted here too) */
  redact: boolean;
}

export interface JsonFinding {
  ruleId: string;
  severity: Severity;
  confidence: Finding['confidence'];
  title: string;
  message: string;
  references: string[];
  flowId: string | null;
  evidence: Evidence[];
  variant?: string;
  /** the verdict rests on CoatCheck's provider table, row checked on this date */
  providerTable?: { provider: string; checked: string };
}

export interface JsonFlow {
  id: string;
  issuer: string;
  clientId?: string;
  redirectUri?: string;
  parent?: string;
  steps: { input?: number; entry?: number; kind: MessageKind }[];
}

export interface JsonReport {
  version: number;
  tool: { name: string; version: string };
  inputs: { path: string; entries: number; pages?: number; warnings?: string[] }[];
  /** what the reading of the inputs warns about (skipped entries, entries without a time), one per warning; present when there is one */
  notifications?: { level: 'warning'; input: number; path: string; message: string }[];
  findings: JsonFinding[];
  flows: JsonFlow[];
}

export function jsonFinding(f: Finding): JsonFinding {
  return {
    ruleId: f.ruleId,
    severity: f.severity,
    confidence: f.confidence,
    title: f.title,
    message: f.message,
    references: [...f.references],
    flowId: f.flowId,
    evidence: f.evidence.map((e) => ({ ...e })),
    ...(f.variant ? { variant: f.variant } : {}),
    ...(f.providerTable ? { providerTable: { ...f.providerTable } } : {}),
  };
}

export function jsonFlow(flow: Flow, redact: boolean): JsonFlow {
  return {
    id: flow.id,
    issuer: flow.as.issuer,
    ...(flow.clientId !== undefined ? { clientId: flow.clientId } : {}),
    ...(flow.redirectUri !== undefined ? { redirectUri: redactUrl(flow.redirectUri, { redact }) } : {}),
    ...(flow.parent ? { parent: flow.parent } : {}),
    steps: flow.steps.map((s) => ({ ...(s.ref.input !== undefined ? { input: s.ref.input } : {}), ...(s.ref.entry !== undefined ? { entry: s.ref.entry } : {}), kind: s.kind })),
  };
}

/** Flows in a stable order: by first step (input, entry), then id. */
export function orderFlows(flows: readonly Flow[]): Flow[] {
  const key = (f: Flow) => f.steps[0]?.ref ?? {};
  return [...flows].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return (ka.input ?? 0) - (kb.input ?? 0) || (ka.entry ?? 0) - (kb.entry ?? 0) || a.t0 - b.t0 || a.id.localeCompare(b.id);
  });
}

export function toJsonReport(m: ReportModel): JsonReport {
  const notifications = m.inputs.flatMap((i, input) => (i.warnings ?? []).map((message) => ({ level: 'warning' as const, input, path: i.path, message })));
  return {
    version: JSON_REPORT_VERSION,
    tool: { name: m.tool.name, version: m.tool.version },
    inputs: m.inputs.map((i) => ({ path: i.path, entries: i.entries, ...(i.pages !== undefined ? { pages: i.pages } : {}), ...(i.warnings?.length ? { warnings: [...i.warnings] } : {}) })),
    ...(notifications.length ? { notifications } : {}),
    findings: sortFindings([...m.findings]).map(jsonFinding),
    flows: orderFlows(m.flows).map((f) => jsonFlow(f, m.redact)),
  };
}

/** What `--format json` prints (alone) when the run could not complete (exit code 2). */
export function jsonError(message: string): { error: { message: string } } {
  return { error: { message } };
}
