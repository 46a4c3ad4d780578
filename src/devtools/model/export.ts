/** Panel exports: the CLI's JSON report and SARIF (core/report), and the captured HAR. */
import { allRules, type Finding, type Flow, type ReportModel, toJsonReport, TOOL, toSarif } from '../../core';

export { TOOL };

function model(findings: readonly Finding[], flows: readonly Flow[], source: string, entries: number): ReportModel {
  return { tool: TOOL, inputs: [{ path: source, entries }], findings, flows, redact: true };
}

export function jsonExport(findings: readonly Finding[], flows: readonly Flow[], source: string, entries: number): string {
  return JSON.stringify(toJsonReport(model(findings, flows, source, entries)), null, 2) + '\n';
}

export function sarifExport(findings: readonly Finding[], flows: readonly Flow[], source: string, entries: number, docsBase: string): string {
  return JSON.stringify(toSarif(model(findings, flows, source, entries), { rules: allRules, docsBase }), null, 2) + '\n';
}

/** Background and panel findings together, once each (same rule, message and first evidence). */
export function mergeFindings(...lists: readonly (readonly Finding[])[]): Finding[] {
  const seen = new Set<string>();
  const out: Finding[] = [];
  for (const list of lists) {
    for (const f of list) {
      const e = f.evidence[0];
      const k = `${f.ruleId}|${f.variant ?? ''}|${f.message}|${e?.url ?? ''}|${e?.param ?? ''}`;
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(f);
    }
  }
  return out;
}
