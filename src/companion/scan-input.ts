/**
 * How `coatcheck scan` opens its inputs (files in one reused buffer, standard input), words what
 * went wrong reading them, and keeps the byte spans of the entries its evidence points at.
 */
import { statSync } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import type { HarEntrySpan } from './har-stream';

/** A message that names the input; never a stack trace. */
export function describeIoError(path: string, e: unknown): string {
  const code = (e as { code?: string })?.code;
  const name = path === '-' ? 'standard input' : path;
  switch (code) {
    case 'ENOENT':
      return `${name}: no such file`;
    case 'EISDIR':
      return `${name}: is a directory, not a HAR file`;
    case 'EACCES':
    case 'EPERM':
      return `${name}: permission denied`;
    default:
      return `${name}: cannot read (${code ?? (e instanceof Error ? e.message : String(e))})`;
  }
}

export function defaultOpen(path: string): AsyncIterable<Uint8Array> {
  if (path === '-') return process.stdin;
  return fileChunks(path);
}

/**
 * A file in 1 MiB chunks, all read into the same buffer: the reader keeps no chunk (HarReader.write),
 * so a scan allocates no memory per chunk and its peak does not follow the file's size.
 */
export async function* fileChunks(path: string, size = 1024 * 1024): AsyncGenerator<Uint8Array> {
  const fh = await openFile(path, 'r');
  try {
    const buf = new Uint8Array(size);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, size, null);
      if (bytesRead === 0) return;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}

export function defaultSize(path: string): number | undefined {
  if (path === '-') return undefined;
  try {
    return statSync(path).size;
  } catch {
    return undefined;
  }
}

/**
 * Keeps the byte spans of the most recent entries (and of any entry evidence points at). A capture
 * read sorted keeps every span (two numbers an entry): evidence may point at any entry.
 */
export class SpanKeeper {
  private ring: (HarEntrySpan & { entry: number })[] = [];
  private pos = 0;
  private all: Map<number, HarEntrySpan> | undefined;
  readonly kept = new Map<number, HarEntrySpan>();
  constructor(private readonly size = 4096) {
    if (!Number.isFinite(size)) this.all = new Map();
  }
  add(entry: number, span: HarEntrySpan): void {
    if (this.all) {
      this.all.set(entry, span);
      return;
    }
    const rec = { entry, ...span };
    if (this.ring.length < this.size) this.ring.push(rec);
    else this.ring[this.pos] = rec;
    this.pos = (this.pos + 1) % this.size;
  }
  keep(entry: number): void {
    if (this.kept.has(entry)) return;
    if (this.all) {
      const sp = this.all.get(entry);
      if (sp) this.kept.set(entry, { start: sp.start, end: sp.end });
      return;
    }
    for (const r of this.ring) if (r.entry === entry) this.kept.set(entry, { start: r.start, end: r.end });
  }
}

export function fmtBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`;
}
