/**
 * The sequence diagram of a flow (issue #13): one pure function from the core's flow model (a flow,
 * its brokered child flows, the findings) and plain inputs (navigation hops, metadata/JWKS fetches,
 * token requests: diagram-inputs.ts) to a diagram model of lanes and arrows in time order. The
 * renderers (static SVG in diagram-svg.ts, Preact in the extension) only draw this model.
 *
 * Values are shown as the flow model keeps them: the URLs it holds are already redacted, and a
 * redacted value (`abcd…#1a2b3c4d`) is a deterministic function of the raw value, so equal values
 * still visibly match. A value (state, nonce, code_challenge, code) seen on several arrows is a
 * thread; a thread that reaches more than one AS (a state sent to AS1 arriving at AS2, a code
 * delivered by AS2 and redeemed at AS1) crossed contexts and is the one to highlight.
 */
import type { Flow } from '../flows/flow';
import type { SourceRef } from '../observe/observation';
import type { Finding, Severity } from './finding';
import { originOf } from '../util/url';
import { type Draft, interactionArrows, LaneSet, requestArrow, responseArrow, stepArrow, tokenArrows } from './diagram-arrows';
import { type DiagramFetch, type DiagramHop, sameCapture, type TokenExchange } from './diagram-inputs';
import { placeFindings, threadsOf } from './diagram-marks';

export { diagramFetchOf, diagramHops, tokenExchangeOf, type DiagramFetch, type DiagramHop, type TokenExchange } from './diagram-inputs';

export type LaneKind = 'browser' | 'client' | 'as' | 'other';

export interface Lane {
  id: string;
  kind: LaneKind;
  /** short name: Browser, C, AS1, AS2, Upstream AS, … */
  name: string;
  /** host (or origin) the lane stands for, when known */
  host?: string;
  origin?: string;
  /** the issuer, for AS lanes */
  issuer?: string;
}

export type ArrowKind =
  | 'authorization-request'
  | 'as-redirect'
  | 'interaction'
  | 'callback'
  | 'token-request'
  | 'token-response'
  | 'metadata'
  | 'jwks'
  | 'other';

export interface ArrowLabel {
  name: string;
  value: string;
  /** id of the thread this value belongs to (an equal value on another arrow) */
  thread?: string;
}

export interface ArrowFinding {
  ruleId: string;
  severity: Severity;
  title: string;
  message: string;
}

export interface Arrow {
  id: string;
  /** position in time order, from 0 */
  index: number;
  kind: ArrowKind;
  /** what the arrow is, in words (e.g. "authorization request", "AS-to-AS redirect") */
  title: string;
  from: string;
  to: string;
  /** the AS lane this message talks to (the context of the values it carries) */
  as?: string;
  /** front channel (through the browser) or back channel (server to server) */
  channel: 'front' | 'back';
  time: number;
  obsId: string;
  ref: SourceRef;
  flowId: string;
  /** redacted URL (as the flow model keeps it), when the arrow is one request */
  url?: string;
  labels: ArrowLabel[];
  /** findings raised at this arrow, worst first */
  findings: ArrowFinding[];
  /** the worst finding's severity */
  severity?: Severity;
}

export interface Thread {
  id: string;
  param: string;
  /** the value as shown (redacted unless revealing) */
  value: string;
  /** arrows that carry it, in time order */
  arrows: string[];
  /** AS lanes it reached */
  lanes: string[];
  /** it moved from one AS's context into another's (relayed or delivered by one AS, sent to another): highlighted */
  cross: boolean;
}

export interface Diagram {
  flowId: string;
  title: string;
  lanes: Lane[];
  arrows: Arrow[];
  threads: Thread[];
  /** findings of this flow that no arrow's evidence points at */
  unplaced: ArrowFinding[];
  /** the worst severity over all the diagram's findings */
  severity?: Severity;
}

export interface DiagramInput {
  /** every flow known (children are looked up here by id) */
  flows?: readonly Flow[];
  findings?: readonly Finding[];
  /** navigations of the flow's context (the flow store's hops of flow.context), for interaction pages */
  hops?: readonly DiagramHop[];
  /** back-channel requests of the capture: metadata and JWKS fetches, token requests with their responses */
  fetches?: readonly DiagramFetch[];
  /** redact secrets in redirect URIs (the flow model keeps them as given; default true) */
  redact?: boolean;
}

const MAX_ARROWS = 200;
/** a metadata fetch this long before a flow's first request may belong to it (discovery first) */
const FETCH_LEAD_MS = 5 * 60 * 1000;

/** The diagrams of a set of flows: one per root flow (a brokered child is drawn inside its parent's). */
export function buildDiagrams(flows: readonly Flow[], input: Omit<DiagramInput, 'flows' | 'hops'> & { hops?: (context: string) => readonly DiagramHop[] | undefined } = {}): Diagram[] {
  if (!Array.isArray(flows)) return [];
  const ids = new Set(flows.map((f) => f.id));
  return [...flows]
    .filter((f) => !f.parent || !ids.has(f.parent))
    .sort((a, b) => a.t0 - b.t0)
    .map((f) => buildDiagram(f, { ...input, flows, hops: input.hops?.(f.context) }));
}

