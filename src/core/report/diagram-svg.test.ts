import { beforeEach, describe, expect, it } from 'vitest';
import { clean, coat, HONEST } from '../testing/mixup-scenarios';
import { keycloakBrokeringToGoogle } from '../testing/mixup-fixtures';
import { post, resetBuilders, run } from '../testing/builders';
import type { Observation } from '../observe/observation';
import { buildDiagrams, diagramFetchOf, type DiagramFetch } from './diagram';
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

  it('a hostile token response (error, ID token issuer) is text in the SVG; the token arrows are back channel', () => {
    const evil = '"><script>alert(1)</script><svg onload=alert(2)>';
    const o = clean();
    const code = new URL(o[o.length - 1].url).searchParams.get('code')!;
    const idt = `eyJhbGciOiJub25lIn0.${Buffer.from(JSON.stringify({ iss: evil })).toString('base64url')}.`;
    o.push(post(`${HONEST}/token`, { grant_type: 'authorization_code', code, client_id: 'c' }, { status: 400, responseBody: { error: evil, id_token: idt } }));
    const { engine } = run(o);
    const fetches = o.map((x) => diagramFetchOf(x)).filter((x): x is DiagramFetch => x !== undefined);
    const svg = diagramSvg(buildDiagrams(engine.flows(), { findings: engine.findings, fetches })[0]);
    expect(svg).toMatch(/<g class="cc-arrow kind-token-response cc-back[^"]*"/);
    expect(svg).not.toMatch(/<script|<svg onload/);
    expect(svg).toContain('error = &quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(svg).toContain('id_token iss = &quot;&gt;&lt;script&gt;');
  });

  it('escapes text and attribute values, and writes no attribute name it does not know', () => {
    expect(escapeXml(`<a href="x" onclick='y'>&\u0000`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;');
    const out = sceneToSvg({ tag: 'text', attrs: { x: 1, 'bad name="1" onload': 'x', title: '"><script>' }, text: '</text><script>alert(1)</script>' });
    expect(out).toBe('<text x="1" title="&quot;&gt;&lt;script&gt;">&lt;/text&gt;&lt;script&gt;alert(1)&lt;/script&gt;</text>');
  });
});
