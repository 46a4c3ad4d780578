/**
 * The flow timeline as the panel shows it: one group per flow (children nested under their
 * broker's flow), each step with its decoded parameters and the findings whose evidence points at
 * it. Pure: flows and findings in (from the background or the panel's engine), rows out.
 */
import { type Evidence, type Finding, type Flow, type FlowStep, type MessageKind, metadataWarnings, parseUrl, SECRET_PARAMS, type Severity, severityRank, type SourceRef } from '../../core';
import type { Capture, CapturedStep } from './capture';
import type { Warning } from './tokens';

export interface ParamRow {
  name: string;
  /** the value as known: raw when the panel captured it, already redacted when from the background */
  value: string;
  secret: boolean;
  source: 'query' | 'fragment' | 'form' | 'request-object' | 'body' | 'response';
}

export interface TimelineStep {
  key: string;
  obsId: string;
  ref: SourceRef;
  time: number;
  kind: MessageKind;
  label: string;
  method?: string;
  status?: number;
  /** redacted URL */
  url: string;
  host: string;
  params: ParamRow[];
  findings: Finding[];
  /** the worst finding's severity, for the row marker */
  worst?: Severity;
  /** the panel's own checks of this message (metadata audit) */
  warnings: Warning[];
}

export interface TimelineGroup {
  key: string;
  title: string;
  flow?: Flow;
  /** facts about the flow (issuer, client_id, redirect_uri, PKCE …) */
  facts: [string, string][];
  steps: TimelineStep[];
  /** findings of this flow that no step's evidence matched */
  findings: Finding[];
  children: TimelineGroup[];
  depth: number;
}

export interface Timeline {
  groups: TimelineGroup[];
  /** OAuth traffic no flow owns: metadata, JWKS, token requests without a known code … */
  other: TimelineGroup;
  /** findings attached nowhere else */
  loose: Finding[];
}

const SECRETISH = /(^|_)(token|secret|assertion|verifier|code|password|ticket|session)($|_)/i;

export function isSecretParam(name: string, value: string): boolean {
  if (SECRET_PARAMS.has(name)) return true;
  if (SECRETISH.test(name) && name !== 'code_challenge' && name !== 'code_challenge_method' && name !== 'response_type' && name !== 'token_type' && !name.endsWith('_type')) return true;
  return /^eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*\./.test(value);
}

const LABELS: Record<MessageKind, string> = {
  'authorization-request': 'Authorization request',
  'authorization-response': 'Callback (authorization response)',
  'par-request': 'Pushed authorization request',
  'token-request': 'Token request',
  metadata: 'AS metadata',
  jwks: 'JWKS',
  'client-auth-request': 'Client-authenticated request',
  'end-session': 'End session',
  'pre-authorization': 'Pre-authorization',
  'resource-challenge': 'Resource server 401 (Bearer challenge)',
  'resource-metadata': 'Protected-resource metadata (RFC 9728)',
  'client-registration': 'Client registration (RFC 7591)',
  other: 'Request',
};

export function stepLabel(kind: MessageKind, opts: { hop?: boolean; grant?: string; endpoint?: string } = {}): string {
  if (kind === 'authorization-request' && opts.hop) return 'AS-to-AS hop (authorization request to another AS)';
  if (kind === 'token-request' && opts.grant) return `Token request (${opts.grant.replace('urn:ietf:params:oauth:grant-type:', '')})`;
  if (kind === 'client-auth-request' && opts.endpoint) return `Client-authenticated request (${opts.endpoint})`;
  return LABELS[kind] ?? kind;
}

function hostOf(u: string): string {
  return parseUrl(u)?.host ?? '';
}

/** Parameters of a captured message (raw values), including a JSON response body's members. */
export function paramsOfCaptured(s: CapturedStep): ParamRow[] {
  const rows: ParamRow[] = [];
  for (const [name, value] of s.msg.params.entries) {
    rows.push({ name, value, secret: isSecretParam(name, value), source: s.msg.sources.get(name) ?? 'query' });
  }
  const json = s.msg.json;
  if (json) {
    for (const [name, v] of Object.entries(json)) {
      if (s.msg.kind === 'jwks' && name === 'keys' && Array.isArray(v)) {
        rows.push({ name: 'keys', value: v.map((k) => (k && typeof k === 'object' ? `${(k as { kid?: string }).kid ?? '(no kid)'} ${(k as { kty?: string }).kty ?? ''} ${(k as { alg?: string }).alg ?? ''}`.trim() : '?')).join(', '), secret: false, source: 'response' });
        continue;
      }
      const value = typeof v === 'string' ? v : JSON.stringify(v);
      rows.push({ name, value, secret: isSecretParam(name, value), source: 'response' });
    }
  }
  return rows;
}

