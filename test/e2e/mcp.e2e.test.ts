/**
 * MCP authorization end to end (#15.3, #20.2): the official TypeScript SDK on both sides
 * (test/lab/mcp/server.mjs: McpServer behind requireBearerAuth and RFC 9728 metadata; test/lab/mcp/client.mjs:
 * the SDK client's OAuth, its authorization redirect played in headless Chromium) against
 * oidc-provider. The SDK client's own requests are recorded as a proxy in front of it would record
 * them, the browser's with Playwright's recordHar; the two are one capture (one context), scanned as
 * `coatcheck scan` reads a HAR. Nothing leaves 127.0.0.1: the client's fetch refuses any non-lab
 * host before connecting (the private discovery URL is only read, never fetched).
 * COATCHECK_SAVE_CAPTURES=<dir> keeps the merged captures (test/fixtures/har/mcp was made that way,
 * with COATCHECK_MCP_PORT=18445).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getFindings, tabIdFor } from '../../lab/chromium.mjs';
import { connectMcp, labProvider, recordingFetch } from '../lab/mcp/client.mjs';
import { PRIVATE_PRM, startMcpLab } from '../lab/mcp/server.mjs';
import { Engine } from '../../src/core/engine';
import { feedHarEntries } from '../../src/core/observe/har-feed';
import { useExtension, useRecordingBrowser } from './support';

const MEDIUM_UP = new Set(['critical', 'high', 'medium']);
const env = useRecordingBrowser(() => startMcpLab({ port: Number(process.env.COATCHECK_MCP_PORT ?? 0) }), 'coatcheck-mcp-');

type Entry = { startedDateTime: string; pageref?: string; request: { url: string; method: string } };

/** One capture: the client's recorded requests and the browser's HAR, in time order, one context. */
function merge(...lists: Entry[][]): { log: { version: string; creator: { name: string; version: string }; entries: Entry[] } } {
  const entries = lists.flat().map((e) => {
    const { pageref: _p, ...rest } = e;
    return rest as Entry;
  });
  entries.sort((a, b) => Date.parse(a.startedDateTime) - Date.parse(b.startedDateTime));
  return { log: { version: '1.2', creator: { name: 'coatcheck-mcp-lab', version: '1' }, entries } };
}

interface Session {
  name: string;
  rec: ReturnType<typeof recordingFetch>;
  harPaths: string[];
  close(): Promise<void>;
  /** connect one SDK client (a provider of its own unless given) to an MCP server */
  connect(serverUrl: string, opts?: Omit<Parameters<typeof labProvider>[0], 'redirectUrl' | 'onRedirect'> & { provider?: ReturnType<typeof labProvider>; redirectUrl?: string }): Promise<{ r: Awaited<ReturnType<typeof connectMcp>>; p: ReturnType<typeof labProvider> }>;
  capture(): ReturnType<typeof merge>;
}

/** A client session: one recording fetch, one browser context recording its HAR. */
async function session(name: string): Promise<Session> {
  const rec = recordingFetch({ ca: env.lab.cert });
  const harPath = join(env.dir, `${name}-browser.har`);
  const context = await env.browser.newContext({ ignoreHTTPSErrors: true, recordHar: { path: harPath, content: 'embed' } });
  const page = await context.newPage();
  let closed = false;
  /** the callback of the authorization the browser is playing */
  let pending: Promise<{ code?: string }> | undefined;
  const s: Session = {
    name,
    rec,
    harPaths: [harPath],
    async connect(serverUrl, opts = {}) {
      pending = undefined;
      const p =
        opts.provider ??
        labProvider({
          ...opts,
          redirectUrl: opts.redirectUrl ?? `${env.lab.origin('client.example')}/oauth/callback`,
          onRedirect: async (url) => {
            pending = env.lab.nextCallback();
            await page.goto(url.href);
          },
        });
      const waitCode = async () => {
        const timeout = new Promise<undefined>((r) => setTimeout(() => r(undefined), 15000));
        return (await Promise.race([pending ?? timeout, timeout]))?.code;
      };
      const r = await connectMcp({ serverUrl, provider: p.provider, fetch: rec.fetch, waitCode });
      return { r, p };
    },
    async close() {
      if (closed) return;
      closed = true;
      await page.waitForTimeout(200);
      await context.close();
    },
    capture() {
      const browserEntries = (JSON.parse(readFileSync(harPath, 'utf8')) as { log: { entries: Entry[] } }).log.entries;
      const har = merge(rec.entries as Entry[], browserEntries);
      if (process.env.COATCHECK_SAVE_CAPTURES) {
        mkdirSync(process.env.COATCHECK_SAVE_CAPTURES, { recursive: true });
        writeFileSync(join(process.env.COATCHECK_SAVE_CAPTURES, `${name}.har`), `${JSON.stringify(har, null, 1)}\n`);
      }
      return har;
    },
  };
  return s;
}

