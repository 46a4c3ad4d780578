// @vitest-environment happy-dom
/**
 * The flow diagrams in the extension (issue #13), rendered into a real DOM from real captures: the
 * panel's Flows view (click and keyboard on the hops, SVG export) and the popup's compact diagram.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import type { Capture } from '../src/devtools/model/capture';
import { FlowDiagrams, panelDiagrams } from '../src/devtools/panel/diagrams';
import { buildDiagrams, diagramHops } from '../src/core/report/diagram';
import { diagramFor, FindingCard } from '../src/ui/FindingCard';
import { APP, AS, entry, spaFlow } from './devtools-fixture';
import { analysed, mountContainer } from './dom-mount';

const COAT = readFileSync(join(process.cwd(), 'examples', 'coat-attack.har'), 'utf8');
const mounted = mountContainer();
let container: HTMLElement;
beforeEach(() => {
  container = mounted();
});

function diagramsOf(c: Capture) {
  return buildDiagrams(c.flows(), { findings: c.findings, hops: (ctx) => c.engine.store.hops.get(ctx) });
}

describe('panel: Flows view diagram', () => {
  it('draws the COAT capture with the attack hop marked by rule id and severity word, and shows a hop on click', () => {
    const c = analysed(COAT);
    act(() => render(<FlowDiagrams diagrams={diagramsOf(c)} findings={c.findings} />, container));
    const arrows = [...container.querySelectorAll('g.cc-arrow')];
    expect(arrows.map((a) => a.getAttribute('data-kind'))).toEqual(['authorization-request', 'as-redirect', 'interaction', 'callback']);
    const hop = arrows[1];
    expect(hop.getAttribute('data-severity')).toBe('critical');
    expect(hop.getAttribute('data-rules')?.split(' ')).toContain('coat-context-switch');
    expect(hop.textContent).toContain('CRITICAL coat-context-switch'); // not by colour alone
    expect(container.querySelector('polyline.cc-thread[data-param~="state"]')).not.toBeNull();
    expect(container.querySelector('[data-testid="thread-note"]')?.textContent).toContain('state');
    expect(container.querySelector('[data-testid="arrow-detail"]')).toBeNull();
    act(() => {
      hop.querySelector('line')!.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    });
    const detail = container.querySelector('[data-testid="arrow-detail"]')!;
    expect(detail.getAttribute('data-arrow')).toBe(hop.getAttribute('data-arrow'));
    expect(detail.textContent).toContain('AS1 (attacker-as.example) → AS2 (honest-as.example)');
    expect([...detail.querySelectorAll('[data-testid="finding"]')].map((x) => x.getAttribute('data-rule'))).toContain('coat-context-switch');
    expect(container.querySelector('g.cc-arrow.cc-sel')?.getAttribute('data-arrow')).toBe(hop.getAttribute('data-arrow'));
    expect(container.querySelector('[data-testid="export-svg"]')).not.toBeNull();
  });

  it('moves between hops with the arrow keys; the details follow the focus', () => {
    const c = analysed(COAT);
    act(() => render(<FlowDiagrams diagrams={diagramsOf(c)} findings={c.findings} />, container));
    const arrows = () => [...container.querySelectorAll<SVGGElement>('g.cc-arrow')];
    // one tab stop: the first hop
    expect(arrows().map((a) => a.getAttribute('tabindex'))).toEqual(['0', '-1', '-1', '-1']);
    act(() => arrows()[0].focus());
    expect(container.querySelector('[data-testid="arrow-detail"]')?.getAttribute('data-arrow')).toBe(arrows()[0].getAttribute('data-arrow'));
    const view = container.querySelector('[data-testid="flow-diagram"]')!;
    act(() => {
      view.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
    });
    expect(document.activeElement?.getAttribute('data-arrow')).toBe(arrows()[1].getAttribute('data-arrow'));
    expect(container.querySelector('[data-testid="arrow-detail"]')?.getAttribute('data-arrow')).toBe(arrows()[1].getAttribute('data-arrow'));
    act(() => {
      view.dispatchEvent(new KeyboardEvent('keydown', { key: 'End', bubbles: true }));
    });
    expect(document.activeElement?.getAttribute('data-kind')).toBe('callback');
    expect(arrows().map((a) => a.getAttribute('tabindex'))).toEqual(['-1', '-1', '-1', '0']);
  });

  it('hostile values in a capture are text in the diagram, never elements', () => {
    const evil = '"><script>alert(1)</script><svg onload=alert(2)>';
    const cb = `${APP}/cb`;
    const c = analysed(JSON.stringify({ log: { entries: [entry(`${AS}/auth?${new URLSearchParams({ client_id: evil, response_type: 'code', redirect_uri: cb, state: 'Zq8Vn3Xw2Lr9Tk4Bz7Mc1Pd6Hf5Js0Gx' })}`)] } }));
    act(() => render(<FlowDiagrams diagrams={diagramsOf(c)} findings={c.findings} />, container));
    expect(container.querySelector('script')).toBeNull();
    expect(container.querySelectorAll('svg')).toHaveLength(1);
    expect([...container.querySelectorAll('*')].flatMap((el) => [...el.attributes].filter((a) => /^on/i.test(a.name)))).toEqual([]);
    expect(container.querySelector('g.cc-arrow')?.textContent).toContain(`client_id = ${evil}`);
  });
});

describe('panel: back channel', () => {
  it('a SPA capture: discovery, JWKS, the token request with the callback code\'s fingerprint and the token response, secrets as fingerprints', async () => {
    const { har, code } = await spaFlow();
    const c = analysed(har);
    act(() => render(<FlowDiagrams diagrams={panelDiagrams(c.flows(), c.findings, { capture: c })} findings={c.findings} />, container));
    const arrows = [...container.querySelectorAll<SVGGElement>('g.cc-arrow')];
    expect(arrows.map((a) => a.getAttribute('data-kind'))).toEqual(['metadata', 'jwks', 'authorization-request', 'callback', 'token-request', 'token-response']);
    const codeOf = (g: Element) => /code = (\S+)/.exec(g.textContent ?? '')?.[1];
    expect(codeOf(arrows[4])).toBe(codeOf(arrows[3]));
    expect(codeOf(arrows[4])).toMatch(/…#[0-9a-f]{8}$/);
    // the response: from the AS back to C, on the back channel
    expect([arrows[5].getAttribute('data-from'), arrows[5].getAttribute('data-to'), arrows[5].getAttribute('class')]).toEqual([arrows[4].getAttribute('data-to'), 'C', 'cc-arrow kind-token-response cc-back']);
    act(() => arrows[5].focus());
    const detail = container.querySelector('[data-testid="arrow-detail"]')!;
    expect(detail.textContent).toContain('token response from AS1');
    expect(detail.textContent).toContain(`id_token iss${AS}`);
    expect(container.innerHTML).not.toContain(code);
    expect(container.innerHTML).not.toContain('at-9f8e7d6c5b4a39281706f5e4d3c2b1a0');
  });
});

describe('panel: many flows', () => {
  it('draws the first diagrams (flows with findings first) and the rest on request', () => {
    const areq = (i: number, rt = 'code') =>
      entry(`${AS}/auth?${new URLSearchParams({ client_id: 'c', response_type: rt, redirect_uri: `${APP}/cb`, state: `Zq8Vn3Xw2Lr9Tk4Bz7Mc1Pd6Hf5Js0G${i}`, code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' })}`);
    const entries = [...Array.from({ length: 11 }, (_, i) => areq(i)), areq(11, 'token')];
    const c = analysed(JSON.stringify({ log: { entries } }));
    const ds = diagramsOf(c);
    expect(ds).toHaveLength(12);
    act(() => render(<FlowDiagrams diagrams={ds} findings={c.findings} />, container));
    const cards = () => [...container.querySelectorAll('[data-testid="diagram-card"]')];
    expect(cards()).toHaveLength(10);
    expect(cards()[0].getAttribute('data-severity')).toBe('high'); // the implicit flow, drawn last in time
    const more = container.querySelector<HTMLButtonElement>('[data-testid="more-diagrams"]')!;
    expect(more.textContent).toBe('Show 2 more flow diagrams');
    act(() => more.click());
    expect(cards()).toHaveLength(12);
    expect(container.querySelector('[data-testid="more-diagrams"]')).toBeNull();
  });
});

describe('popup: compact diagram under a finding', () => {
  it('shows the flow with the finding\'s own hop selected and its severity in words', () => {
    const c = analysed(COAT);
    const ds = buildDiagrams(c.flows(), { findings: c.findings });
    const f = c.findings.find((x) => x.ruleId === 'coat-context-switch')!;
    act(() =>
      render(
        <ul>
          <FindingCard finding={f} docHref="#" diagram={diagramFor(f, ds)} />
        </ul>,
        container,
      ),
    );
    const svg = container.querySelector('li.finding .flow-diagram svg.cc-compact')!;
    expect(svg).not.toBeNull();
    const sel = svg.querySelector('g.cc-arrow.cc-sel')!;
    expect(sel.getAttribute('data-kind')).toBe('as-redirect');
    expect(sel.textContent).toContain('critical coat-context-switch');
    // compact: no parameter column
    expect(svg.textContent).not.toContain('redirect_uri =');
  });

  it('with the tab\'s hops from the background (getHops), the interaction pages at the AS are drawn; malformed hops are dropped', () => {
    const c = analysed(COAT);
    const ctx = c.flows()[0].context;
    // as the runtime message hands them over: plain JSON, plus junk a damaged store might hold
    const sent = JSON.parse(JSON.stringify([...(c.engine.store.hops.get(ctx) ?? []), null, { obsId: 1 }, 'x'])) as unknown;
    const hops = diagramHops(sent);
    expect(hops.length).toBe((c.engine.store.hops.get(ctx) ?? []).length);
    const f = c.findings.find((x) => x.ruleId === 'coat-context-switch')!;
    const without = buildDiagrams(c.flows(), { findings: c.findings });
    const withHops = buildDiagrams(c.flows(), { findings: c.findings, hops: () => hops });
    expect(without[0].arrows.map((a) => a.kind)).not.toContain('interaction');
    act(() =>
      render(
        <ul>
          <FindingCard finding={f} docHref="#" diagram={diagramFor(f, withHops)} />
        </ul>,
        container,
      ),
    );
    const kinds = [...container.querySelectorAll('svg.cc-compact g.cc-arrow')].map((g) => g.getAttribute('data-kind'));
    expect(kinds).toEqual(['authorization-request', 'as-redirect', 'interaction', 'callback']);
    expect(container.querySelector('svg.cc-compact g.cc-arrow[data-kind=interaction]')?.textContent).toContain('interaction');
  });

  it('a finding without a flow gets no diagram', () => {
    const c = analysed(COAT);
    const f = { ...c.findings[0], flowId: null };
    expect(diagramFor(f, buildDiagrams(c.flows(), { findings: c.findings }))).toBeUndefined();
  });
});
