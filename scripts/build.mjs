#!/usr/bin/env node
// npm run build: the companion CLI (dist/cli), the library (dist/lib: `coatcheck` and
// `coatcheck/playwright`, ESM + CommonJS + types), the Chrome extension (dist/chrome) and the
// Firefox extension (dist/firefox), from one source. `node scripts/build.mjs cli|lib|chrome|firefox`
// builds one.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { build } from 'vite';

/**
 * The package is ESM ("type": "module"), so its declaration files are read as ESM by consumers on
 * `moduleResolution: node16/nodenext`, where relative imports need their extension: tsc writes
 * them as in the sources (`../core/report/json`); add `.js` (or `/index.js`).
 */
function esmDeclarations(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      esmDeclarations(p);
      continue;
    }
    if (!e.name.endsWith('.d.ts')) continue;
    const text = readFileSync(p, 'utf8');
    const fixed = text.replace(/(from\s+|import\()(['"])(\.{1,2}\/[^'"]+)\2/g, (m, lead, q, spec) => {
      if (/\.(js|json)$/.test(spec)) return m;
      const base = join(dirname(p), spec);
      if (existsSync(`${base}.d.ts`)) return `${lead}${q}${spec}.js${q}`;
      if (existsSync(join(base, 'index.d.ts'))) return `${lead}${q}${spec}/index.js${q}`;
      return m;
    });
    if (fixed !== text) writeFileSync(p, fixed);
  }
}

const wanted = process.argv.slice(2);
const all = wanted.length === 0;
const quiet = { logLevel: process.env.BUILD_VERBOSE ? 'info' : 'warn' };

if ((all || wanted.includes('cli')) && existsSync('vite.cli.config.ts')) {
  await build({ configFile: 'vite.cli.config.ts', ...quiet });
  console.log('built dist/cli');
}
if ((all || wanted.includes('lib')) && existsSync('vite.lib.config.ts')) {
  rmSync('dist/lib', { recursive: true, force: true });
  await build({ configFile: 'vite.lib.config.ts', ...quiet });
  const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.lib.json'], { stdio: 'inherit' });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
  esmDeclarations('dist/lib/types');
  console.log('built dist/lib');
}
for (const browser of ['chrome', 'firefox']) {
  if ((all || wanted.includes(browser)) && existsSync('vite.ext.config.ts')) {
    await build({ configFile: 'vite.ext.config.ts', mode: browser, ...quiet });
    console.log(`built dist/${browser}`);
  }
}
