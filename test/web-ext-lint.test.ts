/**
 * The Firefox build passes `web-ext lint` with 0 errors (AMO's own checks). Builds dist/firefox
 * first when it is missing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist/firefox');

beforeAll(() => {
  if (!existsSync(join(dist, 'manifest.json'))) {
    const r = spawnSync(process.execPath, ['scripts/build.mjs', 'firefox'], { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`firefox build failed: ${r.stderr}`);
  }
}, 120_000);

it('web-ext lint reports no errors on the Firefox build', () => {
  const r = spawnSync(join(root, 'node_modules/.bin/web-ext'), ['lint', '--source-dir', dist, '--output', 'json', '--no-input'], { encoding: 'utf8', timeout: 110_000 });
  const report = JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
  expect(report.summary.errors, JSON.stringify(report.errors, null, 1)).toBe(0);
  const manifestProblems = [...report.errors, ...report.warnings].filter((m: { file?: string }) => m.file === 'manifest.json');
  expect(manifestProblems).toEqual([]);
}, 120_000);
