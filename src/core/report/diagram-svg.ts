/**
 * Drawing of a flow diagram (diagram.ts): a scene of SVG primitives laid out once, then either
 * serialised to a static SVG string (CLI HTML report, SVG export, the popup's image) or mapped to
 * Preact elements by the panel. All text is data: the string renderer escapes every text node and
 * attribute value, and only the attribute names this file writes exist.
 *
 * No information by colour alone: a finding's arrow also carries a severity word and symbol with
 * the rule id; a value that moved between ASes is marked by a named thread and the word "moved".
 */
import type { Severity } from './finding';
import type { Arrow, Diagram, Thread } from './diagram';

export interface SceneNode {
  tag: 'svg' | 'g' | 'rect' | 'line' | 'path' | 'polyline' | 'text' | 'tspan' | 'title' | 'style' | 'circle';
  attrs: Record<string, string | number>;
  text?: string;
  children?: SceneNode[];
}

export interface Scene {
  width: number;
  height: number;
  root: SceneNode;
}

export interface SceneOptions {
  /** popup size: lanes and one line per arrow, no parameter column */
  compact?: boolean;
  /** the host page defines the colours (--fg, --bg, --critical, …): follow them */
  themed?: boolean;
  /** the arrow shown as selected (panel) */
  selected?: string;
  /** give arrows a tab stop and a button role (panel) */
  interactive?: boolean;
}

export const SEVERITY_MARK: Record<Severity, string> = { critical: '‼', high: '▲', medium: '◆', low: '●', info: 'ℹ' };

/** Styles scoped to the diagram (an inline SVG's <style> applies to the whole document). */
export const DIAGRAM_CSS = `
.cc-svg{--cc-bg:#fff;--cc-fg:#1f1f1f;--cc-muted:#5f6368;--cc-line:#c4c7c5;--cc-panel:#f1f3f4;--cc-critical:#a50e7e;--cc-high:#c5221f;--cc-medium:#b06000;--cc-low:#1967d2;--cc-info:#5f6368;--cc-thread:#e8a100;--cc-hl:#fff0c2;--cc-focus:#1a73e8;font:11px system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}
@media (prefers-color-scheme:dark){.cc-svg{--cc-bg:#202124;--cc-fg:#e8eaed;--cc-muted:#9aa0a6;--cc-line:#5f6368;--cc-panel:#292a2d;--cc-critical:#f28bd7;--cc-high:#f28b82;--cc-medium:#fdd663;--cc-low:#8ab4f8;--cc-info:#9aa0a6;--cc-thread:#fbbc04;--cc-hl:#4a3c00;--cc-focus:#8ab4f8}}
.cc-svg.cc-themed{--cc-bg:var(--bg);--cc-fg:var(--fg);--cc-muted:var(--muted);--cc-line:var(--line);--cc-panel:var(--panel);--cc-critical:var(--critical);--cc-high:var(--high);--cc-medium:var(--medium);--cc-low:var(--low);--cc-info:var(--info);--cc-focus:var(--focus)}
:root[data-theme='dark'] .cc-svg.cc-themed{--cc-thread:#fbbc04;--cc-hl:#4a3c00}
:root[data-theme='light'] .cc-svg.cc-themed{--cc-thread:#e8a100;--cc-hl:#fff0c2}
.cc-svg .cc-bg{fill:var(--cc-bg)}
.cc-svg text{fill:var(--cc-fg)}
.cc-svg .cc-muted{fill:var(--cc-muted)}
.cc-svg .cc-lane rect{fill:var(--cc-panel);stroke:var(--cc-line)}
.cc-svg .cc-life{stroke:var(--cc-line);stroke-dasharray:4 4}
.cc-svg .cc-arrow line,.cc-svg .cc-arrow path.cc-shaft{stroke:var(--cc-fg);stroke-width:1.4;fill:none}
.cc-svg .cc-arrow .cc-head{fill:var(--cc-fg)}
.cc-svg .cc-arrow.cc-back line,.cc-svg .cc-arrow.cc-back path.cc-shaft{stroke-dasharray:5 3}
.cc-svg .cc-arrow .cc-hit{fill:transparent;stroke:none}
.cc-svg .cc-arrow.cc-sel .cc-hit,.cc-svg .cc-arrow:focus .cc-hit{fill:var(--cc-panel);fill-opacity:.55;stroke:var(--cc-focus);stroke-width:1.5}
.cc-svg .cc-arrow:focus{outline:none}
.cc-svg .cc-thread{stroke:var(--cc-thread);stroke-width:4;stroke-opacity:.6;fill:none;stroke-linejoin:round;stroke-linecap:round;pointer-events:none}
.cc-svg .cc-hl{fill:var(--cc-hl)}
.cc-svg .cc-b{font-weight:600}
.cc-svg .cc-mono{font-family:ui-monospace,Menlo,Consolas,'DejaVu Sans Mono',monospace;font-size:10.5px}
${(['critical', 'high', 'medium', 'low', 'info'] as const)
  .map((s) => `.cc-svg .sev-${s} line,.cc-svg .sev-${s} path.cc-shaft{stroke:var(--cc-${s});stroke-width:2.6}.cc-svg .sev-${s} .cc-head,.cc-svg text.sev-${s}{fill:var(--cc-${s})}`)
  .join('\n')}
`;

