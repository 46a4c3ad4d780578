#!/usr/bin/env node
// npm run build: the companion CLI (dist/cli), the Chrome extension (dist/chrome) and the Firefox
// extension (dist/firefox), from one source. `node scripts/build.mjs cli|chrome|firefox` builds one.
import { existsSync } from 'node:fs';
import { build } from 'vite';

const wanted = process.argv.slice(2);
const all = wanted.length === 0;
const quiet = { logLevel: process.env.BUILD_VERBOSE ? 'info' : 'warn' };

if ((all || wanted.includes('cli')) && existsSync('vite.cli.config.ts')) {
  await build({ configFile: 'vite.cli.config.ts', ...quiet });
  console.log('built dist/cli');
}
for (const browser of ['chrome', 'firefox']) {
  if ((all || wanted.includes(browser)) && existsSync('vite.ext.config.ts')) {
    await build({ configFile: 'vite.ext.config.ts', mode: browser, ...quiet });
    console.log(`built dist/${browser}`);
  }
}
