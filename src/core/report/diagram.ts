/**
 * The sequence diagram of a flow (issue #13): one pure function from the core's flow model (a flow,
 * its brokered child flows, the store's navigation hops, metadata/JWKS fetches and the findings) to
 * a diagram model of lanes and arrows in time order. The renderers (static SVG here, Preact in the
 * extension) only draw this model.
 *
 * Values are shown as the flow model keeps them: the URLs it holds are already redacted, and a
 * redacted value (`abcd…#1a2b3c4d`) is a deterministic function of the raw value, so equal values
 * still visibly match. A value (state, nonce, code_challenge, code) seen on several arrows is a
 * thread; a thread that reaches more than one AS (a state sent to AS1 arriving at AS2, a code
 * delivered by AS2 and redeemed at AS1) crossed contexts and is the one to highlight.
 */
import type { MessageKind } from '../classify/message';
import type { Flow, FlowRequest, FlowResponse } from '../flows/flow';
import type { Hop } from '../flows/store';
import type { Observation, SourceRef } from '../observe/observation';
import { type Finding, type Severity, severityRank } from './finding';
import { redactUrl } from '../util/secret';
import { originOf, parseUrl, siteOf } from '../util/url';

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

/** A metadata or JWKS fetch seen in the capture (not part of any flow record). */
export interface DiagramFetch {
  kind: 'metadata' | 'jwks';
  url: string;
  time: number;
  obsId: string;
  ref: SourceRef;
  context: string;
}

export interface DiagramInput {
  /** every flow known (children are looked up here by id) */
  flows?: readonly Flow[];
  findings?: readonly Finding[];
  /** the store's navigation hops of the flow's context (engine.store.hops.get(flow.context)) */
  hops?: readonly Hop[];
  fetches?: readonly DiagramFetch[];
  /** redact secrets in redirect URIs (the flow model keeps them as given; default true) */
  redact?: boolean;
}

/** Values that identify a flow's context: equal values across arrows form a thread. */
const THREAD_PARAMS = ['state', 'nonce', 'code_challenge', 'code'];
const MAX_LANES = 10;
const MAX_ARROWS = 200;
/** a metadata fetch this long before a flow's first request may belong to it (discovery first) */
const FETCH_LEAD_MS = 5 * 60 * 1000;

function hostOf(u: string | undefined): string | undefined {
  return u ? (parseUrl(u)?.host ?? undefined) : undefined;
}

function refKey(r: SourceRef): string[] {
  const out: string[] = [];
  if (r.requestId !== undefined) out.push(`r:${r.requestId}`);
  if (r.entry !== undefined) out.push(`e:${r.input ?? 0}:${r.entry}`);
  return out;
}

