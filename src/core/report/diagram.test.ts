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
  const fetches = observations.map((o) => diagramFetchOf(o)).filter((x): x is DiagramFetch => x !== undefined);
  return { ds: buildDiagrams(engine.flows(), { findings: engine.findings, fetches, hops: (c) => engine.store.hops.get(c) }), engine };
}

/** the code of the last response redeemed at `tokenUrl` by the server-side client (proxy capture) */
function redeem(observations: Observation[], tokenUrl: string, responseBody: object = TOKENS): Observation[] {
  const last = observations[observations.length - 1];
  const code = new URL(last.url).searchParams.get('code')!;
  return [...observations, post(tokenUrl, { grant_type: 'authorization_code', code, redirect_uri: last.url.split('?')[0], client_id: 'c' }, { context: 'proxy:1', responseBody })];
}

const jwt = (claims: object) => `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${rand('sig', 43)}`;
const ACCESS = rand('access-token', 40);
const TOKENS = { access_token: ACCESS, token_type: 'Bearer', refresh_token: rand('refresh', 40) };
const ID_TOKEN = jwt({ iss: HONEST, aud: 'platform-at-honest', sub: 'alice' });

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
    kinds: ['authorization-request', 'as-redirect', 'interaction', 'callback', 'token-request', 'token-response'],
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
    kinds: ['metadata', 'authorization-request', 'interaction', 'callback', 'token-request', 'token-response'],
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

