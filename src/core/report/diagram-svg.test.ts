import { beforeEach, describe, expect, it } from 'vitest';
import { coat } from '../testing/mixup-scenarios';
import { keycloakBrokeringToGoogle } from '../testing/mixup-fixtures';
import { resetBuilders, run } from '../testing/builders';
import type { Observation } from '../observe/observation';
import { buildDiagrams } from './diagram';
import { diagramScene, diagramSvg, escapeXml, sceneToSvg } from './diagram-svg';

function diagram(o: Observation[]) {
  const { engine } = run(o);
  return buildDiagrams(engine.flows(), { findings: engine.findings, hops: (c) => engine.store.hops.get(c) })[0];
}

describe('diagram SVG', () => {
  beforeEach(() => resetBuilders());

  it('marks the attack hop with the rule id and the severity in words, and a line for each value that moved', () => {
    const svg = diagramSvg(diagram(coat()));
    expect(svg).toMatch(/<g class="cc-arrow kind-as-redirect sev-critical"[^>]*data-severity="critical" data-rules="coat-context-switch"/);
    expect(svg).toContain('CRITICAL coat-context-switch');
    const lines = [...svg.matchAll(/<polyline class="cc-thread"[^>]*data-param="([^"]+)"/g)].map((m) => m[1]);
    expect(lines).toEqual(['state', 'code_challenge']);
    expect(svg).toContain('thread A: moved between ASes');
  });

  it('draws the broker chain without a thread line or a severity mark', () => {
    const svg = diagramSvg(diagram(keycloakBrokeringToGoogle()));
    expect(svg).not.toContain('<polyline');
    expect(svg).not.toMatch(/data-severity="(critical|high)"/);
    expect(svg).toContain('Upstream');
  });

  it('compact: lanes and one line per hop, no parameter column; interactive: one tab stop', () => {
    const d = diagram(coat());
    const compact = diagramSvg(d, { compact: true });
    expect(compact).not.toContain('redirect_uri =');
    expect(compact).toContain('critical coat-context-switch');
    const s = diagramScene(d, { interactive: true });
    const arrows = s.root.children!.filter((n) => n.tag === 'g' && String(n.attrs.class).startsWith('cc-arrow'));
    expect(arrows.map((a) => a.attrs.tabindex)).toEqual([0, -1, -1, -1]);
    expect(String(arrows[1].attrs['aria-label'])).toContain('critical coat-context-switch');
  });

  it('escapes text and attribute values, and writes no attribute name it does not know', () => {
    expect(escapeXml(`<a href="x" onclick='y'>&\u0000`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;');
    const out = sceneToSvg({ tag: 'text', attrs: { x: 1, 'bad name="1" onload': 'x', title: '"><script>' }, text: '</text><script>alert(1)</script>' });
    expect(out).toBe('<text x="1" title="&quot;&gt;&lt;script&gt;">&lt;/text&gt;&lt;script&gt;alert(1)&lt;/script&gt;</text>');
  });
});
