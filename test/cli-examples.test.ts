/** The example captures in examples/ say what examples/README.md says they say. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanCommand } from '../src/companion/scan';

const examples = join(import.meta.dirname, '../examples');

async function scanJson(name: string) {
  let out = '';
  let err = '';
  const code = await scanCommand(['--format', 'json', join(examples, name)], { stdout: (t) => (out += t), stderr: (t) => (err += t), stderrIsTTY: false });
  if (process.env.SHOW_EXAMPLES) console.log(name, code, out, err);
  return { code, report: JSON.parse(out), err };
}

describe('examples', () => {
  it('clean-flow.har: one honest connection, nothing at medium or above, exit 0', async () => {
    const { code, report } = await scanJson('clean-flow.har');
    expect(report.inputs[0].entries).toBe(11);
    expect(report.findings.filter((f: { severity: string }) => ['critical', 'high', 'medium'].includes(f.severity))).toEqual([]);
    expect(code).toBe(0);
    expect(report.flows).toHaveLength(1);
    expect(report.flows[0]).toMatchObject({ issuer: 'https://honest-as.example', clientId: 'plat-7Q2KX4MD', redirectUri: 'https://platform.example/oauth/honest-cb' });
  });

  it('coat-attack.har: one flow, started at the attacker AS and continued at the honest AS', async () => {
    const { report } = await scanJson('coat-attack.har');
    expect(report.inputs[0].entries).toBe(13);
    const flow = report.flows.find((f: { issuer: string }) => f.issuer === 'https://attacker-as.example');
    expect(flow).toMatchObject({ clientId: '666RVZJTA', redirectUri: 'https://platform.example/oauth/attack-cb' });
    expect(flow.steps.slice(0, 2)).toEqual([
      { input: 0, entry: 6, kind: 'authorization-request' },
      { input: 0, entry: 7, kind: 'authorization-request' },
    ]);
  });

  it('coat-attack.har raises coat-context-switch (critical) at entry 7, and the aftermath at entry 10; exit 1', async () => {
    const { code, report } = await scanJson('coat-attack.har');
    expect(code).toBe(1);
    const f = report.findings.find((x: { ruleId: string }) => x.ruleId === 'coat-context-switch');
    expect(f).toMatchObject({ severity: 'critical' });
    expect(f.evidence.map((e: { entry: number }) => e.entry)).toEqual(expect.arrayContaining([6, 7]));
    const ids = report.findings.map((x: { ruleId: string; severity: string }) => `${x.ruleId}:${x.severity}`).sort();
    expect(ids).toEqual(expect.arrayContaining(['callback-context-mismatch:high', 'coat-context-switch:critical', 'mixup-iss-mismatch:high']));
    // the attack is one flow: every finding points at it
    expect(new Set(report.findings.map((x: { flowId: string }) => x.flowId))).toEqual(new Set([f.flowId]));
    // the honest code is in the capture; the report never shows it
    const har = JSON.parse(readFileSync(join(examples, 'coat-attack.har'), 'utf8'));
    const code10 = new URL(har.log.entries[10].request.url).searchParams.get('code')!;
    expect(JSON.stringify(report)).not.toContain(code10);
  });
});