function scan(har: ReturnType<typeof merge>) {
  const engine = new Engine();
  feedHarEntries(har.log.entries, (o) => engine.push(o));
  engine.finish();
  return engine;
}
const ids = (e: Engine) => [...new Set(e.findings.filter((f) => MEDIUM_UP.has(f.severity)).map((f) => f.ruleId))].sort();
const brief = (e: Engine) => e.findings.map((f) => `${f.ruleId}:${f.severity}${f.variant ? `/${f.variant}` : ''}`).join(', ');
const mcpUrl = (host: string) => `${env.lab.origin(host)}/mcp`;

describe('the MCP SDK against oidc-provider, recorded and scanned', () => {
  it('honest: 401 → RFC 9728 metadata → AS metadata → registration → authorization in Chromium → token → tools: nothing at medium or above', async () => {
    const s = await session('mcp-honest');
    const { r } = await s.connect(mcpUrl('mcp.example'));
    await s.close();
    expect(r, env.lab.errors.join('\n')).toMatchObject({ outcome: 'connected', tools: ['echo'] });
    const e = scan(s.capture());
    const flows = e.flows();
    expect(flows.length).toBe(1);
    expect(flows[0].mcp, 'the flow is marked as an MCP flow').toMatchObject({ via: 'resource-metadata', resource: mcpUrl('mcp.example'), requestedResource: mcpUrl('mcp.example') });
    expect(flows[0].responses.length, 'the authorization response was read').toBe(1);
    expect(ids(e), brief(e)).toEqual([]);
  });

  it('a rogue server whose 401 names another server\'s metadata: the SDK refuses, CoatCheck reports it', async () => {
    const s = await session('mcp-rogue-metadata');
    const { r } = await s.connect(mcpUrl('rogue-mcp.example'));
    await s.close();
    expect(r.outcome).toBe('error');
    const e = scan(s.capture());
    expect(ids(e), brief(e)).toContain('protected-resource-metadata-mismatch');
    expect(e.findings.find((f) => f.ruleId === 'protected-resource-metadata-mismatch')?.variant).toBe('other-resource-server');
  });

  it('a discovery document at a private address: caught from the 401 alone, never fetched', async () => {
    const before = env.lab.requests.length;
    const s = await session('mcp-private-discovery');
    const { r } = await s.connect(mcpUrl('private-mcp.example'));
    await s.close();
    expect(r.outcome).toBe('error');
    expect(s.rec.refused, 'the client was stopped before connecting').toContain(PRIVATE_PRM);
    expect(env.lab.requests.slice(before).every((x) => x.host.endsWith('.example'))).toBe(true);
    const e = scan(s.capture());
    expect(ids(e), brief(e)).toContain('discovery-url-private-or-insecure');
    expect(e.findings.find((f) => f.ruleId === 'discovery-url-private-or-insecure')).toMatchObject({ severity: 'medium', variant: 'private' });
  });

  it('a client that drops resource (RFC 8707) in both requests', async () => {
    const s = await session('mcp-no-resource');
    const { r } = await s.connect(mcpUrl('mcp.example'), { dropResource: true });
    await s.close();
    expect(r.outcome, r.error).toBe('connected');
    const e = scan(s.capture());
    expect(ids(e), brief(e)).toEqual(['resource-indicator-missing']);
    const where = e.findings.filter((f) => f.ruleId === 'resource-indicator-missing').map((f) => f.message);
    expect(where.some((m) => /authorization request/.test(m)) && where.some((m) => /token request/.test(m)), where.join('\n')).toBe(true);
  });
});

describe('credentials stay with their issuer (SEP-2352): the resource switches authorization_servers', () => {
  it('a client that keeps its stored credentials refreshes at the new AS: credential-sent-to-other-issuer', async () => {
    env.lab.switchAs('auth');
    const s = await session('mcp-switch-refresh');
    const first = await s.connect(mcpUrl('switch-mcp.example'), { keepIssuer: false });
    expect(first.r, env.lab.errors.join('\n')).toMatchObject({ outcome: 'connected' });
    expect(first.p.tokens?.refresh_token, 'the AS issued a refresh token').toBeTruthy();
    env.lab.switchAs('auth2');
    // the stored access token is no longer accepted: 401 → discovery names auth2 → the SDK refreshes there
    await s.connect(mcpUrl('switch-mcp.example'), { provider: first.p });
    await s.close();
    env.lab.switchAs('auth');
    const e = scan(s.capture());
    expect(ids(e), brief(e)).toContain('credential-sent-to-other-issuer');
    const f = e.findings.filter((x) => x.ruleId === 'credential-sent-to-other-issuer' && x.severity === 'critical').map((x) => x.variant);
    expect(f).toEqual(expect.arrayContaining(['refresh_token', 'client_secret']));
  });

  it('a client that keys its credentials by issuer registers afresh at the new AS: nothing critical', async () => {
    env.lab.switchAs('auth');
    const s = await session('mcp-switch-register');
    const first = await s.connect(mcpUrl('switch-mcp.example'));
    expect(first.r).toMatchObject({ outcome: 'connected' });
    env.lab.switchAs('auth2');
    const second = await s.connect(mcpUrl('switch-mcp.example'), { provider: first.p });
    await s.close();
    env.lab.switchAs('auth');
    expect(second.r, env.lab.errors.join('\n')).toMatchObject({ outcome: 'connected' });
    const e = scan(s.capture());
    expect(e.flows().filter((f) => f.mcp).length).toBe(2);
    expect(ids(e), brief(e)).toEqual([]);
  });
});

