/**
 * The human report: findings grouped by flow (worst flow first), each with its evidence and
 * references, then a one-line summary. ANSI colour only when asked for (a TTY without NO_COLOR).
 */
import type { Flow } from '../flows/flow';
import { redactUrl } from '../util/secret';
import { type Evidence, type Finding, type Severity, SEVERITIES, severityRank, sortFindings } from './finding';
import type { ReportModel } from './json';

export interface TextOptions {
  color: boolean;
}

const SEV_COLOR: Record<Severity, string> = {
  critical: '1;97;41', // bold white on red
  high: '1;31',
  medium: '33',
  low: '36',
  info: '2',
};

function paint(on: boolean, code: string, s: string): string {
  return on ? `\u001b[${code}m${s}\u001b[0m` : s;
}

function where(e: Evidence, m: ReportModel): string {
  const file = e.input !== undefined ? (m.inputs[e.input]?.path ?? `input ${e.input}`) : undefined;
  const name = file === '-' ? '<stdin>' : file;
  if (name !== undefined && e.entry !== undefined) return `${name} entry ${e.entry}`;
  if (e.entry !== undefined) return `entry ${e.entry}`;
  if (e.requestId) return `request ${e.requestId}`;
  return name ?? '';
}

function flowHeader(f: Flow, m: ReportModel, c: boolean): string {
  const bits = [`issuer ${f.as.issuer}`];
  if (f.clientId !== undefined) bits.push(`client_id ${f.clientId}`);
  if (f.redirectUri !== undefined) bits.push(`redirect_uri ${redactUrl(f.redirectUri, { redact: m.redact })}`);
  if (f.parent) bits.push(`brokered by ${f.parent}`);
  return `${paint(c, '1', `Flow ${f.id}`)}  ${bits.join(' · ')}`;
}

function flowSteps(f: Flow, m: ReportModel): string {
  const shown = f.steps.slice(0, 8).map((s) => {
    const at = s.ref.entry !== undefined ? `#${s.ref.entry}${m.inputs.length > 1 && s.ref.input !== undefined ? `@${s.ref.input}` : ''}` : '';
    return `${s.kind}${at ? ` ${at}` : ''}`;
  });
  if (f.steps.length > 8) shown.push(`… ${f.steps.length - 8} more`);
  return shown.join(' → ');
}

/** Redacted values sit percent-encoded in URLs (`ab%E2%80%A6%2312345678`); show them as `ab…#12345678`. */
export function readableUrl(u: string): string {
  return u.replace(/%E2%80%A6%23([0-9a-f]{8})/gi, '…#$1');
}

function findingBlock(f: Finding, m: ReportModel, c: boolean): string[] {
  const sev = paint(c, SEV_COLOR[f.severity], f.severity.toUpperCase());
  const lines = [`  ${sev} ${paint(c, '1', f.ruleId)}${f.variant ? ` (${f.variant})` : ''}  ${f.title}${f.confidence === 'heuristic' ? paint(c, '2', ' [heuristic]') : ''}`];
  for (const l of f.message.split('\n')) lines.push(`    ${l}`);
  if (f.providerTable) lines.push(paint(c, '2', `    basis: from CoatCheck's provider table (${f.providerTable.provider}), checked ${f.providerTable.checked} · coatcheck providers`));
  for (const e of f.evidence) {
    const what = [e.param ? `${e.param}${e.value ? `=${e.value}` : ''}` : undefined, e.note].filter(Boolean).join(': ');
    lines.push(paint(c, '2', `    · ${where(e, m)}${what ? ` ${what}` : ''}  ${readableUrl(e.url)}`));
  }
  if (f.references.length) lines.push(paint(c, '2', `    see ${f.references.join('; ')} · docs/rules/${f.ruleId}.md`));
  return lines;
}

export function toText(m: ReportModel, opts: TextOptions): string {
  const c = opts.color;
  const out: string[] = [];
  const flows = new Map(m.flows.map((f) => [f.id, f]));
  const groups = new Map<string, Finding[]>();
  for (const f of sortFindings([...m.findings])) {
    const k = f.flowId !== null && flows.has(f.flowId) ? f.flowId : '';
    const list = groups.get(k) ?? [];
    list.push(f);
    groups.set(k, list);
  }
  const worst = (list: Finding[]) => Math.max(...list.map((f) => severityRank(f.severity)));
  const order = [...groups.keys()].filter((k) => k !== '').sort((a, b) => worst(groups.get(b)!) - worst(groups.get(a)!));
  for (const id of order) {
    const flow = flows.get(id)!;
    out.push(flowHeader(flow, m, c));
    out.push(paint(c, '2', `  ${flowSteps(flow, m)}`));
    for (const f of groups.get(id)!) out.push(...findingBlock(f, m, c));
    out.push('');
  }
  const loose = groups.get('');
  if (loose) {
    out.push(paint(c, '1', 'Not tied to a flow'));
    for (const f of loose) out.push(...findingBlock(f, m, c));
    out.push('');
  }
  for (const i of m.inputs) for (const w of i.warnings ?? []) out.push(paint(c, '33', `warning: ${i.path === '-' ? '<stdin>' : i.path}: ${w}`));
  out.push(summary(m, c));
  return out.join('\n') + '\n';
}

export function summary(m: ReportModel, c = false): string {
  const counts = SEVERITIES.map((s) => [s, m.findings.filter((f) => f.severity === s).length] as const).filter(([, n]) => n > 0);
  const entries = m.inputs.reduce((n, i) => n + i.entries, 0);
  const files = `${entries} entr${entries === 1 ? 'y' : 'ies'} in ${m.inputs.length} file${m.inputs.length === 1 ? '' : 's'}`;
  const flows = `${m.flows.length} OAuth flow${m.flows.length === 1 ? '' : 's'}`;
  if (m.findings.length === 0) return `${paint(c, '32', 'No findings')} · ${flows} · ${files}`;
  const parts = counts.map(([s, n]) => paint(c, SEV_COLOR[s], `${n} ${s}`));
  return `${m.findings.length} finding${m.findings.length === 1 ? '' : 's'} (${parts.join(', ')}) · ${flows} · ${files}`;
}
