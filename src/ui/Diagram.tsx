/**
 * The flow diagram in the extension's pages: the core's scene (core/report/diagram-svg.ts) mapped
 * to Preact elements. Thin on purpose: layout, labels and marks are the core's; Preact escapes the
 * text. The panel makes it interactive (click or keyboard on an arrow), the popup shows it compact.
 */
import { h, type JSX } from 'preact';
import { type Diagram, diagramScene, type SceneNode, type SceneOptions } from '../core';

/** SVG attribute names the scene uses, as Preact wants them (it passes them through as given). */
function renderNode(n: SceneNode, key?: number): JSX.Element {
  const children = [...(n.text !== undefined ? [n.text] : []), ...(n.children ?? []).map((c, i) => renderNode(c, i))];
  return h(n.tag, { key, ...n.attrs }, ...children) as JSX.Element;
}

export function DiagramView(props: { diagram: Diagram; options?: SceneOptions; onSelect?: (arrowId: string) => void; onKeyDown?: (e: KeyboardEvent) => void }) {
  const scene = diagramScene(props.diagram, props.options);
  const pick = (e: Event) => {
    const g = (e.target as Element | null)?.closest?.('[data-arrow]');
    const id = g?.getAttribute('data-arrow');
    if (id && props.onSelect) props.onSelect(id);
  };
  return (
    <div
      class="diagram-view"
      data-testid="flow-diagram"
      data-flow={props.diagram.flowId}
      onClick={props.onSelect ? pick : undefined}
      onFocusIn={props.onSelect ? pick : undefined}
      onKeyDown={props.onKeyDown}
    >
      {renderNode(scene.root)}
    </div>
  );
}
