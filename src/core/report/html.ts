/**
 * The HTML report (`coatcheck scan --format html`): one self-contained file that opens offline in
 * any browser. No script at all, styles inline, a CSP that forbids everything else; the only links
 * that leave the file are the rule documentation pages. Every string from the capture is escaped.
 */
import type { Evidence, Finding, Severity } from './finding';
import { SEVERITIES, sortFindings } from './finding';
import type { ReportModel } from './json';
import type { Diagram } from './diagram';
import { diagramSvg, escapeXml, SEVERITY_MARK } from './diagram-svg';
import { readableUrl } from './text';

export interface HtmlOptions {
  diagrams: readonly Diagram[];
  /** base URL of the rule pages (`<id>.md` is appended), as SARIF's helpUri */
  docsBase: string;
  /** the "How to fix" section of each rule's doc page (markdown), by rule id */
  fixes?: Readonly<Record<string, string>>;
  /** when the report was written (ISO), shown in the header */
  generated?: string;
}

export const HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const e = escapeXml;

/** The "## How to fix" section of a rule's doc page, without its heading; undefined when absent. */
export function fixSection(markdown: string): string | undefined {
  const m = /^##\s+How to fix\s*$/im.exec(markdown);
  if (!m) return undefined;
  const rest = markdown.slice(m.index + m[0].length);
  const next = /^##\s/m.exec(rest);
  const body = (next ? rest.slice(0, next.index) : rest).trim();
  return body || undefined;
}

function inline(s: string): string {
  // escape first: markdown syntax only ever adds our own tags around escaped text
  return e(s)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/\*([^*\s][^*]*)\*/g, '<em>$1</em>');
}

/** The small markdown subset the rule pages use (paragraphs, lists, fenced code, inline code, emphasis) as HTML. Links stay text. */
export function markdownToHtml(md: string): string {
  const out: string[] = [];
  const lines = md.replace(/\r\n?/g, '\n').split('\n');
  let para: string[] = [];
  let list: string[] | undefined;
  const flush = () => {
    if (para.length) out.push(`<p>${inline(para.join(' '))}</p>`);
    para = [];
    if (list) out.push(`<ul>${list.map((l) => `<li>${inline(l)}</li>`).join('')}</ul>`);
    list = undefined;
  };
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (/^```/.test(l)) {
      flush();
      const code: string[] = [];
      for (i++; i < lines.length && !/^```/.test(lines[i]); i++) code.push(lines[i]);
      out.push(`<pre>${e(code.join('\n'))}</pre>`);
      continue;
    }
    const item = /^\s*[-*]\s+(.*)$/.exec(l);
    if (item) {
      if (para.length) {
        out.push(`<p>${inline(para.join(' '))}</p>`);
        para = [];
      }
      (list ??= []).push(item[1]);
      continue;
    }
    if (!l.trim()) {
      flush();
      continue;
    }
    if (list && /^\s+\S/.test(l)) list[list.length - 1] += ` ${l.trim()}`;
    else {
      if (list) flush();
      para.push(l.trim());
    }
  }
  flush();
  return out.join('\n');
}


function where(ev: Evidence, m: ReportModel): string {
  const file = ev.input !== undefined ? (m.inputs[ev.input]?.path ?? `input ${ev.input}`) : undefined;
  const name = file === '-' ? 'standard input' : file;
  if (ev.entry !== undefined) return `${name ? `${name} ` : ''}entry ${ev.entry}`;
  if (ev.requestId) return `request ${ev.requestId}`;
  return name ?? '';
}

