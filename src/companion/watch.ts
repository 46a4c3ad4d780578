/**
 * `coatcheck watch`: tail the native host's findings log (JSONL) and print findings as they arrive.
 * Polls the file (portable, survives the file being created later or truncated).
 */
import { open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { atLeast, SEVERITIES, type Severity } from '../core';
import { defaultLogPath, type HostEnv, type HostIO, type LogRecord } from './host';
import { argTokens } from './io';

export const WATCH_HELP = `Usage: coatcheck watch [--log FILE] [--from-start] [--once] [--format text|json] [--min-severity LEVEL]

Print the findings the extension forwards to the native host (\`coatcheck host install\`) as
they arrive. Values are shown as the extension sent them (redacted unless its settings reveal them).

Options:
  --log FILE            the findings log (default $COATCHECK_LOG or
                        \${XDG_STATE_HOME:-~/.local/state}/coatcheck/findings.jsonl)
  --from-start          print the findings already in the log first (default: only new ones)
  --once                print what is in the log and exit (implies --from-start)
  --format text|json    json prints one log record per line
  --min-severity LEVEL  hide findings below LEVEL (critical, high, medium, low, info)
  --interval MS         polling interval (default 300)
`;

const COLORS: Record<Severity, string> = { critical: '\x1b[1;35m', high: '\x1b[1;31m', medium: '\x1b[33m', low: '\x1b[36m', info: '\x1b[2m' };

/** One log record as a human line (two lines with the evidence URL). */
export function formatRecord(rec: LogRecord, color = false): string {
  const f = rec.finding as { ruleId?: string; severity?: Severity; title?: string; message?: string; evidence?: { url?: string }[] };
  const sev = (f.severity ?? 'info') as Severity;
  const t = rec.receivedAt ? rec.receivedAt.slice(11, 19) : '--:--:--';
  const sevText = sev.toUpperCase().padEnd(8);
  const c = (code: string, s: string) => (color ? `${code}${s}\x1b[0m` : s);
  const head = `${t} ${c(COLORS[sev] ?? '', sevText)} ${c('\x1b[1m', f.ruleId ?? '?')}  ${f.title ? `${f.title}: ` : ''}${f.message ?? ''}`;
  const where = [rec.tabId !== undefined ? `tab ${rec.tabId}` : '', rec.pageUrl ?? f.evidence?.[0]?.url ?? ''].filter(Boolean).join(' · ');
  return where ? `${head}\n         ${c('\x1b[2m', where)}\n` : `${head}\n`;
}

interface WatchArgs {
  log?: string;
  fromStart: boolean;
  once: boolean;
  format: 'text' | 'json';
  min: Severity;
  interval: number;
  help: boolean;
}

function parse(argv: string[]): WatchArgs | string {
  const a: WatchArgs = { fromStart: false, once: false, format: 'text', min: 'info', interval: 300, help: false };
  for (const { arg: t, name: flag, value } of argTokens(argv)) {
    const val = (): string | undefined => {
      try {
        return value();
      } catch {
        return undefined;
      }
    };
    switch (flag) {
      case '--help':
      case '-h':
        a.help = true;
        break;
      case '--log': {
        const v = val();
        if (!v) return '--log needs a file';
        a.log = v;
        break;
      }
      case '--from-start':
        a.fromStart = true;
        break;
      case '--once':
        a.once = true;
        a.fromStart = true;
        break;
      case '--format': {
        const v = val();
        if (v !== 'text' && v !== 'json') return `--format must be text or json`;
        a.format = v;
        break;
      }
      case '--min-severity': {
        const v = val();
        if (!(SEVERITIES as (string | undefined)[]).includes(v)) return `--min-severity must be one of ${SEVERITIES.join(', ')}`;
        a.min = v as Severity;
        break;
      }
      case '--interval': {
        const v = Number(val());
        if (!Number.isFinite(v) || v < 10) return '--interval must be a number of milliseconds ≥ 10';
        a.interval = v;
        break;
      }
      default:
        return `unknown argument ${t}`;
    }
  }
  return a;
}

export interface WatchIO extends HostIO, HostEnv {
  /** stops watching (tests, Ctrl-C handling by the caller) */
  signal?: AbortSignal;
}

export async function watchCommand(argv: string[], io: WatchIO): Promise<number> {
  const a = parse(argv);
  if (typeof a === 'string') {
    io.stderr(`coatcheck watch: ${a}\n${WATCH_HELP}`);
    return 2;
  }
  if (a.help) {
    io.stdout(WATCH_HELP);
    return 0;
  }
  const env = { env: io.env ?? process.env, home: io.home ?? io.env?.HOME ?? (await import('node:os')).homedir(), platform: io.platform ?? process.platform };
  const path = a.log ? resolve(a.log) : defaultLogPath(env);
  const color = io.color ?? false;

  let offset = 0;
  let partial = '';
  if (!a.fromStart) {
    try {
      offset = (await stat(path)).size;
    } catch {
      offset = 0;
    }
  }
  if (!a.once && io.isTTY) io.stderr(`watching ${path} (Ctrl-C to stop)\n`);

  const emit = (line: string) => {
    if (!line.trim()) return;
    let rec: LogRecord;
    try {
      rec = JSON.parse(line) as LogRecord;
    } catch {
      io.stderr(`coatcheck watch: skipped a malformed line in ${path}\n`);
      return;
    }
    const sev = (rec?.finding as { severity?: Severity } | undefined)?.severity;
    if (!rec || typeof rec !== 'object' || !rec.finding || !sev || !(SEVERITIES as string[]).includes(sev)) return;
    if (!atLeast(sev, a.min)) return;
    io.stdout(a.format === 'json' ? JSON.stringify(rec) + '\n' : formatRecord(rec, color));
  };

  const readNew = async (): Promise<void> => {
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch {
      return; // not there yet
    }
    if (size < offset) {
      offset = 0; // truncated or replaced
      partial = '';
    }
    if (size === offset) return;
    const fh = await open(path, 'r');
    try {
      while (offset < size) {
        const len = Math.min(size - offset, 1 << 20);
        const buf = new Uint8Array(len);
        const { bytesRead } = await fh.read(buf, 0, len, offset);
        if (bytesRead <= 0) break;
        offset += bytesRead;
        partial += new TextDecoder().decode(buf.subarray(0, bytesRead), { stream: true });
        let nl: number;
        while ((nl = partial.indexOf('\n')) >= 0) {
          emit(partial.slice(0, nl));
          partial = partial.slice(nl + 1);
        }
      }
    } finally {
      await fh.close();
    }
  };

  let exists = true;
  try {
    await stat(path);
  } catch {
    exists = false;
  }
  if (!exists) io.stderr(`coatcheck watch: no findings log at ${path} yet (is the host installed? coatcheck host status)\n`);
  await readNew();
  if (a.once) {
    if (partial) emit(partial);
    return 0;
  }
  while (!io.signal?.aborted) {
    await new Promise<void>((r) => {
      const t = setTimeout(r, a.interval);
      io.signal?.addEventListener('abort', () => {
        clearTimeout(t);
        r();
      }, { once: true });
    });
    if (io.signal?.aborted) break;
    await readNew();
  }
  return 0;
}
