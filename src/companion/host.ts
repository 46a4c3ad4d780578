/**
 * `coatcheck host install|uninstall|status|run`: the companion as the extension's native messaging
 * host. `install` writes a per-user host manifest (no system paths, no registry) and a launcher
 * script beside it that runs this CLI in host mode; `run` is host mode itself: length-prefixed JSON
 * on stdin/stdout (native-messaging.ts), findings appended to a local JSONL log. No network port
 * is ever opened.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { appendFile, chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SEVERITIES } from '../core';
import { argTokens } from './io';
import { encodeFrame, FrameDecoder } from './native-messaging';

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

type Env = Required<HostEnv>;

function envOf(io: HostEnv): Env {
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

async function readJson(path: string): Promise<Record<string, unknown> | undefined> {
  try {
    const v = JSON.parse(await readFile(path, 'utf8')) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Extension ids to allow when none are given: from the built extension in dist/. */
async function defaultExtensionIds(browser: Browser, root: string | undefined): Promise<string[]> {
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

interface HostArgs {
  sub: string;
  browsers: Browser[];
  userDataDir?: string;
  ids: string[];
  log?: string;
  node?: string;
  cli?: string;
  extensionDir?: string;
  json: boolean;
  help: boolean;
  rest: string[];
}

class ArgError extends Error {}

function parseArgs(argv: string[]): HostArgs {
  const a: HostArgs = { sub: '', browsers: [], ids: [], json: false, help: false, rest: [] };
  for (const { arg: t, name: flag, value: take } of argTokens(argv, (m) => new ArgError(m))) {
    switch (flag) {
      case '--help':
      case '-h':
        a.help = true;
        break;
      case '--browser': {
        for (const b of take().split(',')) {
          if (b === 'all') a.browsers.push(...BROWSERS);
          else if ((BROWSERS as readonly string[]).includes(b)) a.browsers.push(b as Browser);
          else throw new ArgError(`unknown browser "${b}" (chrome, chromium, firefox)`);
        }
        break;
      }
      case '--user-data-dir':
        a.userDataDir = take();
        break;
      case '--extension-id':
        a.ids.push(...take().split(',').filter(Boolean));
        break;
      case '--extension-dir':
        a.extensionDir = take();
        break;
      case '--log':
        a.log = take();
        break;
      case '--node':
        a.node = take();
        break;
      case '--cli':
        a.cli = take();
        break;
      case '--json':
        a.json = true;
        break;
      default:
        if (!a.sub && !t.startsWith('-')) a.sub = t;
        // host mode: whatever the browser adds (Windows Chrome: --parent-window=N) is not ours to refuse
        else if (a.sub === 'run' || t.startsWith('chrome-extension://') || !t.startsWith('-')) a.rest.push(t);
        else throw new ArgError(`unknown option ${t}`);
    }
  }
  a.browsers = [...new Set(a.browsers)];
  return a;
}

export const HOST_HELP = `Usage: coatcheck host install|uninstall|status --browser chrome|chromium|firefox [options]

Register the companion as the CoatCheck extension's native messaging host (per user; no network
port). The extension then forwards findings, which are appended to a local JSONL log that
\`coatcheck watch\` prints live.

Commands:
  install     write the host manifest and its launcher script
  uninstall   remove them
  status      show where they are and whether they are installed (exit 0 installed, 1 not)
  run         host mode (started by the browser through the launcher)

Options:
  --browser B          chrome, chromium, firefox (comma-separated, or "all"; status defaults to all)
  --user-data-dir DIR  use DIR's NativeMessagingHosts (Chrome/Chromium --user-data-dir) or
                       DIR/native-messaging-hosts instead of the per-user default
                       (also $COATCHECK_USER_DATA_DIR)
  --extension-id ID    extension allowed to connect (repeatable; default: the built extension in
                       dist/: Chrome id from its manifest key or unpacked path, Firefox gecko id)
  --extension-dir DIR  allow the unpacked Chrome extension loaded from DIR
  --log FILE           findings log (default $COATCHECK_LOG or
                       \${XDG_STATE_HOME:-~/.local/state}/coatcheck/findings.jsonl)
  --node PATH, --cli PATH   the node binary and CLI script the launcher runs (defaults: this ones)
  --json               machine-readable output
`;

// ------------------------------------------------------------------------------- commands

export async function hostCommand(argv: string[], io: HostIO & HostEnv & { stdin?: AsyncIterable<Uint8Array>; writeStdout?: (b: Uint8Array) => void }): Promise<number> {
  const e = envOf(io);
  // Chrome starts the host path with the caller's origin as the only argument; Firefox with the
  // manifest path and the extension id. The launcher passes `run` first, but accept both.
  if (argv[0]?.startsWith('chrome-extension://')) argv = ['run', ...argv];
  let a: HostArgs;
  try {
    a = parseArgs(argv);
  } catch (err) {
    io.stderr(`coatcheck host: ${(err as Error).message}\n${HOST_HELP}`);
    return 2;
  }
  if (a.help || !a.sub) {
    (a.help ? io.stdout : io.stderr)(HOST_HELP);
    return a.help ? 0 : 2;
  }
  const udd = a.userDataDir ?? e.env.COATCHECK_USER_DATA_DIR;

  if (a.sub === 'run') {
    const input = io.stdin ?? (process.stdin as AsyncIterable<Uint8Array>);
    const write = io.writeStdout ?? ((b: Uint8Array) => process.stdout.write(b));
    return runHost({ input, write, logPath: a.log ? resolve(a.log) : defaultLogPath(e), origin: a.rest.find((r) => /^[a-z-]+:\/\//.test(r)) ?? a.rest[1] ?? a.rest[0], stderr: io.stderr });
  }

  if (!['install', 'uninstall', 'status'].includes(a.sub)) {
    io.stderr(`coatcheck host: unknown command "${a.sub}"\n${HOST_HELP}`);
    return 2;
  }
  if (e.platform === 'win32') {
    io.stderr('coatcheck host: Windows registers native hosts in the registry; not supported by this command yet\n');
    return 2;
  }
  const browsers = a.browsers.length ? a.browsers : a.sub === 'status' ? [...BROWSERS] : [];
  if (browsers.length === 0) {
    io.stderr(`coatcheck host ${a.sub}: --browser chrome|chromium|firefox is required\n`);
    return 2;
  }

  if (a.sub === 'install') {
    const root = packageRoot();
    const cli = a.cli ? resolve(a.cli) : root ? join(root, 'bin', 'coatcheck.js') : undefined;
    if (!cli || !existsSync(cli)) {
      io.stderr(`coatcheck host install: cannot find the CLI to launch (${cli ?? 'no package root'}); build first or pass --cli\n`);
      return 2;
    }
    const node = a.node ?? process.execPath;
    const results: Record<string, unknown>[] = [];
    for (const b of browsers) {
      let ids = [...a.ids];
      if (a.extensionDir && b !== 'firefox') ids.push(chromeIdForPath(a.extensionDir));
      if (ids.length === 0) ids = await defaultExtensionIds(b, root);
      ids = [...new Set(ids)];
      if (ids.length === 0) {
        io.stderr(`coatcheck host install: no extension id for ${b}; build the extension or pass --extension-id\n`);
        return 2;
      }
      const bad = ids.find((id) => (b === 'firefox' ? !/^[^\s"]+$/.test(id) : !/^[a-p]{32}$/.test(id)));
      if (bad) {
        io.stderr(`coatcheck host install: "${bad}" is not a ${b === 'firefox' ? 'Firefox add-on' : 'Chrome extension'} id\n`);
        return 2;
      }
      const mPath = manifestPath(b, e, udd);
      const lPath = launcherPath(b, e, udd);
      const log = a.log ? resolve(a.log) : undefined;
      try {
        await mkdir(dirname(mPath), { recursive: true });
        await writeFile(lPath, buildLauncher(node, cli, log), { mode: 0o755 });
        await chmod(lPath, 0o755);
        await writeFile(mPath, JSON.stringify(buildManifest(b, lPath, ids), null, 2) + '\n', { mode: 0o644 });
      } catch (err) {
        io.stderr(`coatcheck host install: cannot write ${mPath}: ${(err as Error).message}\n`);
        return 2;
      }
      results.push({ browser: b, manifest: mPath, launcher: lPath, extensions: ids, log: log ?? defaultLogPath(e) });
      if (!a.json) io.stdout(`installed ${HOST_NAME} for ${b}\n  manifest  ${mPath}\n  launcher  ${lPath}\n  allowed   ${ids.join(', ')}\n  log       ${log ?? defaultLogPath(e)}\n`);
    }
    if (a.json) io.stdout(JSON.stringify({ installed: results }, null, 2) + '\n');
    return 0;
  }

  if (a.sub === 'uninstall') {
    const results: Record<string, unknown>[] = [];
    for (const b of browsers) {
      const mPath = manifestPath(b, e, udd);
      const lPath = launcherPath(b, e, udd);
      const existed = existsSync(mPath) || existsSync(lPath);
      try {
        await rm(mPath, { force: true });
        await rm(lPath, { force: true });
      } catch (err) {
        io.stderr(`coatcheck host uninstall: cannot remove ${mPath}: ${(err as Error).message}\n`);
        return 2;
      }
      results.push({ browser: b, removed: existed, manifest: mPath });
      if (!a.json) io.stdout(`${existed ? 'removed' : 'not installed'}: ${b} (${mPath})\n`);
    }
    if (a.json) io.stdout(JSON.stringify({ uninstalled: results }, null, 2) + '\n');
    return 0;
  }

  // status
  const results: { browser: Browser; installed: boolean; manifest: string; launcher?: string; launcherOk?: boolean; extensions?: string[]; problem?: string }[] = [];
  for (const b of browsers) {
    const mPath = manifestPath(b, e, udd);
    const m = (await readJson(mPath)) as Partial<HostManifest> | undefined;
    if (!m) {
      results.push({ browser: b, installed: false, manifest: mPath });
      continue;
    }
    const launcher = typeof m.path === 'string' ? m.path : undefined;
    let launcherOk = false;
    if (launcher) {
      try {
        launcherOk = ((await stat(launcher)).mode & 0o111) !== 0;
      } catch {
        launcherOk = false;
      }
    }
    const ids = b === 'firefox' ? m.allowed_extensions : m.allowed_origins;
    const problem = m.name !== HOST_NAME ? `manifest name is ${String(m.name)}` : !launcherOk ? `launcher ${launcher ?? '(none)'} missing or not executable` : undefined;
    results.push({ browser: b, installed: !problem, manifest: mPath, launcher, launcherOk, extensions: Array.isArray(ids) ? ids : [], ...(problem ? { problem } : {}) });
  }
  if (a.json) io.stdout(JSON.stringify({ host: HOST_NAME, log: a.log ? resolve(a.log) : defaultLogPath(e), status: results }, null, 2) + '\n');
  else {
    for (const r of results) {
      io.stdout(
        r.installed
          ? `${r.browser}: installed\n  manifest  ${r.manifest}\n  launcher  ${r.launcher}\n  allowed   ${(r.extensions ?? []).join(', ')}\n`
          : `${r.browser}: not installed${r.problem ? ` (${r.problem})` : ''}\n  manifest  ${r.manifest}\n`,
      );
    }
    io.stdout(`log: ${a.log ? resolve(a.log) : defaultLogPath(e)}\n`);
  }
  return results.every((r) => r.installed) ? 0 : 1;
}

// ------------------------------------------------------------------------------- host mode

/** The messages the extension sends (src/background/native-link.ts). */
export type LinkMessage =
  | { type: 'hello'; version?: string }
  | { type: 'findings'; findings: unknown[]; tabId?: number; pageUrl?: string; extensionVersion?: string };

export interface LogRecord {
  v: 1;
  receivedAt: string;
  /** the calling extension (chrome-extension://id/ or the Firefox add-on id) */
  origin?: string;
  tabId?: number;
  pageUrl?: string;
  finding: Record<string, unknown>;
}

const MAX_LINE = 256 * 1024;

/** A finding as the log accepts it: the Finding schema's required fields with sane types. */
export function validFinding(f: unknown): f is Record<string, unknown> {
  if (!f || typeof f !== 'object' || Array.isArray(f)) return false;
  const o = f as Record<string, unknown>;
  return (
    typeof o.ruleId === 'string' &&
    /^[a-z0-9][a-z0-9-]{0,80}$/.test(o.ruleId) &&
    typeof o.severity === 'string' &&
    (SEVERITIES as string[]).includes(o.severity) &&
    typeof o.message === 'string' &&
    (o.evidence === undefined || Array.isArray(o.evidence))
  );
}

export interface RunHostOptions {
  input: AsyncIterable<Uint8Array>;
  write(bytes: Uint8Array): void;
  logPath: string;
  origin?: string;
  stderr?(text: string): void;
  now?(): Date;
}

/** Host mode: read frames until stdin closes; 0 on a clean end, 1 when the stream broke. */
export async function runHost(opts: RunHostOptions): Promise<number> {
  const decoder = new FrameDecoder();
  const now = opts.now ?? (() => new Date());
  const reply = (m: unknown) => {
    const f = encodeFrame(m);
    if (f.ok) opts.write(f.bytes);
  };
  let dirReady = false;
  const append = async (lines: string[]) => {
    if (lines.length === 0) return;
    if (!dirReady) {
      await mkdir(dirname(opts.logPath), { recursive: true, mode: 0o700 });
      dirReady = true;
    }
    await appendFile(opts.logPath, lines.join(''), { mode: 0o600 });
  };
  const handle = async (msg: unknown): Promise<void> => {
    const m = msg as Partial<LinkMessage> | null;
    if (!m || typeof m !== 'object' || typeof m.type !== 'string') {
      reply({ type: 'error', code: 'BAD_MESSAGE', message: 'expected an object with a type' });
      return;
    }
    if (m.type === 'hello') {
      reply({ type: 'hello', host: HOST_NAME, version: 1 });
      return;
    }
    if (m.type === 'findings') {
      const list = Array.isArray((m as { findings?: unknown }).findings) ? ((m as { findings: unknown[] }).findings) : [];
      const tabId = typeof (m as { tabId?: unknown }).tabId === 'number' ? (m as { tabId: number }).tabId : undefined;
      const pageUrl = typeof (m as { pageUrl?: unknown }).pageUrl === 'string' ? (m as { pageUrl: string }).pageUrl : undefined;
      const lines: string[] = [];
      let rejected = 0;
      for (const f of list) {
        if (!validFinding(f)) {
          rejected++;
          continue;
        }
        const rec: LogRecord = { v: 1, receivedAt: now().toISOString(), ...(opts.origin ? { origin: opts.origin } : {}), ...(tabId !== undefined ? { tabId } : {}), ...(pageUrl ? { pageUrl } : {}), finding: f };
        const line = JSON.stringify(rec) + '\n';
        if (line.length > MAX_LINE) {
          rejected++;
          continue;
        }
        lines.push(line);
      }
      try {
        await append(lines);
        reply({ type: 'ack', accepted: lines.length, rejected });
      } catch (err) {
        opts.stderr?.(`coatcheck host: cannot write ${opts.logPath}: ${(err as Error).message}\n`);
        reply({ type: 'error', code: 'LOG_WRITE_FAILED', message: (err as Error).message });
      }
      return;
    }
    reply({ type: 'error', code: 'UNKNOWN_TYPE', message: `unknown message type ${JSON.stringify(m.type).slice(0, 60)}` });
  };

  for await (const chunk of opts.input) {
    for (const r of decoder.push(chunk instanceof Uint8Array ? chunk : new Uint8Array(chunk))) {
      if (r.ok) await handle(r.message);
      else {
        opts.stderr?.(`coatcheck host: ${r.error.code}: ${r.error.message}\n`);
        if (r.error.code === 'FRAME_TOO_LARGE') return 1;
        reply({ type: 'error', code: r.error.code, message: r.error.message });
      }
    }
  }
  for (const r of decoder.end()) {
    if (!r.ok) {
      opts.stderr?.(`coatcheck host: ${r.error.code}: ${r.error.message}\n`);
      return 1;
    }
  }
  return 0;
}
