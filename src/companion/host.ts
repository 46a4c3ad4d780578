/**
 * `coatcheck host install|uninstall|status|run`: the companion as the extension's native messaging
 * host. `install` writes a per-user host manifest (no system paths, no registry) and a launcher
 * script beside it that runs this CLI in host mode; `run` is host mode itself: length-prefixed JSON
 * on stdin/stdout (native-messaging.ts), findings appended to a local JSONL log. No network port
 * is ever opened.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import {
  BROWSERS,
  type Browser,
  buildLauncher,
  buildManifest,
  chromeIdForPath,
  defaultExtensionIds,
  defaultLogPath,
  envOf,
  type HostEnv,
  type HostIO,
  type HostManifest,
  HOST_NAME,
  launcherPath,
  manifestPath,
  packageRoot,
  readJson,
} from './host-paths';
import { runHost } from './host-run';
import { argTokens } from './io';

export * from './host-paths';
export * from './host-run';

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