/** The diagrams of a set of flows: one per root flow (a brokered child is drawn inside its parent's). */
export function buildDiagrams(flows: readonly Flow[], input: Omit<DiagramInput, 'flows' | 'hops'> & { hops?: (context: string) => readonly Hop[] | undefined } = {}): Diagram[] {
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

  // lanes
  const lanes: Lane[] = [{ id: 'browser', kind: 'browser', name: 'Browser' }];
  const laneByOrigin = new Map<string, Lane>();
  const clientOrigin = flow.client ?? originOf(flow.redirectUri) ?? originOf(flow.responses?.[0]?.base);
  if (clientOrigin) {
    const c: Lane = { id: 'C', kind: 'client', name: 'C', origin: clientOrigin, host: hostOf(clientOrigin) };
    lanes.push(c);
    laneByOrigin.set(clientOrigin, c);
  } else lanes.push({ id: 'C', kind: 'client', name: 'C' });
  const clientLane = lanes[1];
  let asCount = 0;
  let upstreamCount = 0;
  const asLane = (origin: string, issuer: string | undefined, depth: number): Lane => {
    const known = laneByOrigin.get(origin);
    if (known) {
      if (known.kind === 'as' && !known.issuer && issuer) known.issuer = issuer;
      return known;
    }
    if (lanes.length >= MAX_LANES) return lanes[lanes.length - 1];
    const name = depth > 0 ? `Upstream${++upstreamCount > 1 ? ` ${upstreamCount}` : ''}` : `AS${++asCount}`;
    const l: Lane = { id: `as${lanes.length}`, kind: 'as', name, origin, host: hostOf(origin), issuer };
    lanes.push(l);
    laneByOrigin.set(origin, l);
    return l;
  };
  /** the lane of an origin seen as a previous hop or a target: a known lane, an AS on the same site, or a new "other" lane */
  const laneOf = (origin: string | undefined, fallback: Lane): Lane => {
    if (!origin) return fallback;
    const known = laneByOrigin.get(origin);
    if (known) return known;
    const host = parseUrl(origin)?.hostname;
    if (host) {
      const site = siteOf(host);
      const sameSite = lanes.find((l) => l.kind === 'as' && l.origin && siteOf(parseUrl(l.origin)?.hostname ?? '') === site);
      if (sameSite) return sameSite;
    }
    if (lanes.length >= MAX_LANES) return fallback;
    const l: Lane = { id: `o${lanes.length}`, kind: 'other', name: 'Other site', origin, host: hostOf(origin) };
    lanes.push(l);
    laneByOrigin.set(origin, l);
    return l;
  };
  // AS lanes first, in the order the flows reached them
  const allRequests = members.flatMap((m) => (m.flow.requests ?? []).map((r) => ({ r, m }))).sort((a, b) => a.r.time - b.r.time);
  for (const { r, m } of allRequests) if (r.as?.origin) asLane(r.as.origin, r.as.issuer, m.depth);

  const shownUri = (u: string | undefined) => (u === undefined ? undefined : redactUrl(u, { redact: input.redact ?? true }));

  // arrows
  type Draft = Omit<Arrow, 'index' | 'id' | 'findings' | 'labels'> & { labels: [string, string | undefined][] };
  const drafts: Draft[] = [];
  const stepObs = new Set<string>();
  for (const { flow: f, depth } of members) {
    const reqs = f.requests ?? [];
    for (let i = 0; i < reqs.length; i++) {
      const r = reqs[i];
      stepObs.add(r.obsId);
      drafts.push(requestArrow(f, r, i, depth));
    }
    for (const resp of f.responses ?? []) {
      stepObs.add(resp.obsId);
      drafts.push(responseArrow(f, resp));
    }
    for (const s of f.steps ?? []) {
      if (s.kind === 'authorization-request' || s.kind === 'authorization-response' || stepObs.has(s.obsId)) continue;
      stepObs.add(s.obsId);
      drafts.push(backChannelArrow(f, s.kind, s.url, s.time, s.obsId, s.ref));
    }
  }

  function requestArrow(f: Flow, r: FlowRequest, i: number, depth: number): Draft {
    const to = asLane(r.as?.origin ?? originOf(r.url) ?? '?', r.as?.issuer, depth);
    const prevAs = i > 0 ? f.requests[i - 1].as?.origin : undefined;
    const fromLane = r.from ? laneOf(r.from, lanes[0]) : lanes[0];
    const relayed = i > 0 && fromLane.kind === 'as' && fromLane !== to;
    const p = parseUrl(r.url);
    const q = p?.query;
    return {
      kind: relayed ? 'as-redirect' : 'authorization-request',
      title: relayed ? `AS-to-AS redirect: authorization request to ${to.name}` : i > 0 && prevAs !== r.as?.origin ? `authorization request to ${to.name} (another AS)` : `authorization request${depth > 0 ? ' (brokered upstream)' : ''}`,
      from: fromLane.id,
      to: to.id,
      as: to.id,
      channel: 'front',
      time: r.time,
      obsId: r.obsId,
      ref: r.ref,
      flowId: f.id,
      url: r.url,
      labels: [
        ['client_id', r.clientId ?? q?.get('client_id')],
        ['redirect_uri', shownUri(r.redirectUri ?? q?.get('redirect_uri'))],
        ['response_type', r.responseType ?? q?.get('response_type')],
        ['state', q?.get('state') ?? (i === 0 ? f.state?.shown : undefined)],
        ['nonce', q?.get('nonce') ?? (i === 0 ? f.nonce?.shown : undefined)],
        ['code_challenge', q?.get('code_challenge') ?? (i === 0 ? f.codeChallenge : undefined)],
        ['code_challenge_method', q?.get('code_challenge_method')],
        ['request_uri', q?.get('request_uri')],
      ],
    };
  }

  function responseArrow(f: Flow, resp: FlowResponse): Draft {
    const p = parseUrl(resp.url);
    const get = (n: string) => p?.query.get(n) ?? p?.fragment.get(n);
    // who delivered it: the AS of the flow's last request before it
    let last: FlowRequest | undefined;
    for (const r of f.requests ?? []) if (r.time <= resp.time) last = r;
    last ??= f.requests?.[f.requests.length - 1];
    const fromLane = last?.as?.origin ? (laneByOrigin.get(last.as.origin) ?? lanes[0]) : lanes[0];
    const target = laneOf(originOf(resp.base) ?? originOf(resp.url), clientLane);
    return {
      kind: 'callback',
      title: `callback (authorization response${resp.mode === 'form_post' ? ', form_post' : resp.mode === 'fragment' ? ', fragment' : ''})`,
      from: fromLane.id,
      to: target.id,
      as: fromLane.kind === 'as' ? fromLane.id : undefined,
      channel: 'front',
      time: resp.time,
      obsId: resp.obsId,
      ref: resp.ref,
      flowId: f.id,
      url: resp.url,
      labels: [
        ['code', get('code') ?? resp.code?.shown],
        ['state', get('state')],
        ['iss', resp.iss ?? get('iss')],
        ['error', resp.error ?? get('error')],
        ['token', resp.hasToken ? 'access token in the response' : undefined],
      ],
    };
  }

  function backChannelArrow(f: Flow, kind: MessageKind, url: string, time: number, obsId: string, ref: SourceRef): Draft {
    const to = laneOf(originOf(url), lanes[0]);
    const codes = (f.responses ?? []).filter((r) => r.code).map((r) => r.code!.shown);
    const token = kind === 'token-request';
    return {
      kind: token ? 'token-request' : kind === 'metadata' ? 'metadata' : kind === 'jwks' ? 'jwks' : 'other',
      title: token ? `token request${to.kind === 'as' ? ` to ${to.name}` : ''}` : kind,
      from: clientLane.id,
      to: to.id,
      as: to.kind === 'as' ? to.id : undefined,
      channel: 'back',
      time,
      obsId,
      ref,
      flowId: f.id,
      url,
      // the token request was tied to this flow by its code: with one code delivered, it is that one
      labels: [['code', token && new Set(codes).size === 1 ? codes[0] : undefined]],
    };
  }

  // metadata / JWKS fetches of the flow's ASes around the flow
  const tEnd = Math.max(...members.map((m) => m.flow.tLast ?? m.flow.t0));
  for (const x of input.fetches ?? []) {
    if (!sameCapture(x.context, flow.context)) continue;
    if (x.time < flow.t0 - FETCH_LEAD_MS || x.time > tEnd || stepObs.has(x.obsId)) continue;
    const o = originOf(x.url);
    const lane = o ? laneByOrigin.get(o) : undefined;
    if (!lane || lane.kind !== 'as') continue;
    stepObs.add(x.obsId);
    drafts.push({ kind: x.kind, title: x.kind === 'metadata' ? `metadata fetch (${lane.name})` : `JWKS fetch (${lane.name})`, from: clientLane.id, to: lane.id, as: lane.id, channel: 'back', time: x.time, obsId: x.obsId, ref: x.ref, flowId: flow.id, url: x.url, labels: [] });
  }

  // user interaction at an AS: navigations there between the flow's steps that are not steps themselves
  const asOrigins = new Map(lanes.filter((l) => l.kind === 'as' && l.origin).map((l) => [l.origin!, l]));
  let lastInteraction: Draft | undefined;
  for (const h of input.hops ?? []) {
    if (h.time < flow.t0 || h.time > tEnd) continue;
    const lane = stepObs.has(h.obsId) ? undefined : asOrigins.get(h.origin);
    if (!lane) {
      lastInteraction = undefined;
      continue;
    }
    if (lastInteraction && lastInteraction.to === lane.id) {
      lastInteraction.labels[0][1] = String(Number(lastInteraction.labels[0][1]) + 1);
      continue;
    }
    lastInteraction = { kind: 'interaction', title: `user interaction at ${lane.name} (login, consent)`, from: 'browser', to: lane.id, as: lane.id, channel: 'front', time: h.time, obsId: h.obsId, ref: {}, flowId: flow.id, labels: [['pages', '1']] };
    drafts.push(lastInteraction);
  }

  drafts.sort((a, b) => a.time - b.time || order(a.kind) - order(b.kind));
  const kept = drafts.slice(0, MAX_ARROWS);
  const arrows: Arrow[] = kept.map((d, index) => ({
    ...d,
    id: `${d.flowId}:${index}`,
    index,
    labels: d.labels.filter((l): l is [string, string] => typeof l[1] === 'string' && l[1].length > 0).map(([name, value]) => ({ name, value })),
    findings: [],
  }));

  // threads: equal values of the context parameters on several arrows
  const threads: Thread[] = [];
  const byValue = new Map<string, Thread>();
  for (const a of arrows) {
    for (const l of a.labels) {
      if (!THREAD_PARAMS.includes(l.name)) continue;
      const key = `${l.name}\u0000${l.value}`;
      let t = byValue.get(key);
      if (!t) {
        t = { id: `t${byValue.size}`, param: l.name, value: l.value, arrows: [], lanes: [], cross: false };
        byValue.set(key, t);
      }
      if (!t.arrows.includes(a.id)) t.arrows.push(a.id);
      if (a.as && !t.lanes.includes(a.as)) t.lanes.push(a.as);
    }
  }
  const arrowById = new Map(arrows.map((a) => [a.id, a]));
  for (const t of byValue.values()) {
    if (t.arrows.length < 2) continue;
    t.cross = moved(t.arrows.map((id) => arrowById.get(id)!));
    t.id = `${flow.id}:${t.param}:${threads.length}`;
    threads.push(t);
    for (const a of arrows) for (const l of a.labels) if (l.name === t.param && l.value === t.value && t.arrows.includes(a.id)) l.thread = t.id;
  }

  // findings: at the arrow their evidence points at (the one observed when the finding was raised first)
  const flowIds = new Set(members.map((m) => m.flow.id));
  const byRef = new Map<string, Arrow[]>();
  for (const a of arrows)
    for (const k of refKey(a.ref)) {
      const l = byRef.get(k);
      if (l) l.push(a);
      else byRef.set(k, [a]);
    }
  const unplaced: ArrowFinding[] = [];
  let worst: Severity | undefined;
  for (const f of input.findings ?? []) {
    const mine = f.flowId !== null && flowIds.has(f.flowId);
    if (!mine && f.flowId !== null) continue; // another flow's finding is drawn in that flow's diagram
    const hits: Arrow[] = [];
    for (const ev of f.evidence ?? []) {
      const found: Arrow[] = [];
      for (const k of refKey(ev)) for (const a of byRef.get(k) ?? []) if (!found.includes(a)) found.push(a);
      if (found.length === 0) continue;
      // a browser keeps one request id for a whole redirect chain: the URL tells its hops apart
      const sameUrl = found.filter((a) => a.url === ev.url);
      const pool = sameUrl.length > 0 ? sameUrl : found;
      const hit = pool.find((a) => a.time === f.time) ?? pool[0];
      if (!hits.includes(hit)) hits.push(hit);
    }
    if (hits.length === 0 && !mine) continue;
    // the arrow observed when the finding was raised (evidence often cites earlier context first), else the last cited
    const hit = hits.find((a) => a.time === f.time) ?? hits[hits.length - 1];
    const af: ArrowFinding = { ruleId: f.ruleId, severity: f.severity, title: f.title, message: f.message };
    if (hit) {
      if (!hit.findings.some((x) => x.ruleId === af.ruleId && x.message === af.message)) hit.findings.push(af);
    } else if (!unplaced.some((x) => x.ruleId === af.ruleId && x.message === af.message)) unplaced.push(af);
    if (!worst || severityRank(f.severity) > severityRank(worst)) worst = f.severity;
  }
  for (const a of arrows) {
    a.findings.sort((x, y) => severityRank(y.severity) - severityRank(x.severity));
    a.severity = a.findings[0]?.severity;
  }

  const asNames = lanes.filter((l) => l.kind === 'as').map((l) => l.host ?? l.name);
  return {
    flowId: flow.id,
    title: `${flow.mcp ? 'MCP flow' : 'Flow'} ${flow.id}: ${clientLane.host ?? 'client'} → ${asNames.join(' → ') || 'AS'}${flow.clientId ? ` (client_id ${flow.clientId})` : ''}${flow.mcp?.resource ? ` for resource ${flow.mcp.resource}` : ''}`,
    lanes,
    arrows,
    threads,
    unplaced,
    ...(worst ? { severity: worst } : {}),
  };
}

