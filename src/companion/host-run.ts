/**
 * `coatcheck host run`: the companion as the extension's native messaging host. Length-prefixed
 * JSON on stdin/stdout (native-messaging.ts), findings appended to a local JSONL log.
 */
import { SEVERITIES } from '../core';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { HOST_NAME } from './host-paths';
import { encodeFrame, FrameDecoder } from './native-messaging';

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
