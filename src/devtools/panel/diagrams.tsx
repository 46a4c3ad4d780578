/** The Flows view's sequence diagrams (issue #13): one per flow, above the timeline. */
import { useState } from 'preact/hooks';
import { buildDiagrams, type Diagram, diagramFetchOf, type DiagramFetch, type DiagramHop, diagramScene, diagramSvg, type Finding, type Flow, readableUrl, sceneToSvg, SEVERITY_MARK, severityRank } from '../../core';
import { DiagramView } from '../../ui/Diagram';
import { CardBoundary, FindingList, onListKeys } from './components';
import type { Capture } from '../model/capture';
import { download } from './sources';

/** Diagrams drawn at first: a capture of hundreds of flows would otherwise draw hundreds of SVGs. */
export const DIAGRAMS_SHOWN = 10;

/**
 * The diagrams of the panel's flows. From a capture (DevTools network, an imported HAR): its
 * navigation hops, and its metadata/JWKS fetches and token requests with their responses. From
 * the background: the tab's hops it sends (no request bodies there, so a token request is drawn
 * from the flow's step, without its response).
 */
export function panelDiagrams(flows: readonly Flow[], findings: readonly Finding[], from: { capture: Capture } | { hops: readonly DiagramHop[] }): Diagram[] {
  if ('hops' in from) return buildDiagrams(flows, { findings, hops: () => from.hops });
  const c = from.capture;
  const fetches: DiagramFetch[] = [];
  for (const s of c.steps) {
    const x = s.msg.kind === 'metadata' || s.msg.kind === 'jwks' || s.msg.kind === 'token-request' ? diagramFetchOf(s.obs) : undefined;
    if (x) fetches.push(x);
  }
  return buildDiagrams(flows, { findings, fetches, hops: (ctx) => c.engine.store.hops.get(ctx) });
}

export function FlowDiagrams({ diagrams, findings }: { diagrams: readonly Diagram[]; findings: readonly Finding[] }) {
  const [all, setAll] = useState(false);
  if (diagrams.length === 0) return null;
  // flows with findings first (worst first), then the others in time order
  const ordered = [...diagrams].sort((a, b) => (b.severity ? severityRank(b.severity) + 1 : 0) - (a.severity ? severityRank(a.severity) + 1 : 0));
  const shown = all ? ordered : ordered.slice(0, DIAGRAMS_SHOWN);
  return (
    <section class="diagrams" aria-label="Flow diagrams">
      {shown.map((d) => (
        <CardBoundary key={d.flowId} what={`diagram of flow ${d.flowId}`}>
          <FlowDiagram d={d} findings={findings} />
        </CardBoundary>
      ))}
      {shown.length < ordered.length && (
        <button type="button" data-testid="more-diagrams" onClick={() => setAll(true)}>
          Show {ordered.length - shown.length} more flow diagram{ordered.length - shown.length === 1 ? '' : 's'}
        </button>
      )}
    </section>
  );
}

function FlowDiagram({ d, findings }: { d: Diagram; findings: readonly Finding[] }) {
  const [selected, setSelected] = useState<string | undefined>();
  const arrow = d.arrows.find((a) => a.id === selected);
  const moved = d.threads.filter((t) => t.cross);
  const lane = (id: string) => d.lanes.find((l) => l.id === id);
  const laneName = (id: string) => {
    const l = lane(id);
    return l ? `${l.kind === 'client' ? 'C' : l.name}${l.host ? ` (${l.host})` : ''}` : id;
  };
  const arrowFindings = arrow ? findings.filter((f) => arrow.findings.some((x) => x.ruleId === f.ruleId && x.message === f.message)) : [];
  return (
    <article class="flow diagram-card" data-testid="diagram-card" data-flow={d.flowId} data-severity={d.severity ?? ''}>
      <h3>
        {d.severity && <span class={`sev sev-${d.severity}`}>{`${SEVERITY_MARK[d.severity]} ${d.severity}`}</span>} {d.title}{' '}
        <button type="button" class="export-svg" data-testid="export-svg" title="Save this diagram as an SVG file (redacted as shown)" onClick={() => download(`coatcheck-flow-${d.flowId.replace(/[^A-Za-z0-9_-]/g, '_')}.svg`, diagramSvg(d), 'image/svg+xml')}>
          Export SVG
        </button>
        <button type="button" class="export-png" data-testid="export-png" title="Save this diagram as a PNG image (redacted as shown)" onClick={() => void downloadPng(`coatcheck-flow-${d.flowId.replace(/[^A-Za-z0-9_-]/g, '_')}.png`, d)}>
          Export PNG
        </button>
      </h3>
      {moved.length > 0 && (
        <p class="thread-note" data-testid="thread-note">
          ⇄ Highlighted thread: {moved.map((t) => `${t.param} ${t.value}`).join(', ')} moved from one AS's context into another's.
        </p>
      )}
      <p class="muted hint">Click an arrow, or Tab into the diagram and move between hops with ↑ ↓ Home End.</p>
      <div class="diagram-scroll">
        <DiagramView
          diagram={d}
          options={{ themed: true, interactive: true, selected }}
          onSelect={setSelected}
          onKeyDown={(e) => onListKeys(e as KeyboardEvent & { currentTarget: HTMLElement }, '.cc-arrow')}
        />
      </div>
      {arrow && (
        <div class="arrow-detail" data-testid="arrow-detail" data-arrow={arrow.id} role="region" aria-live="polite" aria-label={`Hop ${arrow.index + 1}`}>
          <h4>
            {arrow.index + 1}. {arrow.title}: {laneName(arrow.from)} → {laneName(arrow.to)}
            {arrow.channel === 'back' ? ' (back channel)' : ''}
          </h4>
          {arrow.url && <p class="url"><code>{readableUrl(arrow.url)}</code></p>}
          {arrow.labels.length > 0 && (
            <table class="params">
              <tbody>
                {arrow.labels.map((l) => {
                  const t = l.thread ? d.threads.find((x) => x.id === l.thread) : undefined;
                  return (
                    <tr key={l.name} class={t?.cross ? 'moved' : undefined}>
                      <th scope="row">{l.name}</th>
                      <td>
                        <code>{l.value}</code>
                        {t?.cross ? ' ⇄ moved between ASes' : ''}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
          <FindingList findings={arrowFindings} empty="No finding at this hop." />
        </div>
      )}
    </article>
  );
}

/** The static SVG drawn on a canvas at twice its size, saved as PNG (for reports that take images only). */
async function downloadPng(name: string, d: Diagram): Promise<void> {
  const scene = diagramScene(d);
  const img = new Image();
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(sceneToSvg(scene.root))}`;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = scene.width * 2;
  canvas.height = scene.height * 2;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.scale(2, 2);
  ctx.drawImage(img, 0, 0, scene.width, scene.height);
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
  if (blob) download(name, blob, 'image/png');
}
