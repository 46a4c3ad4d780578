import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Engine } from '../engine';
import type { Flow } from '../flows/flow';
import { feedHarEntries } from '../observe/har-feed';
import type { Observation } from '../observe/observation';
import { keycloakBrokeringToGoogle } from '../testing/mixup-fixtures';
import { areq, ATTACKER, clean, coat, HONEST, mixup, P } from '../testing/mixup-scenarios';
import { obs, post, q, rand, resetBuilders, run } from '../testing/builders';
import { Engine as EngineClass } from '../engine';
import { buildDiagram, buildDiagrams, diagramFetchOf, type Diagram, type DiagramFetch } from './diagram';

function diagrams(observations: Observation[]): { ds: Diagram[]; engine: Engine } {
  const { engine } = run(observations);
  const fetches = observations.map(diagramFetchOf).filter((x): x is DiagramFetch => x !== undefined);
  return { ds: buildDiagrams(engine.flows(), { findings: engine.findings, fetches, hops: (c) => engine.store.hops.get(c) }), engine };
}

/** the code of the last response redeemed at `tokenUrl` by the server-side client (proxy capture) */
function redeem(observations: Observation[], tokenUrl: string): Observation[] {
  const last = observations[observations.length - 1];
  const code = new URL(last.url).searchParams.get('code')!;
  return [...observations, post(tokenUrl, { grant_type: 'authorization_code', code, redirect_uri: last.url.split('?')[0], client_id: 'c' }, { context: 'proxy:1' })];
}

function metadata(issuer: string): Observation {
  return obs(`${issuer}/.well-known/openid-configuration`, { type: 'fetch', at: 0, responseBody: { issuer, authorization_endpoint: `${issuer}/authorize`, token_endpoint: `${issuer}/token` } });
}

interface Case {
  name: string;
  observations: () => Observation[];
  /** lane names after Browser and C, with their hosts */
  lanes: string[];
  kinds: string[];
  /** rule id → arrow kind it is drawn on */
  marks: Record<string, string>;
  /** param names of the threads that cross contexts (reach two ASes) */
  cross: string[];
}

const cases: Case[] = [
  {
    name: 'COAT (draft-02 §2.2.1): the attacker AS bounces the state to the honest AS with another redirect_uri',
    observations: () => coat(),
    lanes: ['AS1 attacker-as.example', 'AS2 honest-as.example'],
    kinds: ['authorization-request', 'as-redirect', 'interaction', 'callback'],
    marks: { 'coat-context-switch': 'as-redirect' },
    cross: ['code_challenge', 'state'],
  },
  {
    name: 'classic mix-up (RFC 9700 §4.4.1): one redirect_uri, client_id swapped',
    observations: () => mixup(),
    lanes: ['AS1 attacker-as.example', 'AS2 honest-as.example'],
    kinds: ['authorization-request', 'as-redirect', 'interaction', 'callback'],
    marks: { 'mixup-as-switch': 'as-redirect' },
    cross: ['code_challenge', 'state'],
  },
  {
    name: 'mix-up whose code is redeemed at the attacker AS: the code thread reaches AS1 too',
    observations: () => redeem(mixup(), `${ATTACKER}/token`),
    lanes: ['AS1 attacker-as.example', 'AS2 honest-as.example'],
    kinds: ['authorization-request', 'as-redirect', 'interaction', 'callback', 'token-request'],
    marks: { 'mixup-as-switch': 'as-redirect', 'mixup-code-sent-to-wrong-token-endpoint': 'token-request' },
    cross: ['code', 'code_challenge', 'state'],
  },
  {
    name: 'COAT as the browser sees it: one webRequest id for the whole redirect chain',
    observations: () => coat().map((o) => ({ ...o, ref: { requestId: 'rq-1' } })),
    lanes: ['AS1 attacker-as.example', 'AS2 honest-as.example'],
    kinds: ['authorization-request', 'as-redirect', 'interaction', 'callback'],
    marks: { 'coat-context-switch': 'as-redirect', 'callback-context-mismatch': 'callback' },
    cross: ['code_challenge', 'state'],
  },
  {
    name: 'broker (Keycloak → Google, G1): a benign chain, each state stays with its own AS',
    observations: keycloakBrokeringToGoogle,
    lanes: ['AS1 sso.example.com', 'Upstream accounts.google.com'],
    kinds: ['authorization-request', 'interaction', 'authorization-request', 'interaction', 'callback', 'callback'],
    marks: {},
    cross: [],
  },
  {
    name: 'clean flow with discovery first and the code redeemed at its AS',
    observations: () => [metadata(HONEST), ...redeem(clean(), `${HONEST}/token`)],
    lanes: ['AS1 honest-as.example'],
    kinds: ['metadata', 'authorization-request', 'interaction', 'callback', 'token-request'],
    marks: {},
    cross: [],
  },
];

