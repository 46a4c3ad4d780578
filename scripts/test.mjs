#!/usr/bin/env node
// npm test: typecheck, lint (eslint.config.js: the layers), build (CLI, library, both extensions), the
// unit suite, then the end-to-end suite in
// real Chromium and Firefox. Prints one closing line "N passed, N failed" for the whole run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { ensureBrowsers } from './browsers.mjs';

const steps = [];
function run(name, cmd, args) {
  const t = Date.now();
  console.log(`\n== ${name}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: process.env });
  steps.push({ name, ok: r.status === 0, seconds: (Date.now() - t) / 1000 });
  return r.status === 0;
}

function counts(file) {
  try {
    const j = JSON.parse(readFileSync(file, 'utf8'));
    return { passed: j.numPassedTests ?? 0, failed: (j.numFailedTests ?? 0) + (j.numFailedTestSuites && !j.numFailedTests ? j.numFailedTestSuites : 0), skipped: (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0) };
  } catch {
    return { passed: 0, failed: 1, skipped: 0 };
  }
}

mkdirSync('.test-results', { recursive: true });
const only = process.argv[2]; // "unit" | "e2e" | undefined
// the end-to-end suite runs in Debian's Chromium and Firefox ESR: install them when missing (root
// with apt-get), or say how and fail
if (only !== 'unit' && !ensureBrowsers(['chromium', 'firefox-esr'])) process.exit(1);
let ok = true;
if (!only) {
  ok = run('typecheck', 'npx', ['tsc', '--noEmit', '-p', '.']) && ok;
  ok = run('lint', 'npx', ['eslint', '--max-warnings', '0', 'src', 'test']) && ok;
  ok = run('build', 'node', ['scripts/build.mjs']) && ok;
}
const totals = { passed: 0, failed: 0, skipped: 0 };
if (only !== 'e2e') {
  ok = run('unit tests', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', '--outputFile.json=.test-results/unit.json']) && ok;
  const c = counts('.test-results/unit.json');
  for (const k of Object.keys(totals)) totals[k] += c[k];
}
if (only !== 'unit' && existsSync('vitest.e2e.config.ts')) {
  ok = run('end-to-end tests', 'npx', ['vitest', 'run', '-c', 'vitest.e2e.config.ts', '--reporter=default', '--reporter=json', '--outputFile.json=.test-results/e2e.json']) && ok;
  const c = counts('.test-results/e2e.json');
  for (const k of Object.keys(totals)) totals[k] += c[k];
}
console.log('\n' + steps.map((s) => `${s.ok ? 'ok  ' : 'FAIL'} ${s.name} (${s.seconds.toFixed(1)} s)`).join('\n'));
if (!ok && totals.failed === 0) totals.failed = steps.filter((s) => !s.ok).length;
console.log(`${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
process.exit(ok ? 0 : 1);