const CHAR_W = 6.8;
/** the compact view's word on each arrow (the kind is also in the arrow's title and data-kind) */
const SHORT: Partial<Record<Arrow['kind'], string>> = { 'as-redirect': 'AS→AS', 'authorization-request': 'authorize', 'token-request': 'token', 'token-response': 'tokens' };
const LINE_H = 15;

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, Math.max(1, max - 1))}…` : s;
}

function node(tag: SceneNode['tag'], attrs: SceneNode['attrs'], children?: SceneNode[], text?: string): SceneNode {
  return { tag, attrs, ...(children ? { children } : {}), ...(text !== undefined ? { text } : {}) };
}

function txt(x: number, y: number, s: string, cls = '', extra: SceneNode['attrs'] = {}): SceneNode {
  return node('text', { x, y, ...(cls ? { class: cls } : {}), ...extra }, undefined, s);
}

/** A letter per highlighted thread (A, B, …), so the text names what the colour shows. */
function threadNames(d: Diagram): Map<string, string> {
  const m = new Map<string, string>();
  for (const t of d.threads) if (t.cross) m.set(t.id, String.fromCharCode(65 + (m.size % 26)));
  return m;
}

export function arrowSummary(d: Diagram, a: Arrow): string {
  const lane = (id: string) => d.lanes.find((l) => l.id === id);
  const name = (id: string) => {
    const l = lane(id);
    return l ? `${l.name}${l.host ? ` (${l.host})` : ''}` : id;
  };
  const f = a.findings.map((x) => `${x.severity} ${x.ruleId}`).join(', ');
  return `${a.index + 1}. ${a.title}, from ${name(a.from)} to ${name(a.to)}${f ? `; findings: ${f}` : ''}`;
}

/** Lay a diagram out as a scene of SVG primitives. */
export function diagramScene(d: Diagram, opts: SceneOptions = {}): Scene {
  const compact = opts.compact === true;
  const laneW = compact ? 84 : 150;
  const gutter = compact ? 20 : 30;
  const headerH = compact ? 34 : 44;
  const top = headerH + 12;
  const lanesW = gutter + d.lanes.length * laneW;
  const names = threadNames(d);
  const laneX = new Map(d.lanes.map((l, i) => [l.id, gutter + i * laneW + laneW / 2]));
  const rowsOfValue = new Map<string, number[]>();
  for (const t of d.threads) rowsOfValue.set(t.id, t.arrows.map((id) => d.arrows.findIndex((a) => a.id === id) + 1).filter((n) => n > 0));

  // rows
  type Row = { a: Arrow; y: number; h: number; lines: { n: SceneNode; hl: boolean }[]; arrowY: number };
  const rows: Row[] = [];
  let y = top;
  let detailChars = 40;
  const maxChars = compact ? 0 : 92;
  for (const a of d.arrows) {
    const lines: { s: string; cls: string; hl?: boolean }[] = [];
    if (!compact) {
      lines.push({ s: clip(`${a.index + 1}. ${a.title}${a.channel === 'back' ? ' (back channel)' : ''}`, maxChars), cls: 'cc-b' });
      for (const f of a.findings) lines.push({ s: clip(`${SEVERITY_MARK[f.severity]} ${f.severity.toUpperCase()} ${f.ruleId}: ${f.title}`, maxChars), cls: `cc-b sev-${f.severity}` });
      for (const l of a.labels) {
        const t = l.thread ? d.threads.find((x) => x.id === l.thread) : undefined;
        const same = t ? (rowsOfValue.get(t.id) ?? []).filter((n) => n !== a.index + 1) : [];
        const mark = t?.cross ? `  ⇄ thread ${names.get(t.id)}: moved between ASes` : same.length ? `  = #${same.join(', #')}` : '';
        lines.push({ s: `${l.name} = ${clip(l.value, Math.max(20, maxChars - l.name.length - mark.length - 3))}${mark}`, cls: 'cc-mono', hl: t?.cross });
      }
      for (const l of lines) detailChars = Math.max(detailChars, Math.min(maxChars + 4, l.s.length));
    }
    const h = compact ? (a.findings.length ? 34 : 24) : Math.max(34, lines.length * LINE_H + 10);
    rows.push({ a, y, h, arrowY: y + (compact ? 12 : 16), lines: lines.map((l, i) => ({ n: txt(0, y + 13 + i * LINE_H, l.s, l.cls), hl: l.hl === true })) });
    y += h;
  }
  const detailX = lanesW + 14;
  const detailW = compact ? 0 : Math.ceil(detailChars * CHAR_W) + 20;
  const width = compact ? lanesW + 6 : detailX + detailW;
  const height = y + 10;

  const kids: SceneNode[] = [node('style', {}, undefined, DIAGRAM_CSS), node('rect', { class: 'cc-bg', x: 0, y: 0, width, height })];
  // lanes
  for (const l of d.lanes) {
    const x = laneX.get(l.id)!;
    const host = l.host ?? (l.kind === 'browser' ? 'user agent' : '');
    kids.push(
      node('g', { class: `cc-lane lane-${l.kind}`, 'data-lane': l.id }, [
        node('title', {}, undefined, `${l.name}${l.origin ? ` ${l.origin}` : ''}${l.issuer && l.issuer !== l.origin ? ` (issuer ${l.issuer})` : ''}`),
        node('rect', { x: x - laneW / 2 + 6, y: 6, width: laneW - 12, height: headerH - 6, rx: 4 }),
        txt(x, compact ? 19 : 22, l.kind === 'client' ? 'C (client)' : l.name, 'cc-b', { 'text-anchor': 'middle' }),
        txt(x, compact ? 31 : 37, clip(host, compact ? 11 : 21), 'cc-muted', { 'text-anchor': 'middle' }),
      ]),
      node('line', { class: 'cc-life', x1: x, y1: headerH, x2: x, y2: height - 6 }),
    );
  }
  // threads that moved: one polyline through the arrows that carry the value, drawn under the
  // arrows and their text (which stay readable over it; a selected row's box lets it show through)
  const drawn = new Map<string, SceneNode>();
  for (const t of d.threads) {
    if (!t.cross) continue;
    const pts: string[] = [];
    for (const id of t.arrows) {
      const r = rows.find((x) => x.a.id === id);
      if (!r) continue;
      const x1 = laneX.get(r.a.from) ?? gutter;
      const x2 = laneX.get(r.a.to) ?? gutter;
      pts.push(`${x1},${r.arrowY}`, `${x2},${r.arrowY}`);
    }
    if (pts.length < 4) continue;
    // values that travelled the same way share one line
    const key = pts.join(' ');
    const same = drawn.get(key);
    if (same) {
      same.attrs['data-param'] += ` ${t.param}`;
      same.children![0].text += `; ${threadTitle(t, names.get(t.id)!)}`;
      continue;
    }
    // a little above the arrows, so their own (severity) colour stays visible; each line a bit higher
    const dy = (compact ? 4 : 5) + (drawn.size % 3) * (compact ? 3 : 4);
    const points = pts.map((p) => p.replace(/,(\d+(?:\.\d+)?)$/, (_, y: string) => `,${Number(y) - dy}`)).join(' ');
    const line = node('polyline', { class: 'cc-thread', points, 'data-thread': t.id, 'data-param': t.param }, [node('title', {}, undefined, threadTitle(t, names.get(t.id)!))]);
    drawn.set(key, line);
    kids.push(line);
  }
  // arrows
  for (const r of rows) {
    const a = r.a;
    const x1 = laneX.get(a.from) ?? gutter;
    const x2 = laneX.get(a.to) ?? gutter;
    const dir = x2 >= x1 ? 1 : -1;
    const yA = r.arrowY;
    const g: SceneNode[] = [node('title', {}, undefined, arrowSummary(d, a))];
    g.push(node('rect', { class: 'cc-hit', x: 2, y: r.y + 1, width: (compact ? lanesW : width) - 4, height: r.h - 2, rx: 3 }));
    if (x1 === x2) {
      g.push(node('path', { class: 'cc-shaft', d: `M${x1} ${yA} h28 v10 h-26` }));
      g.push(node('path', { class: 'cc-head', d: `M${x1 + 1} ${yA + 10} l8 -4 v8 z` }));
    } else {
      const tip = x2 - dir * 2;
      g.push(node('line', { x1: x1 + dir * 2, y1: yA, x2: tip - dir * 7, y2: yA }));
      g.push(node('path', { class: 'cc-head', d: `M${tip} ${yA} l${-dir * 9} -4.5 v9 z` }));
    }
    g.push(txt(4, yA + 4, String(a.index + 1), 'cc-muted'));
    const worst = a.findings[0];
    if (compact) {
      const mid = (x1 + x2) / 2;
      const short = SHORT[a.kind] ?? a.kind;
      g.push(txt(mid, yA - 3, short, 'cc-muted', { 'text-anchor': 'middle', 'font-size': 9 }));
      if (worst) g.push(txt(gutter + 4, yA + 16, `${SEVERITY_MARK[worst.severity]} ${worst.severity} ${worst.ruleId}${a.findings.length > 1 ? ` +${a.findings.length - 1}` : ''}`, `cc-b sev-${worst.severity}`, { 'font-size': 10 }));
    } else {
      for (const { n, hl } of r.lines) {
        if (hl) g.push(node('rect', { class: 'cc-hl', x: detailX - 3, y: Number(n.attrs.y) - 11, width: Math.min(detailW - 10, Math.ceil((n.text ?? '').length * CHAR_W) + 8), height: 14, rx: 2 }));
        g.push({ ...n, attrs: { ...n.attrs, x: detailX } });
      }
    }
    const attrs: SceneNode['attrs'] = {
      class: `cc-arrow kind-${a.kind}${a.channel === 'back' ? ' cc-back' : ''}${worst ? ` sev-${worst.severity}` : ''}${opts.selected === a.id ? ' cc-sel' : ''}`,
      'data-arrow': a.id,
      'data-index': a.index,
      'data-kind': a.kind,
      'data-from': a.from,
      'data-to': a.to,
    };
    if (worst) {
      attrs['data-severity'] = worst.severity;
      attrs['data-rules'] = a.findings.map((f) => f.ruleId).join(' ');
    }
    if (opts.interactive) {
      attrs.tabindex = opts.selected === a.id || (opts.selected === undefined && a.index === 0) ? 0 : -1;
      attrs.role = 'button';
      attrs['aria-label'] = arrowSummary(d, a);
      attrs['aria-pressed'] = opts.selected === a.id ? 'true' : 'false';
    }
    kids.push(node('g', attrs, g));
  }
  const label = `Sequence diagram of ${d.title}${d.severity ? `; worst finding ${d.severity}` : ''}`;
  const root = node(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      class: `cc-svg${opts.themed ? ' cc-themed' : ''}${compact ? ' cc-compact' : ''}`,
      width,
      height,
      viewBox: `0 0 ${width} ${height}`,
      role: opts.interactive ? 'group' : 'img',
      'aria-label': label,
      'data-flow': d.flowId,
    },
    [node('title', {}, undefined, label), ...kids],
  );
  return { width, height, root };
}

function threadTitle(t: Thread, name: string): string {
  return `thread ${name}: ${t.param} ${t.value} moved between ASes`;
}

const ATTR_NAME = /^[a-zA-Z][a-zA-Z0-9:-]*$/;

/** Escape text for XML/HTML text nodes and double-quoted attribute values. */
export function escapeXml(s: string): string {
  // characters XML 1.0 forbids are dropped (a hostile URL may carry them)
  return String(s).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function sceneToSvg(n: SceneNode): string {
  const attrs = Object.entries(n.attrs)
    .filter(([k]) => ATTR_NAME.test(k))
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join('');
  const inner = (n.text !== undefined ? escapeXml(n.text) : '') + (n.children ?? []).map(sceneToSvg).join('');
  return `<${n.tag}${attrs}>${inner}</${n.tag}>`;
}

/** A diagram as a static, self-contained SVG document (no script, no external reference). */
export function diagramSvg(d: Diagram, opts: SceneOptions = {}): string {
  return sceneToSvg(diagramScene(d, opts).root);
}
