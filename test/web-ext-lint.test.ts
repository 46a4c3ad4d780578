/**
 * The Firefox build passes `web-ext lint` (AMO's own checks) with 0 errors and 0 warnings: no
 * dynamic code in any bundle. Builds dist/firefox first when it is missing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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

it('web-ext lint reports no errors and no warnings on the Firefox build', () => {
  const r = spawnSync(join(root, 'node_modules/.bin/web-ext'), ['lint', '--source-dir', dist, '--output', 'json', '--no-input'], { encoding: 'utf8', timeout: 110_000 });
  const report = JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
  expect(report.summary.errors, JSON.stringify(report.errors, null, 1)).toBe(0);
  expect(report.warnings.map((w: { code: string; file?: string; message: string }) => `${w.code} ${w.file ?? ''}: ${w.message}`)).toEqual([]);
  const manifestProblems = [...report.errors, ...report.warnings].filter((m: { file?: string }) => m.file === 'manifest.json');
  expect(manifestProblems).toEqual([]);
}, 120_000);

it('the sources set no HTML and run no dynamic code (the build strips the library paths that could)', () => {
  const offenders: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|tsx|mjs|js)$/.test(e.name) && !/\.test\.tsx?$/.test(e.name)) {
        const text = readFileSync(p, 'utf8');
        for (const re of [/dangerouslySetInnerHTML/, /\.(inner|outer)HTML\s*=/, /insertAdjacentHTML/, /\beval\s*\(/, /new Function\s*\(/, /document\.write\s*\(/]) {
          if (re.test(text)) offenders.push(`${p.slice(root.length + 1)}: ${re.source}`);
        }
      }
    }
  };
  walk(join(root, 'src'));
  expect(offenders).toEqual([]);
});