/** Parameters read back from a (redacted) URL, for steps the panel did not capture itself. */
export function paramsOfUrl(url: string): ParamRow[] {
  const p = parseUrl(url);
  if (!p) return [];
  return [
    ...p.query.entries.map(([name, value]) => ({ name, value, secret: isSecretParam(name, value), source: 'query' as const })),
    ...p.fragment.entries.map(([name, value]) => ({ name, value, secret: isSecretParam(name, value), source: 'fragment' as const })),
  ];
}

/** Checks the panel runs on a captured message itself: metadata documents. */
export function stepWarnings(c: CapturedStep): Warning[] {
  if (c.msg.kind === 'metadata' && c.msg.json) return metadataWarnings(c.msg.json, c.obs.url);
  return [];
}

function worst(fs: Finding[]): Severity | undefined {
  let w: Severity | undefined;
  for (const f of fs) if (!w || severityRank(f.severity) > severityRank(w)) w = f.severity;
  return w;
}

function flowFacts(f: Flow): [string, string][] {
  const facts: [string, string][] = [['Issuer', `${f.as.issuer}${f.as.source === 'origin' ? ' (from the origin only)' : ` (from ${f.as.source})`}`]];
  if (f.clientId) facts.push(['client_id', f.clientId]);
  if (f.redirectUri) facts.push(['redirect_uri', f.redirectUri]);
  if (f.responseType) facts.push(['response_type', f.responseType]);
  if (f.state) facts.push(['state', `${f.state.shown} (${f.state.length} chars)`]);
  if (f.nonce) facts.push(['nonce', f.nonce.shown]);
  facts.push(['PKCE', f.codeChallenge ? `${f.codeChallengeMethod ?? 'plain (no method)'}` : f.paramsKnown ? 'none' : 'unknown (PAR/JAR)']);
  if (f.as.sendsIss !== undefined) facts.push(['RFC 9207 iss', f.as.sendsIss ? 'supported' : 'not advertised']);
  if (f.mcp) facts.push(['MCP', [`discovered through ${f.mcp.via === 'challenge' ? 'a 401 naming resource_metadata' : 'protected-resource metadata'}`, f.mcp.resource && `resource ${f.mcp.resource}`, f.mcp.protocolVersion && `protocol ${f.mcp.protocolVersion}`].filter(Boolean).join(', ')]);
  return facts;
}

