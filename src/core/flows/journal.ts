/**
 * The persistence contract of the flow layer (and of anything else the worker must not lose): an
 * owner keeps the set of its keys that changed since the last flush, and a flush writes only
 * those (`put` as JSON text, `del` for what is gone). Platform-free: the worker hands the batch to
 * storage.session (one set, one remove), tests to a Map.
 */

/** What one flush writes: key → JSON text, and the keys to remove. */
export interface JournalBatch {
  set: Record<string, string>;
  remove: string[];
  /** forget the changes without writing them (an engine that is never saved: a scan, the panel) */
  discard?: true;
}

/** Stored entries as read back: key → JSON text (or an already parsed value). */
export type JournalEntries = Readonly<Record<string, unknown>>;

export function emptyBatch(): JournalBatch {
  return { set: {}, remove: [] };
}

/** A flush into this batch forgets what changed and writes nothing. */
export function discardBatch(): JournalBatch {
  return { set: {}, remove: [], discard: true };
}

/** The keys of one owner that changed since its last flush. */
export class Dirty {
  private put = new Set<string>();
  private gone = new Set<string>();

  /** the value under `key` changed (or is new) */
  mark(key: string): void {
    this.gone.delete(key);
    this.put.add(key);
  }

  /** `key` no longer exists */
  drop(key: string): void {
    this.put.delete(key);
    this.gone.add(key);
  }

  get size(): number {
    return this.put.size + this.gone.size;
  }

  /** Write the changed keys into `batch` (value(key) undefined: removed) and forget them. */
  flush(batch: JournalBatch, prefix: string, value: (key: string) => unknown): void {
    if (batch.discard) {
      this.put.clear();
      this.gone.clear();
      return;
    }
    for (const k of this.put) {
      const v = value(k);
      if (v === undefined) batch.remove.push(prefix + k);
      else batch.set[prefix + k] = JSON.stringify(v);
    }
    for (const k of this.gone) batch.remove.push(prefix + k);
    this.put.clear();
    this.gone.clear();
  }
}

/** The entries under `prefix`, parsed; a value that is not JSON (damaged storage) is skipped. */
export function entriesUnder(entries: JournalEntries, prefix: string): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const k of Object.keys(entries)) {
    if (!k.startsWith(prefix)) continue;
    const v = parsedValue(entries[k]);
    if (v !== undefined && v !== null) out.push([k.slice(prefix.length), v]);
  }
  return out;
}

/** A stored value as data: JSON text parsed (undefined when damaged), anything else as it is. */
export function parsedValue(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/** The entry under exactly `key`, parsed (undefined when absent or damaged). */
export function entryAt(entries: JournalEntries, key: string): unknown {
  return parsedValue(entries[key]);
}

/** A plain object (not an array, not null). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A bounded map that keeps its order (newest last; the oldest beyond the cap goes) across a
 * restore: each key is stored as `[ord, value]`.
 */
export class OrderedMap<V> {
  readonly map = new Map<string, V>();
  private ord = new Map<string, number>();
  private next = 0;
  readonly dirty = new Dirty();
  constructor(private readonly cap: number) {}
  /** set and move to the newest place; the oldest beyond the cap goes */
  set(k: string, v: V, onEvict?: (k: string, v: V) => void): void {
    this.map.delete(k);
    this.map.set(k, v);
    this.ord.set(k, this.next++);
    this.dirty.mark(k);
    while (this.map.size > this.cap) {
      const old = this.map.keys().next().value as string;
      const value = this.map.get(old)!;
      this.map.delete(old);
      this.ord.delete(old);
      this.dirty.drop(old);
      onEvict?.(old, value);
    }
  }
  /** the value under `k` was changed in place (its place stays) */
  changed(k: string): void {
    if (this.map.has(k)) this.dirty.mark(k);
  }
  delete(k: string): void {
    if (!this.map.delete(k)) return;
    this.ord.delete(k);
    this.dirty.drop(k);
  }
  flush(batch: JournalBatch, prefix: string): void {
    this.dirty.flush(batch, prefix, (k) => (this.map.has(k) ? [this.ord.get(k), this.map.get(k)] : undefined));
  }
  markAll(): void {
    for (const k of this.map.keys()) this.dirty.mark(k);
  }
  restore(entries: JournalEntries, prefix: string, valid: (v: unknown) => v is V): void {
    const rows = entriesUnder(entries, prefix).filter((e): e is [string, [number, V]] => Array.isArray(e[1]) && typeof e[1][0] === 'number' && valid(e[1][1]));
    rows.sort((a, b) => a[1][0] - b[1][0]);
    for (const [k, [o, v]] of rows) {
      this.map.set(k, v);
      this.ord.set(k, o);
      this.next = Math.max(this.next, o + 1);
    }
  }
}

