/**
 * MCP captures (test/fixtures/har/mcp, recorded by test/e2e/mcp.e2e.test.ts with
 * COATCHECK_SAVE_CAPTURES and COATCHECK_MCP_PORT=18445): the official MCP SDK's client and server
 * against oidc-provider, the client's requests as a proxy records them and the authorization
 * redirect from Chromium, one context. `coatcheck scan` must see what the e2e suite saw.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanCommand } from '../src/companion/scan';
import { Engine } from '../src/core/engine';
import { feedHarEntries } from '../src/core/observe/har-feed';
import { buildDiagram } from '../src/core/report/diagram';
import { buildTimeline, stepLabel } from '../src/devtools/model/timeline';

const dir = join(import.meta.dirname, 'fixtures/har/mcp');
const MEDIUM_UP = new Set(['critical', 'high', 'medium']);

function scan(f: string) {
  const engine = new Engine();
  feedHarEntries((JSON.parse(readFileSync(join(dir, f), 'utf8')) as { log: { entries: unknown[] } }).log.entries, (o) => engine.push(o));
  engine.finish();
  return engine;
}
const ids = (e: Engine) => [...new Set(e.findings.filter((f) => MEDIUM_UP.has(f.severity)).map((f) => f.ruleId))].sort();
const brief = (e: Engine) => e.findings.map((f) => `${f.ruleId}:${f.severity}${f.variant ? `/${f.variant}` : ''}`).join(', ');

/** [capture, the rule ids at medium or above (exactly), the variants that must be among them] */
const CASES: [string, string[], string[]][] = [
  ['mcp-honest.har', [], []],
  ['mcp-switch-register.har', [], []],
  ['mcp-rogue-metadata.har', ['protected-resource-metadata-mismatch'], ['other-resource-server']],
  ['mcp-private-discovery.har', ['discovery-url-private-or-insecure'], ['private']],
  ['mcp-no-resource.har', ['resource-indicator-missing'], ['missing']],
  ['mcp-switch-refresh.har', ['credential-sent-to-other-issuer'], ['refresh_token', 'client_secret']],
  ['mcp-hub-coat.har', ['callback-context-mismatch', 'coat-context-switch', 'mixup-code-sent-to-wrong-token-endpoint', 'mixup-iss-mismatch'], []],
];

describe('MCP SDK captures', () => {
  it.each(CASES)('%s: %j at medium or above', (f, want, variants) => {
    const e = scan(f);
    expect(ids(e), brief(e)).toEqual(want);
    const got = new Set(e.findings.map((x) => x.variant));
    for (const v of variants) expect(got.has(v), brief(e)).toBe(true);
  });

  it('the honest capture is one MCP flow: discovered resource, requested resource, the response read', () => {
    const flows = scan('mcp-honest.har').flows();
    expect(flows).toHaveLength(1);
    expect(flows[0].mcp).toMatchObject({ via: 'resource-metadata', resource: 'https://mcp.example:18445/mcp', requestedResource: 'https://mcp.example:18445/mcp', authorizationServer: 'https://auth.example:18445' });
    expect(flows[0].responses).toHaveLength(1);
  });

  it('the private discovery URL appears only as text: no entry requests it', () => {
    const har = JSON.parse(readFileSync(join(dir, 'mcp-private-discovery.har'), 'utf8')) as { log: { entries: { request: { url: string } }[] } };
    expect(har.log.entries.every((x) => new URL(x.request.url).hostname.endsWith('.example'))).toBe(true);
  });

  it('coatcheck scan reports the same (JSON output, exit codes)', async () => {
    for (const [f, want] of CASES) {
      let out = '';
      const code = await scanCommand(['--format', 'json', '--fail-on', 'medium', join(dir, f)], { stdout: (t) => (out += t), stderr: () => undefined, stderrIsTTY: false });
      const report = JSON.parse(out) as { findings: { ruleId: string; severity: string }[] };
      const got = [...new Set(report.findings.filter((x) => MEDIUM_UP.has(x.severity)).map((x) => x.ruleId))].sort();
      expect(got, f).toEqual(want);
      expect(code, f).toBe(want.length > 0 ? 1 : 0);
    }
  });
});

describe('an MCP flow is shown as one', () => {
  it('the panel timeline titles it "MCP flow" with the discovery fact, and so does its diagram', () => {
    const e = scan('mcp-honest.har');
    const flows = e.flows();
    const t = buildTimeline({ flows, findings: e.findings });
    expect(t.groups[0].title).toMatch(/^MCP flow /);
    expect(t.groups[0].facts.find(([k]) => k === 'MCP')?.[1]).toMatch(/protected-resource metadata, resource https:\/\/mcp\.example:18445\/mcp/);
    expect(buildDiagram(flows[0]).title).toMatch(/^MCP flow .* for resource https:\/\/mcp\.example:18445\/mcp$/);
    expect(stepLabel('resource-challenge')).toMatch(/401/);
    // a classic flow is titled as before
    const classic = scan('mcp-honest.har').flows().map((f) => ({ ...f, mcp: undefined }));
    expect(buildTimeline({ flows: classic, findings: [] }).groups[0].title).toMatch(/^Flow /);
  });
});
