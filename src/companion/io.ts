/**
 * The I/O a companion command gets, so that tests can run commands without a process: output
 * writers, standard input, TTY/colour facts, fetch and file reading.
 */
import type { Severity } from '../core/report/finding';
import { SEVERITIES } from '../core/report/finding';

export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  readStdin: () => Promise<string>;
  isTTY: boolean;
  color: boolean;
  fetch: typeof fetch;
  readFile: (p: string) => Promise<string>;
}

/** An error that ends a command with exit code 2 and a one-line message (no stack trace). */
export class CommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandError';
  }
}

/** One command-line token: an option (`--name`, `--name=value`, `-x`) or a positional argument. */
export interface ArgToken {
  /** the token as given */
  arg: string;
  /** the option's name without an inline value (`--format` for `--format=json`); the token itself for a positional */
  name: string;
  /** false for positionals: anything not starting with `-`, a lone `-` (standard input), anything after `--` */
  option: boolean;
  /** the value given inline with `=`, if any */
  inline: string | undefined;
  /** the option's value: inline, or the next token (consumed); a missing one is an error */
  value(): string;
}

/**
 * The one way every coatcheck command reads its arguments: `--name=value` or `--name value`,
 * `--` ends the options, `-` is a positional. A value that is missing, or is itself an option
 * (`--browser --json`), throws `fail("<name> needs a value")` (CommandError by default).
 */
export function* argTokens(argv: readonly string[], fail: (message: string) => Error = (m) => new CommandError(m)): Generator<ArgToken> {
  let endOfOptions = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!endOfOptions && arg === '--') {
      endOfOptions = true;
      continue;
    }
    if (endOfOptions || arg === '-' || !arg.startsWith('-')) {
      yield { arg, name: arg, option: false, inline: undefined, value: () => arg };
      continue;
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    let taken: string | undefined;
    yield {
      arg,
      name,
      option: true,
      inline,
      value: () => {
        if (inline !== undefined) return inline;
        if (taken !== undefined) return taken;
        const next = argv[i + 1];
        if (next === undefined || /^--[a-z]/i.test(next)) throw fail(`${name} needs a value`);
        i += 1;
        taken = next;
        return next;
      },
    };
  }
}

export function parseSeverity(flag: string, v: string | undefined, allowNone: boolean): Severity | 'none' {
  if (v === undefined) throw new CommandError(`${flag} needs a value`);
  if (allowNone && v === 'none') return 'none';
  if (!(SEVERITIES as string[]).includes(v)) {
    throw new CommandError(`${flag} must be one of ${SEVERITIES.join(', ')}${allowNone ? ', none' : ''} (got '${v}')`);
  }
  return v as Severity;
}

const CODES: Record<string, string> = {
  red: '31',
  yellow: '33',
  blue: '34',
  magenta: '35',
  cyan: '36',
  green: '32',
  dim: '2',
  bold: '1',
};

export type Paint = (style: keyof typeof CODES | string, s: string) => string;

export function painter(color: boolean): Paint {
  return (style, s) => (color && CODES[style] ? `\u001b[${CODES[style]}m${s}\u001b[0m` : s);
}

export function severityStyle(s: Severity): string {
  return s === 'critical' ? 'magenta' : s === 'high' ? 'red' : s === 'medium' ? 'yellow' : s === 'low' ? 'blue' : 'dim';
}

/** A short reason from a fetch failure (Node wraps the socket error in `cause`). */
export function fetchErrorMessage(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as Error & { cause?: unknown }).cause;
    if (cause instanceof Error) {
      const code = (cause as Error & { code?: string }).code;
      return code ? `${code}: ${cause.message}` : cause.message;
    }
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'timed out';
    return e.message;
  }
  return String(e);
}

/** GET a JSON object with a timeout; CommandError with a clear message otherwise. */
export async function fetchJson(io: CliIO, url: string, what: string, timeoutMs = 10_000): Promise<Record<string, unknown>> {
  let res: Response;
  try {
    res = await io.fetch(url, { headers: { accept: 'application/json' }, redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    throw new CommandError(`cannot fetch ${what} from ${url}: ${fetchErrorMessage(e)}`);
  }
  if (!res.ok) throw new CommandError(`cannot fetch ${what} from ${url}: HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
  let text: string;
  try {
    text = await res.text();
  } catch (e) {
    throw new CommandError(`cannot read ${what} from ${url}: ${fetchErrorMessage(e)}`);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new CommandError(`${what} at ${url} is not JSON`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new CommandError(`${what} at ${url} is not a JSON object`);
  return v as Record<string, unknown>;
}

/** Report a command error: message on stderr, and `{error:{message}}` on stdout for --format json. */
export function failWith(io: CliIO, command: string, message: string, json: boolean): number {
  io.stderr(`coatcheck ${command}: ${message}\n`);
  if (json) io.stdout(`${JSON.stringify({ error: { message } }, null, 2)}\n`);
  return 2;
}

/**
 * The common start of a command: parse its arguments (a bad one ends the command with exit code 2
 * and a one-line message, as JSON when `--format json` was asked for), or print its help (exit 0).
 * Returns the arguments, or the exit code to end with.
 */
export function startCommand<A extends { help: boolean }>(argv: string[], io: CliIO, command: string, parse: (argv: string[]) => A, help: string): A | number {
  const json = argv.some((x, i) => (x === '--format' && argv[i + 1] === 'json') || x === '--format=json');
  let args: A;
  try {
    args = parse(argv);
  } catch (e) {
    return failWith(io, command, e instanceof Error ? e.message : String(e), json);
  }
  if (args.help) {
    io.stdout(help);
    return 0;
  }
  return args;
}
