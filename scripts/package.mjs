#!/usr/bin/env node
// npm run package: the store zips of both builds (dist/coatcheck-chrome-<v>.zip,
// dist/coatcheck-firefox-<v>.zip), named by the version in the built manifest (the build writes
// src/core/version.ts's, read from package.json there only). Builds first when a build is missing. web-ext's zip builder is
// used for both: a Chrome Web Store upload is the same zip of the built directory.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

for (const browser of ['chrome', 'firefox']) {
  if (!existsSync(`dist/${browser}/manifest.json`)) {
    const b = spawnSync(process.execPath, ['scripts/build.mjs', browser], { stdio: 'inherit' });
    if (b.status !== 0) process.exit(b.status ?? 1);
  }
  const { version } = JSON.parse(readFileSync(`dist/${browser}/manifest.json`, 'utf8'));
  const filename = `coatcheck-${browser}-${version}.zip`;
  const r = spawnSync('node_modules/.bin/web-ext', ['build', '--source-dir', `dist/${browser}`, '--artifacts-dir', 'dist', '--filename', filename, '--overwrite-dest', '--no-input'], { encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write(r.stderr || r.stdout);
    process.exit(1);
  }
  console.log(`dist/${filename}`);
}
