// The browsers the two README commands need, installed on the spot where that is possible.
// `npm start` needs Debian's Chromium; `npm test` needs Chromium and Firefox ESR. When one is
// missing and we are root on a machine with apt-get (a fresh Debian/Ubuntu box, CI), it is installed
// from the distribution, saying so in one line; otherwise the exact command is printed and the
// caller exits non-zero. Never a downloaded browser build: the distribution's packages only.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** package → the path the lab drivers launch (overridable as they are) */
export const BROWSERS = {
  chromium: process.env.COATCHECK_CHROMIUM ?? '/usr/bin/chromium',
  'firefox-esr': process.env.COATCHECK_FIREFOX ?? '/usr/bin/firefox-esr',
};

/**
 * What to do about the browsers `names` (pure, tested): nothing, install with apt-get, or tell the
 * user the command.
 * @param {{ missing: string[], root: boolean, apt: boolean }} s
 * @returns {{ action: 'none' } | { action: 'install', packages: string[] } | { action: 'tell', command: string }}
 */
export function plan({ missing, root, apt }) {
  if (missing.length === 0) return { action: 'none' };
  if (root && apt) return { action: 'install', packages: missing };
  return { action: 'tell', command: `${root ? '' : 'sudo '}apt-get install -y ${missing.join(' ')}` };
}

function hasApt() {
  return spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
}

/**
 * Make sure the named browsers are there. Returns true when they are (already, or after installing);
 * prints why not and returns false otherwise.
 * @param {(keyof typeof BROWSERS)[]} names
 */
export function ensureBrowsers(names) {
  const missing = names.filter((n) => !existsSync(BROWSERS[n]));
  const p = plan({ missing, root: process.getuid?.() === 0, apt: missing.length > 0 && hasApt() });
  if (p.action === 'none') return true;
  if (p.action === 'tell') {
    console.error(`${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not installed (looked for ${missing.map((n) => BROWSERS[n]).join(', ')}). Install with:\n  ${p.command}`);
    return false;
  }
  console.log(`installing ${p.packages.join(' and ')} from the distribution (apt-get install -y ${p.packages.join(' ')}) …`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  const install = update.status === 0 ? spawnSync('apt-get', ['install', '-y', '-qq', ...p.packages], { stdio: ['ignore', 'ignore', 'inherit'], env }) : update;
  const still = names.filter((n) => !existsSync(BROWSERS[n]));
  if (install.status !== 0 || still.length) {
    console.error(`apt-get could not install ${still.join(', ') || p.packages.join(', ')} (exit ${install.status}). Try by hand:\n  apt-get update && apt-get install -y ${p.packages.join(' ')}`);
    return false;
  }
  return true;
}