function iso(t: number): string {
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

function sev(s: Severity): string {
  return `<span class="sev sev-${s}">${SEVERITY_MARK[s]} ${s.toUpperCase()}</span>`;
}

function findingHtml(f: Finding, i: number, m: ReportModel, opts: HtmlOptions, flowDiagram: Map<string, Diagram>): string {
  const fix = opts.fixes?.[f.ruleId];
  const doc = `${opts.docsBase}${encodeURIComponent(f.ruleId)}.md`;
  const d = f.flowId ? flowDiagram.get(f.flowId) : undefined;
  const ev = f.evidence
    .map(
      (x) =>
        `<tr><td>${e(where(x, m))}</td><td class="url">${e(readableUrl(x.url))}</td><td>${x.param !== undefined ? `<code>${e(x.param)}</code>` : ''}${x.value !== undefined ? ` = <code>${e(x.value)}</code>` : ''}</td><td>${e(x.note ?? '')}</td></tr>`,
    )
    .join('');
  return `<article class="finding sev-border-${f.severity}" id="finding-${i + 1}" data-rule-id="${e(f.ruleId)}" data-severity="${f.severity}">
<h3>${sev(f.severity)} <code>${e(f.ruleId)}</code>${f.variant ? ` <span class="muted">(${e(f.variant)})</span>` : ''} ${e(f.title)}</h3>
<p class="meta">confidence ${e(f.confidence)}${f.flowId ? ` · flow ${d ? `<a href="#flow-${e(d.flowId)}">${e(f.flowId)}</a>` : e(f.flowId)}` : ''} · ${e(f.context)} · ${e(iso(f.time))}</p>
<p class="msg">${e(f.message)}</p>
${f.providerTable ? `<p class="meta">basis: from CoatCheck's provider table (${e(f.providerTable.provider)}), checked ${e(f.providerTable.checked)}</p>` : ''}
${ev ? `<table class="evidence"><thead><tr><th>where</th><th>URL</th><th>parameter</th><th>note</th></tr></thead><tbody>${ev}</tbody></table>` : ''}
<p class="refs"><strong>References:</strong> ${f.references.map((r) => e(r)).join(' · ') || '—'}</p>
${fix ? `<div class="fix"><strong>How to fix</strong>${markdownToHtml(fix)}</div>` : ''}
<p class="doc"><a href="${e(doc)}">Rule documentation: ${e(f.ruleId)}</a></p>
</article>`;
}

const CSS = `
:root{--bg:#fff;--fg:#1f1f1f;--muted:#5f6368;--line:#dadce0;--panel:#f1f3f4;--critical:#a50e7e;--high:#c5221f;--medium:#b06000;--low:#1967d2;--info:#5f6368;--focus:#1a73e8;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--bg:#202124;--fg:#e8eaed;--muted:#9aa0a6;--line:#3c4043;--panel:#292a2d;--critical:#f28bd7;--high:#f28b82;--medium:#fdd663;--low:#8ab4f8;--info:#9aa0a6;--focus:#8ab4f8}}
body{margin:0 auto;max-width:1440px;padding:16px 24px;background:var(--bg);color:var(--fg);font:14px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}
code,pre,.url{font-family:ui-monospace,Menlo,Consolas,'DejaVu Sans Mono',monospace;font-size:12.5px}
pre{background:var(--panel);padding:8px;overflow:auto}
a{color:var(--low)}
.muted,.meta{color:var(--muted)}
table{border-collapse:collapse;width:100%;margin:6px 0}
th,td{border:1px solid var(--line);padding:3px 6px;text-align:left;vertical-align:top}
td.url{word-break:break-all}
.sev{font-weight:700;white-space:nowrap}
${SEVERITIES.map((s) => `.sev-${s}{color:var(--${s})}.sev-border-${s}{border-left:5px solid var(--${s})}`).join('')}
.finding{padding:4px 12px;margin:12px 0;background:var(--panel);border-radius:4px}
.finding h3{margin:6px 0;font-size:15px}
.fix{border-top:1px solid var(--line);margin-top:6px}
.diagram{overflow-x:auto;margin:8px 0 24px;border:1px solid var(--line);border-radius:4px}
.summary td:first-child{width:14em}
.save{margin:4px 0}
`;

/**
 * A diagram inline, and for a flow with findings a link that saves it as a standalone SVG file (a
 * data: URL with `download`: no script, nothing fetched; for slides and tickets).
 */
function diagramHtml(d: Diagram): string {
  const svg = diagramSvg(d);
  const name = `coatcheck-flow-${d.flowId.replace(/[^A-Za-z0-9_-]/g, '_')}.svg`;
  const save = d.severity ? `<p class="save"><a download="${e(name)}" href="data:image/svg+xml;charset=utf-8,${e(encodeURIComponent(svg))}">Save this diagram as SVG</a></p>\n` : '';
  return `${save}<div class="diagram">${svg}</div>`;
}

/** The whole report as one HTML document. */
export function toHtml(m: ReportModel, opts: HtmlOptions): string {
  const findings = sortFindings([...m.findings]);
  const count = (s: Severity) => findings.filter((f) => f.severity === s).length;
  const flowDiagram = new Map<string, Diagram>();
  for (const d of opts.diagrams) {
    flowDiagram.set(d.flowId, d);
    for (const a of d.arrows) if (!flowDiagram.has(a.flowId)) flowDiagram.set(a.flowId, d);
  }
  const inputs = m.inputs
    .map((i) => `<li><code>${e(i.path === '-' ? 'standard input' : i.path)}</code>: ${i.entries} entries${i.pages !== undefined ? `, ${i.pages} pages` : ''}${(i.warnings ?? []).map((w) => `<br><span class="sev-medium">warning:</span> ${e(w)}`).join('')}</li>`)
    .join('');
  const diagrams = opts.diagrams
    .map(
      (d) => `<section class="flow" id="flow-${e(d.flowId)}" data-flow="${e(d.flowId)}">
<h3>${d.severity ? `${sev(d.severity)} ` : ''}${e(d.title)}</h3>
${d.threads.some((t) => t.cross) ? `<p>Highlighted thread: ${d.threads.filter((t) => t.cross).map((t) => `<code>${e(t.param)}</code> <code>${e(t.value)}</code>`).join(', ')} moved from one AS's context into another's.</p>` : ''}
${d.unplaced.length ? `<p>Findings of this flow not tied to one arrow: ${d.unplaced.map((f) => `${sev(f.severity)} <code>${e(f.ruleId)}</code>`).join(', ')}</p>` : ''}
${diagramHtml(d)}
</section>`,
    )
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${e(HTML_CSP)}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>CoatCheck report: ${findings.length} finding${findings.length === 1 ? '' : 's'}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>CoatCheck report</h1>
<table class="summary"><tbody>
<tr><td>Tool</td><td>${e(m.tool.name)} ${e(m.tool.version)}${opts.generated ? ` · ${e(opts.generated)}` : ''}</td></tr>
<tr><td>Inputs</td><td><ul>${inputs}</ul></td></tr>
<tr><td>OAuth flows</td><td>${m.flows.length}</td></tr>
<tr><td>Findings</td><td data-testid="counts">${findings.length}: ${SEVERITIES.map((s) => `${sev(s)} ${count(s)}`).join(' · ')}</td></tr>
<tr><td>Secrets</td><td>${m.redact ? 'redacted (a short prefix and a hash: equal values show equal)' : '<strong>shown in full (--reveal)</strong>'}</td></tr>
</tbody></table>
</header>
<main>
<h2>Findings</h2>
${findings.length ? findings.map((f, i) => findingHtml(f, i, m, opts, flowDiagram)).join('\n') : '<p>No findings.</p>'}
<h2>Flows</h2>
${diagrams || '<p>No OAuth flow in the capture.</p>'}
</main>
</body>
</html>
`;
}