describe('the COAT of draft-02 §2.2 against an MCP client hub with two MCP servers, one rogue', () => {
  it('the rogue server\'s AS bounces the hub\'s authorization to the honest AS with the honest connection\'s client_id and redirect URI: caught', async () => {
    const s = await session('mcp-hub-coat');
    const hub = env.lab.origin('hub.example');
    // the user connected the honest MCP server first (the hub registered at the honest AS)
    const honest = await s.connect(mcpUrl('mcp.example'), { redirectUrl: `${hub}/cb/mcp` });
    expect(honest.r, env.lab.errors.join('\n')).toMatchObject({ outcome: 'connected' });
    env.lab.hub.honestClientId = honest.p.info?.client_id;
    // then the rogue one: the hub takes the code to the connection the state names, whatever callback it arrived at
    const stolenBefore = env.lab.hub.stolen.length;
    await s.connect(mcpUrl('evilmcp.example'), { redirectUrl: `${hub}/cb/evilmcp` });
    await s.close();
    expect(env.lab.hub.stolen.length, 'the rogue AS received the honest code').toBeGreaterThan(stolenBefore);
    const e = scan(s.capture());
    expect(ids(e), brief(e)).toEqual(expect.arrayContaining(['callback-context-mismatch', 'coat-context-switch']));
    expect(e.flows().filter((f) => f.mcp).length, 'both flows are MCP flows').toBe(2);
  });
});

describe('live, in Chromium with the built extension: an MCP client in the page (the MCP Inspector shape)', () => {
  const ext = useExtension();

  async function live(params: Record<string, string>, want: string[]) {
    const page = await ext.browser.context.newPage();
    const start = `${env.lab.origin('client.example')}/browser-client?${new URLSearchParams(params)}`;
    await page.goto(start);
    const tabId = await tabIdFor(ext.popup, env.lab.origin('client.example'));
    const t0 = Date.now();
    let fs: { ruleId: string; severity: string; variant?: string }[] = [];
    do {
      await new Promise((r) => setTimeout(r, 200));
      fs = await getFindings(ext.popup, tabId ?? (await tabIdFor(ext.popup, env.lab.origin('auth.example'))));
    } while (Date.now() - t0 < 8000 && !want.every((id) => fs.some((f) => f.ruleId === id)));
    await page.close();
    return { ids: [...new Set(fs.filter((f) => MEDIUM_UP.has(f.severity)).map((f) => f.ruleId))].sort(), brief: fs.map((f) => `${f.ruleId}:${f.severity}`).join(', ') };
  }

  it('a 401 naming a discovery document at a private address is caught from the response headers alone', async () => {
    const before = env.lab.requests.length;
    const r = await live({ server: mcpUrl('private-mcp.example') }, ['discovery-url-private-or-insecure']);
    expect(r.ids, r.brief).toEqual(['discovery-url-private-or-insecure']);
    expect(env.lab.requests.slice(before).every((x) => x.host.endsWith('.example'))).toBe(true);
  });

  it('after a 401 naming resource_metadata, an authorization request without resource is an MCP flow missing its resource indicator', async () => {
    const authorize = `${env.lab.origin('auth.example')}/auth?${new URLSearchParams({ response_type: 'code', client_id: 'inspector-live', redirect_uri: `${env.lab.origin('client.example')}/oauth/callback`, state: 'Zq0xkV3pN8rT2uY6wA1cE5gI9', code_challenge: 'E9Mel0a2OwvFrEMTJguCHaoeK1t8URWbuGJSstwAcM1', code_challenge_method: 'S256' })}`;
    const r = await live({ server: mcpUrl('rogue-mcp.example'), authorize }, ['resource-indicator-missing']);
    expect(r.ids, r.brief).toContain('resource-indicator-missing');
  });
});