/** flow (+ its child flows, hops, fetches, findings) → diagram model. Pure; never throws on a partial flow. */
export function buildDiagram(flow: Flow, input: DiagramInput = {}): Diagram {
  const byId = new Map((input.flows ?? []).map((f) => [f.id, f]));
  // the flow and its brokered children (depth-first, bounded)
  const members: { flow: Flow; depth: number }[] = [];
  const seen = new Set<string>();
  const walk = (f: Flow, depth: number) => {
    if (seen.has(f.id) || depth > 6) return;
    seen.add(f.id);
    members.push({ flow: f, depth });
    for (const c of f.children ?? []) {
      const cf = byId.get(c);
      if (cf) walk(cf, depth + 1);
    }
  };
  walk(flow, 0);

  // lanes: AS lanes first, in the order the flows reached them
  const lanes = new LaneSet(flow.client ?? originOf(flow.redirectUri) ?? originOf(flow.responses?.[0]?.base));
  const allRequests = members.flatMap((m) => (m.flow.requests ?? []).map((r) => ({ r, m }))).sort((a, b) => a.r.time - b.r.time);
  for (const { r, m } of allRequests) if (r.as?.origin) lanes.as(r.as.origin, r.as.issuer, m.depth);

  // token requests of the capture: the one a flow step names, or one that redeems a code of these flows
  const fetches = Array.isArray(input.fetches) ? input.fetches : [];
  const tokens = new Map<string, DiagramFetch & { token: TokenExchange }>();
  for (const x of fetches) if (x?.kind === 'token' && x.token) tokens.set(x.obsId, x as DiagramFetch & { token: TokenExchange });
  const codeOwner = new Map<string, string>();
  for (const { flow: f } of members) for (const r of f.responses ?? []) if (r.code?.hash) codeOwner.set(r.code.hash, f.id);

  // arrows
  const drafts: Draft[] = [];
  const stepObs = new Set<string>();
  for (const { flow: f, depth } of members) {
    const reqs = f.requests ?? [];
    for (let i = 0; i < reqs.length; i++) {
      stepObs.add(reqs[i].obsId);
      drafts.push(requestArrow(lanes, f, reqs[i], i, depth, input.redact ?? true));
    }
    for (const resp of f.responses ?? []) {
      stepObs.add(resp.obsId);
      drafts.push(responseArrow(lanes, f, resp));
    }
    for (const s of f.steps ?? []) {
      if (s.kind === 'authorization-request' || s.kind === 'authorization-response' || stepObs.has(s.obsId)) continue;
      stepObs.add(s.obsId);
      const x = s.kind === 'token-request' ? tokens.get(s.obsId) : undefined;
      drafts.push(...(x ? tokenArrows(lanes, f.id, x) : [stepArrow(lanes, f, s)]));
    }
  }
  for (const x of tokens.values()) {
    const owner = x.token.codeHash ? codeOwner.get(x.token.codeHash) : undefined;
    if (!owner || stepObs.has(x.obsId)) continue;
    stepObs.add(x.obsId);
    drafts.push(...tokenArrows(lanes, owner, x));
  }

  // metadata / JWKS fetches of the flow's ASes around the flow
  const tEnd = Math.max(...members.map((m) => m.flow.tLast ?? m.flow.t0));
  for (const x of fetches) {
    if (!x || (x.kind !== 'metadata' && x.kind !== 'jwks') || !sameCapture(x.context, flow.context)) continue;
    if (x.time < flow.t0 - FETCH_LEAD_MS || x.time > tEnd || stepObs.has(x.obsId)) continue;
    const o = originOf(x.url);
    const lane = o ? lanes.known(o) : undefined;
    if (!lane || lane.kind !== 'as') continue;
    stepObs.add(x.obsId);
    drafts.push({ kind: x.kind, title: x.kind === 'metadata' ? `metadata fetch (${lane.name})` : `JWKS fetch (${lane.name})`, from: lanes.client.id, to: lane.id, as: lane.id, channel: 'back', time: x.time, obsId: x.obsId, ref: x.ref, flowId: flow.id, url: x.url, labels: [] });
  }

  // user interaction at an AS: navigations there between the flow's steps that are not steps themselves
  drafts.push(...interactionArrows(lanes, Array.isArray(input.hops) ? input.hops : [], flow.t0, tEnd, stepObs, flow.id));

  drafts.sort((a, b) => a.time - b.time || order(a.kind) - order(b.kind));
  const arrows: Arrow[] = drafts.slice(0, MAX_ARROWS).map((d, index) => ({
    ...d,
    id: `${d.flowId}:${index}`,
    index,
    labels: d.labels.filter((l): l is [string, string] => typeof l[1] === 'string' && l[1].length > 0).map(([name, value]) => ({ name, value })),
    findings: [],
  }));

  const threads = threadsOf(arrows, flow.id);
  const { unplaced, worst } = placeFindings(arrows, input.findings ?? [], new Set(members.map((m) => m.flow.id)));

  const asNames = lanes.lanes.filter((l) => l.kind === 'as').map((l) => l.host ?? l.name);
  return {
    flowId: flow.id,
    title: `${flow.mcp ? 'MCP flow' : 'Flow'} ${flow.id}: ${lanes.client.host ?? 'client'} → ${asNames.join(' → ') || 'AS'}${flow.clientId ? ` (client_id ${flow.clientId})` : ''}${flow.mcp?.resource ? ` for resource ${flow.mcp.resource}` : ''}`,
    lanes: lanes.lanes,
    arrows,
    threads,
    unplaced,
    ...(worst ? { severity: worst } : {}),
  };
}

/** the order of arrows observed in the same millisecond */
function order(k: ArrowKind): number {
  return ['metadata', 'jwks', 'authorization-request', 'as-redirect', 'interaction', 'callback', 'token-request', 'token-response', 'other'].indexOf(k);
}
