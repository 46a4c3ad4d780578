/**
 * Before the e2e suite: build the extensions if they are missing (npm test builds them before this
 * suite runs), then read and print the browsers the suite runs on, and hand them to the tests
 * (`inject('browsers')`): the Firefox test checks the built manifest's strict_min_version against
 * Debian's firefox-esr read here, so a new Debian ESR is noticed the day it arrives.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { CHROMIUM_PATH } from '../../lab/chromium.mjs';
import { DEBIAN_FIREFOX_PATH, FIREFOX_PATH, firefoxVersion } from '../lab/firefox.mjs';

export interface E2eBrowsers {
  chromium: { path: string; version?: string };
  /** the Firefox the tests drive (COATCHECK_FIREFOX or Debian's) */
  firefox: { path: string; version?: string };
  /** Debian's firefox-esr, the one `.ci/run` installs */
  debianFirefox: { path: string; version?: string };
}

declare module 'vitest' {
  export interface ProvidedContext {
    browsers: E2eBrowsers;
  }
}

function chromiumVersion(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  const r = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 20000 });
  return /Chrom(?:e|ium)\s+(\d+(?:\.\d+)+)/.exec(`${r.stdout ?? ''}${r.stderr ?? ''}`)?.[1];
}

export default function setup(project: TestProject): void {
  const missing = ['chrome', 'firefox'].filter((b) => !existsSync(`dist/${b}/manifest.json`));
  if (missing.length > 0) {
    const r = spawnSync('node', ['scripts/build.mjs', ...missing], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`build of ${missing.join(', ')} failed`);
  }
  const debianVersion = firefoxVersion(DEBIAN_FIREFOX_PATH);
  const browsers: E2eBrowsers = {
    chromium: { path: CHROMIUM_PATH, version: chromiumVersion(CHROMIUM_PATH) },
    firefox: { path: FIREFOX_PATH, version: FIREFOX_PATH === DEBIAN_FIREFOX_PATH ? debianVersion : firefoxVersion(FIREFOX_PATH) },
    debianFirefox: { path: DEBIAN_FIREFOX_PATH, version: debianVersion },
  };
  const line = (name: string, b: { path: string; version?: string }) => `${name} ${b.version ?? '(not installed)'} (${b.path})`;
  const ff = [line('Firefox', browsers.firefox), ...(FIREFOX_PATH === DEBIAN_FIREFOX_PATH ? [] : [line('Debian firefox-esr', browsers.debianFirefox)])];
  console.log(`e2e browsers: ${[line('Chromium', browsers.chromium), ...ff].join('; ')}`);
  project.provide('browsers', browsers);
}