describe('buildDiagram: token request and response, interaction pages', () => {
  beforeEach(() => resetBuilders());
  const label = (a: { labels: { name: string; value: string }[] } | undefined, n: string) => a?.labels.find((l) => l.name === n)?.value;

  it('the token request carries the callback code\'s fingerprint (one code thread); the response shows what came back, as fingerprints', () => {
    const o = redeem(clean(), `${HONEST}/token`, { ...TOKENS, id_token: ID_TOKEN });
    const rawCode = new URL(o[o.length - 2].url).searchParams.get('code')!;
    const { ds } = diagrams(o);
    const d = ds[0];
    const cb = d.arrows.find((a) => a.kind === 'callback')!;
    const req = d.arrows.find((a) => a.kind === 'token-request')!;
    const resp = d.arrows.find((a) => a.kind === 'token-response')!;
    const lane = (id: string) => d.lanes.find((l) => l.id === id)!;
    expect([lane(req.from).name, lane(req.to).name, req.channel]).toEqual(['C', 'AS1', 'back']);
    expect([lane(resp.from).name, lane(resp.to).name, resp.channel]).toEqual(['AS1', 'C', 'back']);
    expect(label(req, 'code')).toBe(label(cb, 'code'));
    expect(label(req, 'code')).toMatch(/…#[0-9a-f]{8}$/);
    const t = d.threads.find((x) => x.param === 'code')!;
    expect(t.arrows).toEqual([cb.id, req.id]);
    expect(t.cross).toBe(false);
    expect(label(req, 'grant_type')).toBe('authorization_code');
    expect(label(req, 'client_auth')).toBe('none seen (public client)');
    expect(label(resp, 'status')).toBe('200');
    expect(label(resp, 'token_type')).toBe('Bearer');
    expect(label(resp, 'access_token')).toMatch(/…#[0-9a-f]{8}$/);
    expect(label(resp, 'id_token iss')).toBe(HONEST);
    expect(resp.title).toBe('token response from AS1');
    const text = JSON.stringify(d);
    for (const secret of [rawCode, ACCESS, TOKENS.refresh_token, ID_TOKEN]) expect(text).not.toContain(secret);
  });

  it('revealing (--reveal): the code is shown in full, equal on the callback and the token request', () => {
    const o = redeem(clean(), `${HONEST}/token`);
    const rawCode = new URL(o[o.length - 2].url).searchParams.get('code')!;
    const { engine } = run(o, { redact: false });
    const fetches = o.map((x) => diagramFetchOf(x, { redact: false })).filter((x): x is DiagramFetch => x !== undefined);
    const d = buildDiagrams(engine.flows(), { findings: engine.findings, fetches, redact: false })[0];
    expect(d.arrows.filter((a) => a.kind === 'callback' || a.kind === 'token-request').map((a) => label(a, 'code'))).toEqual([rawCode, rawCode]);
  });

  it('mix-up: the code delivered by AS2 and redeemed at AS1 is a moved thread; the response comes from AS1', () => {
    const { ds } = diagrams(redeem(mixup(), `${ATTACKER}/token`));
    const d = ds[0];
    const resp = d.arrows.find((a) => a.kind === 'token-response')!;
    expect(d.lanes.find((l) => l.id === resp.from)?.host).toBe('attacker-as.example');
    const t = d.threads.find((x) => x.param === 'code')!;
    expect(t.cross).toBe(true);
    expect(t.arrows.map((id) => d.arrows.find((a) => a.id === id)?.kind)).toEqual(['callback', 'token-request']);
  });

  it('a failed token request: the response says error, with the error code', () => {
    const { ds } = diagrams(redeem(clean(), `${HONEST}/token`, { error: 'invalid_grant' }).map((x, i, all) => (i === all.length - 1 ? { ...x, status: 400 } : x)));
    const resp = ds[0].arrows.find((a) => a.kind === 'token-response')!;
    expect(resp.title).toBe('token response (error) from AS1');
    expect(label(resp, 'error')).toBe('invalid_grant');
    expect(label(resp, 'status')).toBe('400');
  });

  it('the browser\'s view (a flow step, no capture data): the token request with the one code, no response drawn', () => {
    const { engine } = run(redeem(clean(), `${HONEST}/token`));
    const d = buildDiagrams(engine.flows(), { findings: engine.findings })[0];
    expect(d.arrows.map((a) => a.kind)).toEqual(['authorization-request', 'callback', 'token-request']);
    expect(label(d.arrows[2], 'code')).toBe(label(d.arrows[1], 'code'));
  });

  it('a token request that is no step of the flow is drawn when it redeems one of its codes, not otherwise', () => {
    const o = redeem(clean(), `${HONEST}/token`);
    const { engine } = run(o);
    const fetches = o.map((x) => diagramFetchOf(x)).filter((x): x is DiagramFetch => x !== undefined);
    const flows = engine.flows().map((f) => ({ ...f, steps: f.steps.filter((s) => s.kind !== 'token-request') }));
    expect(buildDiagrams(flows, { fetches })[0].arrows.map((a) => a.kind)).toEqual(['authorization-request', 'callback', 'token-request', 'token-response']);
    const other = fetches.map((x) => (x.kind === 'token' ? { ...x, token: { ...x.token!, codeHash: 'ffffffffffffffff' } } : x));
    expect(buildDiagrams(flows, { fetches: other })[0].arrows.map((a) => a.kind)).toEqual(['authorization-request', 'callback']);
  });

  it('a token endpoint on another site gets its own lane, named as such', () => {
    const { ds } = diagrams(redeem(clean(), 'https://oauth2.tokens.example/token'));
    const req = ds[0].arrows.find((a) => a.kind === 'token-request')!;
    expect(ds[0].lanes.find((l) => l.id === req.to)).toMatchObject({ name: 'Token endpoint', kind: 'other', host: 'oauth2.tokens.example' });
  });

  it('interaction pages: consecutive pages at one AS are one arrow counting distinct pages (a request and its commit count once)', () => {
    const { engine } = run(clean());
    const f = engine.flows()[0];
    const t = (s: number) => f.t0 + s;
    const hops = [
      { obsId: 'h1', time: t(1), origin: HONEST, key: 'login' },
      { obsId: 'h2', time: t(2), origin: HONEST, key: 'login' },
      { obsId: 'h3', time: t(3), origin: HONEST, key: 'consent' },
      { obsId: 'h4', time: t(4), origin: 'https://elsewhere.example', key: 'x' },
      { obsId: 'h5', time: t(5), origin: HONEST, key: 'again' },
    ];
    const d = buildDiagram(f, { flows: engine.flows(), hops });
    const pages = d.arrows.filter((a) => a.kind === 'interaction').map((a) => label(a, 'pages'));
    expect(pages).toEqual(['2', '1']);
  });

  it('diagramFetchOf: a token request by its grant_type, its URL without query, its code as a fingerprint and a hash', () => {
    const code = rand('fetch-code');
    const x = diagramFetchOf(post(`${HONEST}/token?x=1`, { grant_type: 'authorization_code', code, client_id: 'c', client_secret: 's3cr3t', code_verifier: rand('verifier', 43) }, { responseBody: TOKENS }))!;
    expect(x).toMatchObject({ kind: 'token', url: `${HONEST}/token` });
    expect(x.token?.code).toMatch(/…#[0-9a-f]{8}$/);
    expect(x.token?.codeHash).toMatch(/^[0-9a-f]{16}$/);
    expect(x.token?.request).toContainEqual(['client_auth', 'client_secret_post (secret in the body)']);
    expect(x.token?.request.find(([n]) => n === 'code_verifier')?.[1]).toMatch(/…#[0-9a-f]{8}$/);
    expect(JSON.stringify(x)).not.toContain('s3cr3t');
    expect(JSON.stringify(x)).not.toContain(rand('verifier', 43));
    expect(JSON.stringify(x)).not.toContain(code);
    expect(diagramFetchOf(post(`${HONEST}/login`, { user: 'alice' }))).toBeUndefined();
  });
});
