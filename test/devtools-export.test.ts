import { readFileSync } from 'node:fs';
import Ajv from 'ajv-draft-04';
import { describe, expect, it } from 'vitest';
import { analyseHar } from '../src/devtools/model/capture';
import { jsonExport, mergeFindings, sarifExport } from '../src/devtools/model/export';
import { readParams } from '../src/devtools/panel/sources';
import type { Finding } from '../src/core/report/finding';
import { AS, APP, CLIENT, entry } from './devtools-fixture';

function implicitCapture() {
  const har = JSON.stringify({
    log: { entries: [entry(`${AS}/auth?client_id=${CLIENT}&response_type=token&redirect_uri=${encodeURIComponent(APP + '/cb')}&state=Zq8Vn3Xw2Lr9Tk4Bz7Mc1Pd6Hf5Js0Gx`)] },
  });
  const r = analyseHar(har);
  if ('error' in r) throw new Error(r.error);
  return r.capture;
}

describe('panel exports', () => {
  it('exports the CLI JSON report (version 1) with the panel findings and flows', () => {
    const c = implicitCapture();
    const j = JSON.parse(jsonExport(c.findings, c.flows(), 'devtools:tab/3', c.entries.length));
    expect(j.version).toBe(1);
    expect(j.inputs).toEqual([{ path: 'devtools:tab/3', entries: 1 }]);
    expect(j.findings.map((f: Finding) => f.ruleId)).toContain('implicit-grant');
    expect(j.flows[0]).toMatchObject({ clientId: CLIENT });
    expect(JSON.stringify(j)).not.toContain('Zq8Vn3Xw2Lr9Tk4Bz7Mc1Pd6Hf5Js0Gx');
  });

  it('exports SARIF 2.1.0 that validates against the OASIS schema', () => {
    const c = implicitCapture();
    const sarif = JSON.parse(sarifExport(c.findings, c.flows(), 'devtools:tab/3', c.entries.length, 'https://example.dev/docs/rules/'));
    const schema = JSON.parse(readFileSync(new URL('./fixtures/vectors/sarif/sarif-schema-2.1.0.json', import.meta.url), 'utf8'));
    const ajv = new Ajv({ strict: false, allErrors: true });
    const ok = ajv.validate(schema, sarif);
    expect(ajv.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    expect(sarif.runs[0].results.some((r: { ruleId: string }) => r.ruleId === 'implicit-grant')).toBe(true);
  });

  it('merges background and panel findings once each', () => {
    const f = (ruleId: string, url: string): Finding => ({ ruleId, severity: 'high', confidence: 'strong', title: '', message: 'm', references: [], flowId: null, evidence: [{ url }], context: '', time: 0 });
    const a = f('x', 'u1');
    expect(mergeFindings([a, f('y', 'u1')], [{ ...a }, f('x', 'u2')]).map((x) => `${x.ruleId}${x.evidence[0].url}`)).toEqual(['xu1', 'yu1', 'xu2']);
  });

  it('reads the test-mode parameters', () => {
    expect(readParams('?tab=12&har=http%3A%2F%2F127.0.0.1%3A1%2Fa.har&theme=dark')).toEqual({ tabId: 12, harUrl: 'http://127.0.0.1:1/a.har', theme: 'dark', devtools: false });
    expect(readParams('?tab=abc&theme=pink')).toEqual({ tabId: undefined, harUrl: undefined, theme: undefined, devtools: false });
  });
});

describe('same HAR, same findings', () => {
  it('the panel finds what `coatcheck scan` finds in the example COAT capture', async () => {
    const { scanCommand } = await import('../src/companion/scan');
    const { readFile } = await import('node:fs/promises');
    const path = new URL('../examples/coat-attack.har', import.meta.url).pathname;
    const out: string[] = [];
    const io = { stdout: (s: string) => void out.push(s), stderr: () => {}, readStdin: async () => '', isTTY: false, color: false, fetch, readFile: (p: string) => readFile(p, 'utf8') };
    await scanCommand(['--format', 'json', '--fail-on', 'none', path], io as never);
    const cli = JSON.parse(out.join('')) as { findings: Finding[] };
    const r = analyseHar(readFileSync(path, 'utf8'));
    if ('error' in r) throw new Error(r.error);
    const key = (f: Finding) => `${f.ruleId}|${f.severity}|${f.message}`;
    expect(cli.findings.length).toBeGreaterThan(0);
    expect(r.capture.findings.map(key).sort()).toEqual(cli.findings.map(key).sort());
  });
});