describe('buildDiagram', () => {
  beforeEach(() => resetBuilders());

  it.each(cases)('$name', (c) => {
    const { ds } = diagrams(c.observations());
    expect(ds).toHaveLength(1);
    const d = ds[0];
    expect(d.lanes.slice(0, 2).map((l) => l.kind)).toEqual(['browser', 'client']);
    expect(d.lanes.slice(2).map((l) => `${l.name} ${l.host}`)).toEqual(c.lanes);
    expect(d.arrows.map((a) => a.kind)).toEqual(c.kinds);
    // arrows in time order, indexed
    expect(d.arrows.map((a) => a.index)).toEqual(d.arrows.map((_, i) => i));
    for (let i = 1; i < d.arrows.length; i++) expect(d.arrows[i].time).toBeGreaterThanOrEqual(d.arrows[i - 1].time);
    // the findings of high severity and above, each on the arrow where it fires
    const marked: Record<string, string> = {};
    for (const a of d.arrows) for (const f of a.findings) if (f.severity === 'critical' || f.severity === 'high') marked[f.ruleId] ??= a.kind;
    for (const [rule, kind] of Object.entries(c.marks)) expect(marked[rule], rule).toBe(kind);
    if (Object.keys(c.marks).length === 0) expect(Object.keys(marked)).toEqual([]);
    expect(d.threads.filter((t) => t.cross).map((t) => t.param).sort()).toEqual(c.cross);
  });

  it('COAT: one state thread from C through AS1 and AS2 back to C, with equal redacted values', () => {
    const { ds } = diagrams(coat());
    const d = ds[0];
    const t = d.threads.find((x) => x.param === 'state')!;
    const carrying = d.arrows.filter((a) => t.arrows.includes(a.id));
    expect(carrying.map((a) => a.kind)).toEqual(['authorization-request', 'as-redirect', 'callback']);
    for (const a of carrying) expect(a.labels.find((l) => l.name === 'state')).toMatchObject({ value: t.value, thread: t.id });
    expect(t.value).toMatch(/…#[0-9a-f]{8}$/); // redacted, never the raw state
    expect(t.value).not.toContain(rand('coat-state'));
    // each request carries its own client_id and redirect_uri
    expect(carrying.slice(0, 2).map((a) => a.labels.find((l) => l.name === 'redirect_uri')?.value)).toEqual([`${P}/cb/attacker-tool`, `${P}/cb/honest-tool`]);
    expect(carrying[2].labels.find((l) => l.name === 'iss')?.value).toBe(HONEST);
    const hop = carrying[1];
    expect(d.lanes.find((l) => l.id === hop.from)?.name).toBe('AS1');
    expect(d.lanes.find((l) => l.id === hop.to)?.name).toBe('AS2');
    expect(hop.severity).toBe('critical');
    expect(d.severity).toBe('critical');
  });

  it('a client that sends one state to two ASes itself (restart at another provider) reuses it: no moving thread', () => {
    const S = rand('two-flows');
    const o: Observation[] = [];
    for (const as of [HONEST, ATTACKER]) {
      const a = areq(as, { client_id: 'c', redirect_uri: `${P}/cb`, state: S });
      o.push(obs(`${P}/login`, { location: a }), obs(a, { referer: `${P}/` }));
    }
    const { ds } = diagrams(o);
    const d = ds[0];
    expect(d.lanes.filter((l) => l.kind === 'as')).toHaveLength(2); // one flow, its state sent to two ASes
    expect(d.threads.find((t) => t.param === 'state')?.arrows).toHaveLength(2);
    for (const x of ds) expect(x.threads.filter((t) => t.cross)).toEqual([]);
  });

  it('the COAT example capture (examples/coat-attack.har): the hand-off is marked on the AS-to-AS redirect', () => {
    const har = JSON.parse(readFileSync(new URL('../../../examples/coat-attack.har', import.meta.url), 'utf8')) as { log: { entries: unknown[] } };
    const engine = new EngineClass();
    const fetches: DiagramFetch[] = [];
    feedHarEntries(har.log.entries, (o) => {
      engine.push(o);
      const f = diagramFetchOf(o);
      if (f) fetches.push(f);
    });
    engine.finish();
    const ds = buildDiagrams(engine.flows(), { findings: engine.findings, fetches, hops: (c) => engine.store.hops.get(c) });
    expect(ds).toHaveLength(1);
    const hop = ds[0].arrows.find((a) => a.kind === 'as-redirect')!;
    expect(hop.findings.map((f) => `${f.ruleId}/${f.severity}`)).toContain('coat-context-switch/critical');
    expect(hop.ref).toMatchObject({ entry: 7 });
    expect(ds[0].threads.some((t) => t.param === 'state' && t.cross)).toBe(true);
  });

  it('hostile strings in URLs and parameter values stay plain text in the model', () => {
    const evil = '"><svg onload=alert(1)><script>alert(2)</script>';
    const S = rand('hostile');
    const a = areq(HONEST, { client_id: evil, redirect_uri: `${P}/cb?x=${evil}`, state: S });
    const { ds } = diagrams([obs(`${P}/login`, { location: a }), obs(a, { referer: `${P}/` })]);
    const labels = ds[0].arrows[0].labels;
    expect(labels.find((l) => l.name === 'client_id')?.value).toBe(evil);
    expect(labels.find((l) => l.name === 'redirect_uri')?.value).toContain('<svg onload=alert(1)>');
  });

  it('a damaged flow (from storage of another version) gives a diagram, not an exception', () => {
    const broken = { id: 'x', context: 'tab:1', t0: 0, tLast: 0, as: { origin: 'https://as.example', issuer: 'https://as.example', source: 'origin', endpoint: '' }, paramsKnown: true, children: ['missing'] } as unknown as Flow;
    const d = buildDiagram(broken, { findings: [{ ruleId: 'r', severity: 'high', confidence: 'strong', title: 't', message: 'm', references: [], flowId: 'x', evidence: [{ url: 'u' }], context: 'tab:1', time: 0 }] });
    expect(d.arrows).toEqual([]);
    expect(d.unplaced.map((f) => f.ruleId)).toEqual(['r']);
  });

  it('diagramFetchOf: discovery by its well-known path, a JWKS by its keys array, nothing else', () => {
    expect(diagramFetchOf(metadata(HONEST))?.kind).toBe('metadata');
    expect(diagramFetchOf(obs(`${HONEST}/certs`, { type: 'fetch', responseBody: { keys: [{ kty: 'RSA' }] } }))?.kind).toBe('jwks');
    expect(diagramFetchOf(obs(`${HONEST}/api`, { type: 'fetch', responseBody: '{"keys": "no"}' }))).toBeUndefined();
    expect(diagramFetchOf(obs(`${HONEST}/authorize?${q({ client_id: 'c' })}`))).toBeUndefined();
  });
});