export interface TimelineInput {
  flows: readonly Flow[];
  findings: readonly Finding[];
  capture?: Capture;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const refOf = (v: unknown): SourceRef => {
  const r = isObj(v) ? v : {};
  return { ...(typeof r.input === 'number' ? { input: r.input } : {}), ...(typeof r.entry === 'number' ? { entry: r.entry } : {}), ...(typeof r.requestId === 'string' ? { requestId: r.requestId } : {}) };
};

/**
 * Flows as they come over runtime messaging (another version of the background, storage from an
 * older release): keep what has the shape the timeline reads, with defaults for the rest.
 */
export function normalizeFlows(raw: unknown): Flow[] {
  if (!Array.isArray(raw)) return [];
  const out: Flow[] = [];
  for (const f of raw) {
    if (!isObj(f) || typeof f.id !== 'string') continue;
    const as = isObj(f.as) ? f.as : {};
    const origin = str(as.origin) ?? '';
    const steps = (Array.isArray(f.steps) ? f.steps : []).filter(isObj).map((x) => ({ ref: refOf(x.ref), obsId: str(x.obsId) ?? '', time: num(x.time), kind: (str(x.kind) ?? 'other') as MessageKind, url: str(x.url) ?? '' }));
    const reqs = (Array.isArray(f.requests) ? f.requests : []).filter(isObj).map((x) => ({ ...(x as object), ref: refOf(x.ref), obsId: str(x.obsId) ?? '', time: num(x.time), url: str(x.url) ?? '', as: isObj(x.as) ? (x.as as unknown as Flow['as']) : { origin, issuer: str(as.issuer) ?? origin, source: 'origin' as const, endpoint: '' } }));
    const resps = (Array.isArray(f.responses) ? f.responses : []).filter(isObj).map((x) => ({ ...(x as object), ref: refOf(x.ref), obsId: str(x.obsId) ?? '', time: num(x.time), url: str(x.url) ?? '' }));
    out.push({
      ...(f as object),
      id: f.id,
      context: str(f.context) ?? '',
      t0: num(f.t0),
      tLast: num(f.tLast),
      as: { ...(as as object), origin, issuer: str(as.issuer) ?? origin, source: (str(as.source) ?? 'origin') as Flow['as']['source'], endpoint: str(as.endpoint) ?? '' },
      paramsKnown: f.paramsKnown !== false,
      children: (Array.isArray(f.children) ? f.children : []).filter((c): c is string => typeof c === 'string'),
      steps,
      requests: reqs as unknown as Flow['requests'],
      responses: resps as unknown as Flow['responses'],
    } as Flow);
  }
  return out;
}

export function normalizeFindings(raw: unknown): Finding[] {
  if (!Array.isArray(raw)) return [];
  const out: Finding[] = [];
  for (const f of raw) {
    if (!isObj(f) || typeof f.ruleId !== 'string' || typeof f.severity !== 'string' || !['critical', 'high', 'medium', 'low', 'info'].includes(f.severity)) continue;
    out.push({
      ...(f as object),
      ruleId: f.ruleId,
      severity: f.severity as Severity,
      confidence: f.confidence === 'heuristic' ? 'heuristic' : 'strong',
      title: str(f.title) ?? f.ruleId,
      message: str(f.message) ?? '',
      references: (Array.isArray(f.references) ? f.references : []).filter((x): x is string => typeof x === 'string'),
      flowId: str(f.flowId) ?? null,
      // only the known fields, each of its type: a wrong-typed entry or requestId must not reach the lookups
      evidence: (Array.isArray(f.evidence) ? f.evidence : []).filter(isObj).map((e) => {
        const ev: Evidence = { ...refOf(e), url: str(e.url) ?? '' };
        if (str(e.param) !== undefined) ev.param = str(e.param);
        if (str(e.value) !== undefined) ev.value = str(e.value);
        if (str(e.note) !== undefined) ev.note = str(e.note);
        return ev;
      }),
      context: str(f.context) ?? '',
      time: num(f.time),
    } as Finding);
  }
  return out;
}

export function buildTimeline(input: TimelineInput): Timeline {
  const captured = new Map<string, CapturedStep>();
  for (const s of input.capture?.steps ?? []) captured.set(s.obs.id, s);
  const used = new Set<string>();
  const allSteps: { step: TimelineStep; group: TimelineGroup }[] = [];

  const makeStep = (fs: FlowStep, flow: Flow | undefined, hop: boolean): TimelineStep => {
    const c = captured.get(fs.obsId);
    used.add(fs.obsId);
    const params = c ? paramsOfCaptured(c) : paramsOfUrl(fs.url);
    return {
      key: `${flow?.id ?? 'x'}:${fs.obsId}`,
      obsId: fs.obsId,
      ref: fs.ref,
      time: fs.time,
      kind: fs.kind,
      label: stepLabel(fs.kind, { hop, grant: c?.msg.params.get('grant_type'), endpoint: c?.msg.endpoint }),
      method: c?.obs.method,
      status: c?.obs.status,
      url: fs.url,
      host: hostOf(fs.url),
      params,
      findings: [],
      warnings: c ? stepWarnings(c) : [],
    };
  };

  const byId = new Map(input.flows.map((f) => [f.id, f]));
  const groupOf = new Map<string, TimelineGroup>();
  const makeGroup = (f: Flow, depth: number): TimelineGroup => {
    const firstAs = f.requests[0]?.as.origin ?? f.as.origin;
    const seen = new Set<string>();
    const steps: TimelineStep[] = [];
    const ordered = [...f.steps].sort((a, b) => a.time - b.time);
    for (const s of ordered) {
      if (seen.has(s.obsId)) continue;
      seen.add(s.obsId);
      const req = f.requests.find((r) => r.obsId === s.obsId);
      const hop = s.kind === 'authorization-request' && req !== undefined && req !== f.requests[0] && req.as.origin !== firstAs;
      steps.push(makeStep(s, f, hop));
    }
    // requests/responses the steps list does not carry (older state)
    for (const r of f.requests) if (!seen.has(r.obsId)) { seen.add(r.obsId); steps.push(makeStep({ ref: r.ref, obsId: r.obsId, time: r.time, kind: 'authorization-request', url: r.url }, f, r !== f.requests[0] && r.as.origin !== firstAs)); }
    for (const r of f.responses) if (!seen.has(r.obsId)) { seen.add(r.obsId); steps.push(makeStep({ ref: r.ref, obsId: r.obsId, time: r.time, kind: 'authorization-response', url: r.url }, f, false)); }
    steps.sort((a, b) => a.time - b.time);
    const g: TimelineGroup = {
      key: f.id,
      title: `${f.parent ? 'Brokered upstream flow' : f.mcp ? 'MCP flow' : 'Flow'} ${f.id} · ${hostOf(f.as.endpoint || f.as.origin) || f.as.origin}${f.clientId ? ` · ${f.clientId}` : ''}`,
      flow: f,
      facts: flowFacts(f),
      steps,
      findings: [],
      children: [],
      depth,
    };
    groupOf.set(f.id, g);
    for (const s of steps) allSteps.push({ step: s, group: g });
    return g;
  };

  const roots: TimelineGroup[] = [];
  const build = (f: Flow, depth: number, parent?: TimelineGroup) => {
    if (groupOf.has(f.id) || depth > 8) return;
    const g = makeGroup(f, depth);
    if (parent) parent.children.push(g);
    else roots.push(g);
    for (const c of f.children) {
      const cf = byId.get(c);
      if (cf) build(cf, depth + 1, g);
    }
  };
  const sortedFlows = [...input.flows].sort((a, b) => a.t0 - b.t0);
  for (const f of sortedFlows) if (!f.parent || !byId.has(f.parent)) build(f, 0);
  for (const f of sortedFlows) build(f, 0); // orphans of a cycle

  // traffic no flow owns
  const other: TimelineGroup = { key: 'other', title: 'Other OAuth traffic (metadata, JWKS, token endpoint, …)', facts: [], steps: [], findings: [], children: [], depth: 0 };
  for (const c of input.capture?.steps ?? []) {
    if (used.has(c.obs.id)) continue;
    if (c.msg.kind === 'other' && !c.obs.requestHeaders.some((h) => /^authorization$/i.test(h.name))) continue;
    const url = input.capture!.engine.store.redactUrl(c.obs.url);
    const step: TimelineStep = {
      key: `other:${c.obs.id}`,
      obsId: c.obs.id,
      ref: c.obs.ref,
      time: c.obs.time,
      kind: c.msg.kind,
      label: stepLabel(c.msg.kind, { grant: c.msg.params.get('grant_type'), endpoint: c.msg.endpoint }),
      method: c.obs.method,
      status: c.obs.status,
      url,
      host: hostOf(c.obs.url),
      params: paramsOfCaptured(c),
      findings: [],
      warnings: stepWarnings(c),
    };
    other.steps.push(step);
    allSteps.push({ step, group: other });
  }
  other.steps.sort((a, b) => a.time - b.time);

  // attach findings: by evidence (request id, HAR entry, URL), else to the flow, else loose.
  // Indexed, so that a large imported HAR stays fast.
  type Placed = (typeof allSteps)[number];
  const byReq = new Map<string, Placed[]>();
  const byEntry = new Map<string, Placed[]>();
  const byUrl = new Map<string, Placed[]>();
  const push = (m: Map<string, Placed[]>, k: string, v: Placed) => {
    const l = m.get(k);
    if (l) l.push(v);
    else m.set(k, [v]);
  };
  for (const x of allSteps) {
    if (x.step.ref.requestId !== undefined) push(byReq, x.step.ref.requestId, x);
    if (x.step.ref.entry !== undefined) push(byEntry, `${x.step.ref.input ?? 0}:${x.step.ref.entry}`, x);
    push(byUrl, x.step.url, x);
  }
  const lookup = (ev: Finding['evidence'][number]): Placed[] => {
    if (ev.requestId !== undefined && byReq.has(ev.requestId)) {
      // a browser keeps one request id for a whole redirect chain: the URL tells its steps apart
      const all = byReq.get(ev.requestId)!;
      const sameUrl = all.length > 1 ? all.filter((x) => x.step.url === ev.url) : [];
      return sameUrl.length > 0 ? sameUrl : all;
    }
    if (ev.entry !== undefined && byEntry.has(`${ev.input ?? 0}:${ev.entry}`)) return byEntry.get(`${ev.input ?? 0}:${ev.entry}`)!;
    return byUrl.get(ev.url) ?? [];
  };
  const loose: Finding[] = [];
  for (const f of input.findings) {
    // the step that raised it: among the steps its evidence points at, the one observed when the
    // finding was raised (evidence often cites earlier context first), else the first cited;
    // steps of the finding's own flow first
    const hits: Placed[] = [];
    for (const ev of f.evidence) {
      const found = lookup(ev);
      const hit = found.find((x) => x.group.key === f.flowId) ?? found[0];
      if (hit && !hits.includes(hit)) hits.push(hit);
    }
    const hit = hits.find((x) => x.step.time === f.time) ?? hits[0];
    if (hit) {
      if (!hit.step.findings.includes(f)) hit.step.findings.push(f);
      continue;
    }
    const g = f.flowId ? groupOf.get(f.flowId) : undefined;
    if (g) g.findings.push(f);
    else loose.push(f);
  }
  for (const { step } of allSteps) {
    step.worst = worst(step.findings);
    for (const w of step.warnings) if (!step.worst || severityRank(w.severity) > severityRank(step.worst)) step.worst = w.severity;
  }
  return { groups: roots, other, loose };
}
