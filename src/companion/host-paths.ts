/**
 * Where the native messaging host lives for each browser (per-user manifest directories, the log,
 * the launcher) and what `coatcheck host install` writes there: the manifest, the launcher script,
 * the extension ids it allows.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const HOST_NAME = 'dev.coatcheck.companion';
export const HOST_DESCRIPTION = 'CoatCheck companion: receives findings from the extension and logs them locally';
export const BROWSERS = ['chrome', 'chromium', 'firefox'] as const;
export type Browser = (typeof BROWSERS)[number];

/** What the host and watch commands need from the CLI's I/O (a subset of CliIO). */
export interface HostIO {
  stdout(text: string): void;
  stderr(text: string): void;
  color?: boolean;
  isTTY?: boolean;
}

/** Extra knobs for tests: environment, home directory, platform. Defaults are the process's. */
export interface HostEnv {
  env?: Record<string, string | undefined>;
  home?: string;
  platform?: NodeJS.Platform;
}

export type Env = Required<HostEnv>;

export function envOf(io: HostEnv): Env {
  return { env: io.env ?? process.env, home: io.home ?? io.env?.HOME ?? homedir(), platform: io.platform ?? process.platform };
}

// ------------------------------------------------------------------------------------------ paths

/** Directory the browser reads per-user native messaging manifests from. */
export function manifestDir(browser: Browser, e: Env, userDataDir?: string): string {
  if (userDataDir) return join(resolve(userDataDir), browser === 'firefox' ? 'native-messaging-hosts' : 'NativeMessagingHosts');
  const home = e.home;
  if (e.platform === 'darwin') {
    const lib = join(home, 'Library', 'Application Support');
    if (browser === 'chrome') return join(lib, 'Google', 'Chrome', 'NativeMessagingHosts');
    if (browser === 'chromium') return join(lib, 'Chromium', 'NativeMessagingHosts');
    return join(lib, 'Mozilla', 'NativeMessagingHosts');
  }
  if (browser === 'firefox') return join(home, '.mozilla', 'native-messaging-hosts');
  const config = e.env.XDG_CONFIG_HOME || join(home, '.config');
  return join(config, browser === 'chrome' ? 'google-chrome' : 'chromium', 'NativeMessagingHosts');
}

/** The JSONL log findings are appended to: $COATCHECK_LOG, else $XDG_STATE_HOME/coatcheck/findings.jsonl. */
export function defaultLogPath(e: Env): string {
  if (e.env.COATCHECK_LOG) return resolve(e.env.COATCHECK_LOG);
  const state = e.env.XDG_STATE_HOME || join(e.home, '.local', 'state');
  return join(state, 'coatcheck', 'findings.jsonl');
}

export function manifestPath(browser: Browser, e: Env, userDataDir?: string): string {
  return join(manifestDir(browser, e, userDataDir), `${HOST_NAME}.json`);
}

export function launcherPath(browser: Browser, e: Env, userDataDir?: string): string {
  return join(manifestDir(browser, e, userDataDir), `${HOST_NAME}-launcher.sh`);
}

/** The package root: the nearest directory above this module with coatcheck's package.json. */
export function packageRoot(from = import.meta.url): string | undefined {
  let dir = dirname(fileURLToPath(from));
  for (let i = 0; i < 8; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        const j = JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string };
        if (j.name === 'coatcheck') return dir;
      } catch {
        /* keep walking */
      }
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

// ------------------------------------------------------------------------------ extension ids

/** Chrome's id alphabet: the hex digits of the first 128 bits of SHA-256, mapped 0-f → a-p. */
export function chromeIdFromBytes(bytes: Uint8Array | string): string {
  const hex = createHash('sha256').update(bytes).digest('hex').slice(0, 32);
  let out = '';
  for (const c of hex) out += String.fromCharCode(97 + parseInt(c, 16));
  return out;
}

/** Id of an unpacked extension loaded from `dir` (Chrome hashes the absolute, resolved path). */
export function chromeIdForPath(dir: string): string {
  let p = resolve(dir);
  try {
    p = realpathSync(p);
  } catch {
    /* not there (yet): hash the path as given */
  }
  return chromeIdFromBytes(p);
}

/** Id of an extension whose manifest has a `key` (base64 DER SubjectPublicKeyInfo). */
export function chromeIdForKey(key: string): string {
  return chromeIdFromBytes(Uint8Array.from(Buffer.from(key, 'base64')));
}

export async function readJson(path: string): Promise<Record<string, unknown> | undefined> {
  try {
    const v = JSON.parse(await readFile(path, 'utf8')) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Extension ids to allow when none are given: from the built extension in dist/. */
export async function defaultExtensionIds(browser: Browser, root: string | undefined): Promise<string[]> {
  if (!root) return [];
  if (browser === 'firefox') {
    const m = await readJson(join(root, 'dist', 'firefox', 'manifest.json'));
    const gecko = (m?.browser_specific_settings as { gecko?: { id?: unknown } } | undefined)?.gecko;
    return typeof gecko?.id === 'string' ? [gecko.id] : [];
  }
  const dir = join(root, 'dist', 'chrome');
  const m = await readJson(join(dir, 'manifest.json'));
  if (!m) return [];
  if (typeof m.key === 'string') return [chromeIdForKey(m.key)];
  return [chromeIdForPath(dir)];
}

// -------------------------------------------------------------------------------- manifests

export interface HostManifest {
  name: string;
  description: string;
  path: string;
  type: 'stdio';
  allowed_origins?: string[];
  allowed_extensions?: string[];
}

export function buildManifest(browser: Browser, launcher: string, ids: string[]): HostManifest {
  const base = { name: HOST_NAME, description: HOST_DESCRIPTION, path: launcher, type: 'stdio' as const };
  return browser === 'firefox'
    ? { ...base, allowed_extensions: ids }
    : { ...base, allowed_origins: ids.map((id) => `chrome-extension://${id}/`) };
}

function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function buildLauncher(node: string, cli: string, logPath: string | undefined): string {
  return [
    '#!/bin/sh',
    '# CoatCheck native messaging host launcher, written by `coatcheck host install`.',
    '# The browser starts it with the calling extension as argument; it opens no network port.',
    ...(logPath ? [`COATCHECK_LOG=${shQuote(logPath)}`, 'export COATCHECK_LOG'] : []),
    `exec ${shQuote(node)} ${shQuote(cli)} host run "$@"`,
    '',
  ].join('\n');
}

// ------------------------------------------------------------------------------------ argv
