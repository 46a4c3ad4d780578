/**
 * The I/O a companion command gets, so that tests can run commands without a process: output
 * writers, standard input, TTY/colour facts, fetch and file reading.
 */
import { type FetchPolicy, fetchRefusal, SEVERITIES, type Severity } from '../core';

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

/** Options of a fetch the CLI makes for the user: what it may reach (core/util/fetch-policy). */
export interface GuardedFetch {
  policy?: FetchPolicy;
  /** the issuer whose document named the URL: another site is refused (CROSS_SITE) */
  issuer?: { url: string; sameOwner?: (hostname: string) => boolean };
  timeoutMs?: number;
}

const MAX_REDIRECTS = 5;

/** A fetch the policy refused: final for every candidate URL of the same host, so callers rethrow it. */
export class FetchRefused extends CommandError {}

/**
 * GET `url` under the fetch policy, following at most 5 redirects by hand so that every hop is
 * checked (a public URL that redirects to 169.254.169.254 is refused at that hop).
 */
export async function guardedFetch(io: CliIO, url: string, what: string, opts: GuardedFetch = {}): Promise<{ res: Response; url: string }> {
  let current = url;
  for (let hop = 0; ; hop++) {
    const refusal = fetchRefusal(current, opts.policy, hop === 0 ? opts.issuer : undefined);
    if (refusal) {
      const hint = refusal.code === 'PRIVATE_HOST' || refusal.code === 'NOT_HTTPS' ? ' (--allow-private allows loopback and private hosts)' : refusal.code === 'CROSS_SITE' ? ' (give it with --jwks-url to use it)' : '';
      throw new FetchRefused(`refusing to fetch ${what} from ${current}${hop ? ` (redirected from ${url})` : ''}: ${refusal.reason}${hint}`);
    }
    let res: Response;
    try {
      res = await io.fetch(current, { headers: { accept: 'application/json' }, redirect: 'manual', signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000) });
    } catch (e) {
      throw new CommandError(`cannot fetch ${what} from ${current}: ${fetchErrorMessage(e)}`);
    }
    const location = res.status >= 300 && res.status < 400 ? res.headers.get('location') : null;
    if (!location) return { res, url: current };
    if (hop >= MAX_REDIRECTS) throw new CommandError(`cannot fetch ${what} from ${url}: more than ${MAX_REDIRECTS} redirects`);
    try {
      current = new URL(location, current).href;
    } catch {
      throw new CommandError(`cannot fetch ${what} from ${current}: bad redirect Location`);
    }
  }
}

/** GET a JSON object with a timeout, under the fetch policy; CommandError with a clear message otherwise. */
export async function fetchJson(io: CliIO, url: string, what: string, opts: GuardedFetch = {}): Promise<Record<string, unknown>> {
  const { res } = await guardedFetch(io, url, what, opts);
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
