/**
 * `coatcheck`: the companion CLI's entry. Argument dispatch, --help, --version. Each command lives
 * in its own module and takes (argv, io) so tests can run it without a process.
 */
export { Engine, observationFromHarEntry, feedHarEntries, HarFeed, harWarnings, OrderCheck, slimObservation, timeOrder } from '../core';
import { readFile } from 'node:fs/promises';
import { setFlagsFromString } from 'node:v8';
import { hostCommand } from './host';
import { inspectCommand } from './inspect';
import type { CliIO } from './io';
import { metadataCommand } from './metadata';
import { providersCommand } from './providers';
import { scanCommand, VERSION } from './scan';
import { watchCommand } from './watch';

// The built file (dist/cli/coatcheck.js) also exposes the streaming pieces for scripts and the bench.
export { resolveLeanBody } from './har-lean';
export { HarReader, HarReadError, readHarStream } from './har-stream';
export { fileChunks, scanCommand, VERSION } from './scan';

export const MAIN_HELP = `Usage: coatcheck <command> [options]

Catch OAuth 2.0 / OpenID Connect mix-up, COAT, code injection and token leaks in HAR captures,
tokens and authorization server metadata (RFC 9700, draft-ietf-oauth-security-topics-update-03).

Commands:
  scan [options] <file.har>...        scan HAR captures (- = standard input)
  inspect [options] <token|->         decode and verify a JWT / JWS / JWE
  metadata <issuer-url|file.json>     audit RFC 8414 / OIDC Discovery metadata
  providers [--format json] [<id>]    print the provider table: issuers, iss behaviour, sources, dates
  host install|uninstall|status       register the native messaging host for the extension
  watch                               follow the findings the extension sends to the host

Options:
  -h, --help       help (also: coatcheck <command> --help)
  -v, --version    print the version

Exit codes: 0 no finding at or above --fail-on, 1 at least one, 2 could not run.
`;

/** Everything the commands get: the tokens helper's CliIO plus what scan and host use. */
export type MainIO = CliIO & {
  stderrIsTTY?: boolean;
  env?: Record<string, string | undefined>;
  stdin?: AsyncIterable<Uint8Array>;
  writeStdout?: (b: Uint8Array) => void;
};

type Command = (argv: string[], io: MainIO) => Promise<number>;

/** The dispatch table. New commands are one line here. */
const COMMANDS: Record<string, Command> = {
  scan: (argv, io) => scanCommand(argv, io),
  inspect: (argv, io) => inspectCommand(argv, io),
  metadata: (argv, io) => metadataCommand(argv, io),
  providers: (argv, io) => providersCommand(argv, io),
  // native messaging host and its log viewer (src/companion/host.ts, watch.ts)
  host: (argv, io) => hostCommand(argv, io),
  watch: (argv, io) => watchCommand(argv, io),
};

export async function main(argv: string[], io: MainIO): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined) {
    io.stderr(MAIN_HELP);
    return 2;
  }
  if (cmd === '--help' || cmd === '-h' || cmd === 'help') {
    if (rest[0] && COMMANDS[rest[0]]) return COMMANDS[rest[0]](['--help'], io);
    io.stdout(MAIN_HELP);
    return 0;
  }
  if (cmd === '--version' || cmd === '-v' || cmd === 'version') {
    io.stdout(`${VERSION}\n`);
    return 0;
  }
  const run = COMMANDS[cmd];
  if (!run) {
    io.stderr(`coatcheck: unknown command '${cmd}'\n\n${MAIN_HELP}`);
    return 2;
  }
  try {
    return await run(rest, io);
  } catch (e) {
    // never a stack trace, unless asked for
    const env = io.env ?? process.env;
    io.stderr(`coatcheck ${cmd}: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    if (env.COATCHECK_DEBUG && e instanceof Error && e.stack) io.stderr(`${e.stack}\n`);
    return 2;
  }
}

function colorWanted(env: NodeJS.ProcessEnv, tty: boolean): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  return tty && env.TERM !== 'dumb';
}

async function readStdinText(): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of process.stdin) parts.push(c as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

/** The process's I/O. */
export function nodeIO(): MainIO {
  const tty = Boolean(process.stdout.isTTY);
  return {
    stdout: (t: string) => void process.stdout.write(t),
    stderr: (t: string) => void process.stderr.write(t),
    readStdin: readStdinText,
    isTTY: tty,
    color: colorWanted(process.env, tty),
    fetch: globalThis.fetch,
    readFile: (p: string) => readFile(p, 'utf8'),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    env: process.env,
    stdin: process.stdin,
    writeStdout: (b: Uint8Array) => void process.stdout.write(b),
  } as MainIO;
}

/**
 * The process's heap, tuned for streaming: a scan keeps bounded state (the engine's caps) while it
 * allocates garbage per entry, and V8's default growth lets that garbage pile up in the old
 * generation, so peak RSS kept rising with the capture's size (100 → 500 MB OAuth-dense HAR: 145 →
 * 196 MB). A heap that grows by 20 % at a time (instead of V8's factor of up to 4) keeps it flat
 * (132 → 139 MB). `--optimize-for-size` kept it flat too, but cost 16–40 % more CPU on the
 * OAuth-dense captures (it also makes the compiler favour size): bench/README.md, #10.
 *
 * The compiler, tuned for a short run: TurboFan inlines less (callees up to 120 bytes of bytecode
 * instead of 460, and 300 in all per function instead of 920). Most of a scan's code is optimised
 * while the scan runs: on a 100 MB OAuth-dense HAR, 274 functions took 1.2 s of compile time in
 * V8's background threads, and the engine's first eighth of the entries cost 4x its steady rate.
 * Smaller optimised functions compile in two thirds of that time and arrive sooner: that scan took
 * 4–7 % less wall time (medians of interleaved runs, 5–11 rounds, in four sittings), the browsing
 * capture 1–2 % less, and the 500 MB one as long (bench/README.md, #10, 2026-12-05 afternoon).
 *
 * Called by the `coatcheck` command only, never by the library: a host process keeps its own heap
 * and compiler.
 */
export function tuneV8ForStreaming(): void {
  setFlagsFromString('--heap-growing-percent=20');
  setFlagsFromString('--max-inlined-bytecode-size=120');
  setFlagsFromString('--max-inlined-bytecode-size-cumulative=300');
}

/** Entry used by bin/coatcheck.js. */
export async function run(argv = process.argv.slice(2)): Promise<void> {
  tuneV8ForStreaming();
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  process.exitCode = await main(argv, nodeIO());
}
