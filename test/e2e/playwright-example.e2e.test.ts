/**
 * The sample project examples/playwright (#14): a Playwright suite that checks its logins with
 * `coatcheck/playwright`. Run by Playwright's own runner, in Debian's Chromium, against the lab:
 * the safe login passes, the COAT and the implicit-grant logins fail with the right rule ids in
 * their messages, and every test carries the JSON report as an attachment.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
interface PwTest {
  title: string;
  status: string;
  errors: { message?: string }[];
  attachments: { name: string; path?: string; body?: string }[];
}
let tests: PwTest[] = [];

beforeAll(() => {
  if (!existsSync(join(root, 'dist/lib/playwright.js'))) expect(spawnSync(process.execPath, ['scripts/build.mjs', 'lib'], { cwd: root, stdio: 'inherit' }).status).toBe(0);
  const out = join(mkdtempSync(join(tmpdir(), 'coatcheck-pw-')), 'report.json');
  const r = spawnSync(process.execPath, ['node_modules/@playwright/test/cli.js', 'test', '-c', 'examples/playwright/playwright.config.ts', '--reporter=json', '--output', join(out, '..', 'results')], {
    cwd: root,
    encoding: 'utf8',
    timeout: 150_000,
    env: { ...process.env, PLAYWRIGHT_JSON_OUTPUT_NAME: out, PW_TEST_HTML_REPORT_OPEN: 'never' },
  });
  expect(existsSync(out), r.stderr + r.stdout).toBe(true);
  const report = JSON.parse(readFileSync(out, 'utf8')) as { suites: { specs: { title: string; tests: { results: PwTest[] }[] }[] }[] };
  const specs = report.suites.flatMap(function walk(s: { specs: { title: string; tests: { results: PwTest[] }[] }[]; suites?: unknown[] }): { title: string; tests: { results: PwTest[] }[] }[] {
    return [...s.specs, ...((s.suites ?? []) as (typeof s)[]).flatMap(walk)];
  });
  tests = specs.map((sp) => ({ ...sp.tests[0].results[0], title: sp.title }));
}, 180_000);

const byTitle = (part: string) => {
  const t = tests.find((x) => x.title.includes(part));
  expect(t, `a test titled …${part}…`).toBeDefined();
  return t!;
};

it('the safe login passes', () => {
  expect(byTitle('honest tool').status).toBe('passed');
});

it('the COAT login fails naming coat-context-switch and callback-context-mismatch', () => {
  const t = byTitle('COAT');
  expect(t.status).toBe('failed');
  const msg = t.errors.map((e) => e.message ?? '').join('\n');
  expect(msg).toMatch(/CoatCheck found \d+ OAuth findings? at or above medium/);
  expect(msg).toContain('coat-context-switch');
  expect(msg).toContain('callback-context-mismatch');
});

it('the implicit-grant login fails naming implicit-grant and token-in-fragment', () => {
  const t = byTitle('implicit grant');
  expect(t.status).toBe('failed');
  const msg = t.errors.map((e) => e.message ?? '').join('\n');
  expect(msg).toContain('implicit-grant');
  expect(msg).toContain('token-in-fragment');
});

it('ignore lets a team accept rules; every test has the JSON report attached', () => {
  expect(byTitle('accepts rules to ignore').status).toBe('passed');
  for (const t of tests) {
    const a = t.attachments.find((x) => x.name === 'coatcheck-report.json');
    expect(a, t.title).toBeDefined();
    const body = a!.body !== undefined ? Buffer.from(a!.body, 'base64').toString('utf8') : readFileSync(a!.path!, 'utf8');
    const report = JSON.parse(body) as { version: number; findings: unknown[] };
    expect(report.version).toBe(1);
  }
  const coat = byTitle('COAT').attachments.find((x) => x.name === 'coatcheck-report.json')!;
  const text = coat.body !== undefined ? Buffer.from(coat.body, 'base64').toString('utf8') : readFileSync(coat.path!, 'utf8');
  expect(text).toContain('coat-context-switch');
});
