/** One finding: severity, title, one line of evidence, references, doc link, the flow's path. */
import { useState } from 'preact/hooks';
import type { Diagram, Finding, Flow } from '../core';
import { DiagramView } from './Diagram';
import { TableBasis } from './TableBasis';

export function flowPath(flow: Flow | undefined): string {
  if (!flow) return '';
  const hosts: string[] = [];
  const host = (u: string | undefined) => {
    try {
      return u ? new URL(u).host : undefined;
    } catch {
      return undefined;
    }
  };
  for (const r of flow.requests) {
    const h = host(r.as.origin);
    if (h && hosts[hosts.length - 1] !== h) hosts.push(h);
  }
  const cb = flow.responses[0]?.base ?? flow.redirectUri;
  if (cb) {
    try {
      const u = new URL(cb);
      hosts.push(`${u.host}${u.pathname}`);
    } catch {
      /* ignore */
    }
  }
  return hosts.join(' → ');
}

export function evidenceLine(f: Finding): string {
  const e = f.evidence[f.evidence.length - 1] ?? f.evidence[0];
  if (!e) return '';
  // redacted values are percent-encoded inside URLs ("abcd%E2%80%A6%23…"): show them as "abcd…#…"
  const url = e.url.replace(/%E2%80%A6%23/gi, '…#');
  return [e.note, e.param ? `[${e.param}]` : '', url].filter(Boolean).join(' ');
}

/** The diagram (of the flows drawn) that shows this finding's flow. */
export function diagramFor(finding: Finding, diagrams: readonly Diagram[]): Diagram | undefined {
  if (!finding.flowId) return undefined;
  return diagrams.find((d) => d.flowId === finding.flowId) ?? diagrams.find((d) => d.arrows.some((a) => a.flowId === finding.flowId));
}

export function FindingCard({ finding, flow, docHref, diagram }: { finding: Finding; flow?: Flow; docHref: string; diagram?: Diagram }) {
  const path = flowPath(flow);
  const evidence = evidenceLine(finding);
  // one line (two at most) until the user asks for the whole of it
  const [open, setOpen] = useState(false);
  return (
    <li class={`finding sev-${finding.severity}`} data-rule-id={finding.ruleId} data-severity={finding.severity}>
      <div class="head">
        <span class={`sev sev-${finding.severity}`}>{finding.severity}</span>
        <strong class="title">{finding.title}</strong>
      </div>
      <div class="msg">{finding.message}</div>
      {finding.providerTable && <TableBasis basis={finding.providerTable} />}
      <button type="button" class={`evidence${open ? ' open' : ''}`} aria-expanded={open} title={open ? 'show less' : 'show all of the evidence'} onClick={() => setOpen(!open)}>
        {evidence}
      </button>
      {path && (
        <div class="flow">
          flow {finding.flowId}: {path}
        </div>
      )}
      {diagram && diagram.arrows.length > 0 && (
        <div class="flow-diagram">
          <DiagramView diagram={diagram} options={{ compact: true, selected: diagram.arrows.find((a) => a.findings.some((x) => x.ruleId === finding.ruleId && x.message === finding.message))?.id }} />
        </div>
      )}
      <div class="refs">
        <a href={docHref} target="_blank" rel="noreferrer">
          {finding.ruleId}
        </a>{' '}
        · {finding.references.join(' · ')} · {finding.confidence}
      </div>
    </li>
  );
}
