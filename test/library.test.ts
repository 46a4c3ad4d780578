/**
 * The library API (`import { createScanner, scanHar } from 'coatcheck'`, src/lib/index.ts): the
 * same findings as the CLI in the JSON report's schema, from a path, an object or entry by entry in
 * any order; rule selection, thresholds and redaction as in the CLI.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createScanner, scanHar } from '../src/lib/index';
import { scanCommand } from '../src/companion/scan';

const coatPath = join(import.meta.dirname, '../examples/coat-attack.har');
const cleanPath = join(import.meta.dirname, '../examples/clean-flow.har');
const coat = JSON.parse(readFileSync(coatPath, 'utf8')) as { log: { entries: unknown[] } };
const ids = (r: { findings: { ruleId: string }[] }) => r.findings.map((f) => f.ruleId).sort();

async function cli(argv: string[]) {
  let out = '';
  const code = await scanCommand(['--format', 'json', ...argv], { stdout: (t) => (out += t), stderr: () => {}, stderrIsTTY: false });
  return { code, json: JSON.parse(out) };
}

describe('coatcheck as a library', () => {
  it('scanHar(path) is the CLI: same findings, flows and exit decision', async () => {
    const lib = await scanHar(coatPath);
    const c = await cli([coatPath]);
    expect(lib.failed).toBe(c.code === 1);
    expect(lib.failed).toBe(true);
    expect(lib.findings).toEqual(c.json.findings);
    expect(lib.flows).toEqual(c.json.flows);
    expect(ids(lib)).toContain('coat-context-switch');
    expect((await scanHar(cleanPath)).failed).toBe(false);
  });

  it('scanHar(object) and a scanner fed entry by entry in reverse give the same findings as the file', async () => {
    const fromFile = await scanHar(coatPath);
    const fromObject = await scanHar(coat);
    expect(fromObject.findings).toEqual(fromFile.findings);
    const s = createScanner();
    for (const e of [...coat.log.entries].reverse()) s.pushHarEntry(e);
    // entry numbers are the order they were pushed in; everything else is the same
    const noEntry = (fs: { evidence: { entry?: number }[] }[]) => fs.map((f) => ({ ...f, evidence: f.evidence.map(({ entry: _e, ...rest }) => rest) }));
    expect(noEntry(s.findings)).toEqual(noEntry(fromFile.findings));
    expect(s.failed).toBe(true);
    const report = s.report();
    expect(report.version).toBe(1);
    expect(report.inputs[0]).toMatchObject({ path: 'capture', entries: coat.log.entries.length });
    expect(() => s.pushHarEntry(coat.log.entries[0])).toThrow(/finished/);
    const sarif = s.sarif() as { version: string; runs: { results: { ruleId: string }[] }[] };
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results.map((r) => r.ruleId).sort()).toEqual(ids(fromFile));
  });

  it('rules, disable, minSeverity, failOn and reveal work as the CLI options do', async () => {
    const only = await scanHar(coatPath, { rules: ['coat-context-switch'] });
    expect([...new Set(ids(only))]).toEqual(['coat-context-switch']);
    const without = await scanHar(coat, { disable: ['coat-context-switch'] });
    expect(ids(without)).not.toContain('coat-context-switch');
    const high = await scanHar(coat, { minSeverity: 'high' });
    expect(high.findings.every((f) => f.severity === 'high' || f.severity === 'critical')).toBe(true);
    expect((await scanHar(coat, { failOn: 'none' })).failed).toBe(false);
    const redacted = JSON.stringify(await scanHar(coat));
    const revealed = JSON.stringify(await scanHar(coat, { reveal: true }));
    expect(redacted).not.toBe(revealed);
    expect(redacted).toMatch(/…|%E2%80%A6/);
  });

  it('bad options and unreadable inputs are clear errors', async () => {
    expect(() => createScanner({ rules: ['no-such-rule'] })).toThrow(/unknown rule id\(s\): no-such-rule/);
    expect(() => createScanner({ failOn: 'severe' as never })).toThrow(/failOn must be one of/);
    await expect(scanHar('/nonexistent/x.har')).rejects.toThrow(/x\.har/);
    await expect(scanHar({} as never)).rejects.toThrow(/file path or a HAR object/);
  });
});