/**
 * Did a value move from one AS's context into another's? It did when an arrow takes it to AS Y
 * after AS X ≠ Y had it, and X handed it on: X relayed the arrow to Y (an AS-to-AS redirect), or X
 * delivered it (a callback from X, then a token request to Y). A client that itself sends one
 * state to two ASes (a restart at another provider) reuses it, but nothing moved it.
 */
function moved(arrows: Arrow[]): boolean {
  for (let j = 1; j < arrows.length; j++) {
    const b = arrows[j];
    if (!b.as) continue;
    for (let i = 0; i < j; i++) {
      const a = arrows[i];
      if (!a.as || a.as === b.as) continue;
      if (b.from === a.as || a.from === a.as) return true;
    }
  }
  return false;
}

/** same tab, or the same HAR input (a server-side client's fetches carry no page) */
function sameCapture(a: string, b: string): boolean {
  if (a === b) return true;
  const x = /^har:(\d+):/.exec(a);
  const y = /^har:(\d+):/.exec(b);
  return x !== null && y !== null && x[1] === y[1];
}

/** the order of arrows observed in the same millisecond */
function order(k: ArrowKind): number {
  return ['metadata', 'jwks', 'authorization-request', 'as-redirect', 'interaction', 'callback', 'token-request', 'other'].indexOf(k);
}

/**
 * A metadata or JWKS fetch in an observation (for DiagramInput.fetches): an RFC 8414 / OIDC
 * discovery document by its well-known path, a JWKS by its JSON body's `keys` array.
 */
export function diagramFetchOf(o: Observation): DiagramFetch | undefined {
  const p = parseUrl(o.url);
  if (!p || o.type === 'main_frame' || o.type === 'sub_frame') return undefined;
  let kind: DiagramFetch['kind'] | undefined;
  if (/\/\.well-known\/(openid-configuration|oauth-authorization-server)/.test(p.pathname)) kind = 'metadata';
  else if (o.responseBody && o.responseBody.length < 200_000 && /^\s*\{/.test(o.responseBody) && o.responseBody.includes('"keys"')) {
    try {
      const j = JSON.parse(o.responseBody) as unknown;
      if (j && typeof j === 'object' && Array.isArray((j as { keys?: unknown }).keys)) kind = 'jwks';
    } catch {
      /* not JSON */
    }
  }
  return kind ? { kind, url: p.origin + p.pathname, time: o.time, obsId: o.id, ref: o.ref, context: o.context } : undefined;
}
