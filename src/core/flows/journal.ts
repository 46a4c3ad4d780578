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

/**
 * The keys of one owner that changed since its last flush. An owner that is never saved (an
 * engine with `journal: false`: a scan, the panel) stops tracking: a change costs nothing, and
 * only `markAny` (a whole snapshot on demand, `markAll`) still marks.
 */
export class Dirty {
  private put = new Set<string>();
  private gone = new Set<string>();
  private off = false;
  /**
   * the key marked last, while it is still in `put` and not in `gone`: one message marks the same
   * flow or context several times in a row (its step, its response, its hop), and a set lookup per
   * mark was most of what tracking cost. Forgotten by whatever could take the key out of `put`.
   */
  private last: string | undefined;

  /** never saved: changes are no longer recorded (markAny still is) */
  untrack(): void {
    this.off = true;
    this.put.clear();
    this.gone.clear();
    this.last = undefined;
  }

  /** the value under `key` changed (or is new) */
  mark(key: string): void {
    if (this.off || key === this.last) return;
    if (this.gone.size > 0) this.gone.delete(key); // (most flushes remove nothing)
    this.put.add(key);
    this.last = key;
  }

  /** `key` no longer exists */
  drop(key: string): void {
    if (this.off) return;
    this.put.delete(key);
    this.gone.add(key);
    if (key === this.last) this.last = undefined;
  }

  /** mark, also when not tracking: a whole snapshot (markAll) */
  markAny(key: string): void {
    this.gone.delete(key);
    this.put.add(key);
  }

  get size(): number {
    return this.put.size + this.gone.size;
  }

  /** Write the changed keys into `batch` (value(key) undefined: removed) and forget them. */
  flush(batch: JournalBatch, prefix: string, value: (key: string) => unknown): void {
    this.last = undefined;
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

/** (a class, not a literal: flows/records.ts says why) */
class QueueEntry {
  constructor(
    readonly k: string,
    /** its place in the order (saved with the value) */
    public o: number,
  ) {}
}

/**
 * A bounded map that keeps its order (newest last; the oldest beyond the cap goes) across a
 * restore: each key is stored as `[ord, value]`. The oldest key is found in a queue of (key, ord)
 * in the map's order, not as the map's first key: a Map that drops its oldest key on every set
 * keeps the dropped slots until it rehashes, and reading its first key walks over all of them.
 * A queue entry whose key was set again since, or deleted, is stale and skipped.
 */
export class OrderedMap<V> {
  readonly map = new Map<string, V>();
  /** each key's current queue entry (its ord) */
  private at = new Map<string, QueueEntry>();
  private next = 0;
  /** the entries in the order their keys were set, oldest first from `head`; stale ones included */
  private queue: QueueEntry[] = [];
  private head = 0;
  readonly dirty = new Dirty();
  constructor(private readonly cap: number) {}
  /** set and move to the newest place; the oldest beyond the cap goes */
  set(k: string, v: V, onEvict?: (k: string, v: V) => void): void {
    const cur = this.at.get(k);
    if (cur !== undefined && cur === this.queue[this.queue.length - 1]) {
      // the newest key set again (a counter, a list grown in place): its place stays, no entry
      this.map.set(k, v);
      cur.o = this.next++;
    } else {
      // (a key the map holds has its entry in `at`: a new key, the usual case, is not deleted first)
      if (cur !== undefined) this.map.delete(k);
      this.map.set(k, v);
      const e: QueueEntry = new QueueEntry(k, this.next++);
      this.at.set(k, e);
      this.queue.push(e);
    }
    this.dirty.mark(k);
    while (this.map.size > this.cap) {
      const old = this.oldest();
      const value = this.map.get(old)!;
      this.map.delete(old);
      this.at.delete(old);
      this.dirty.drop(old);
      onEvict?.(old, value);
    }
    // the queue is built again when its taken head (an evicting map takes one entry per set) or its
    // stale entries outgrow the map: it never holds more than about twice the map (no growth over
    // a long scan, where every set evicts)
    if (this.head > this.map.size + 64 || this.queue.length - this.head > 2 * this.map.size + 64) this.compact();
  }
  /** @internal entries the queue holds, taken or stale ones included (the memory test) */
  get queued(): number {
    return this.queue.length;
  }
  /** the first key of the map's order: the first queue entry still current */
  private oldest(): string {
    while (this.head < this.queue.length) {
      const e = this.queue[this.head++];
      if (this.at.get(e.k) === e) return e.k;
    }
    this.compact(); // (not reached: every key of the map has its entry in the queue)
    return this.map.keys().next().value as string;
  }
  /** the queue again from the map's order (too many stale entries) */
  private compact(): void {
    this.queue = [];
    this.head = 0;
    for (const k of this.map.keys()) this.queue.push(this.at.get(k)!);
  }
  /** the value under `k` was changed in place (its place stays) */
  changed(k: string): void {
    if (this.map.has(k)) this.dirty.mark(k);
  }
  delete(k: string): void {
    if (!this.map.delete(k)) return;
    this.at.delete(k);
    this.dirty.drop(k);
  }
  flush(batch: JournalBatch, prefix: string): void {
    this.dirty.flush(batch, prefix, (k) => (this.map.has(k) ? [this.at.get(k)!.o, this.map.get(k)] : undefined));
  }
  markAll(): void {
    for (const k of this.map.keys()) this.dirty.markAny(k);
  }
  /** never saved (Dirty.untrack) */
  untrack(): void {
    this.dirty.untrack();
  }
  restore(entries: JournalEntries, prefix: string, valid: (v: unknown) => v is V): void {
    const rows = entriesUnder(entries, prefix).filter((e): e is [string, [number, V]] => Array.isArray(e[1]) && typeof e[1][0] === 'number' && valid(e[1][1]));
    rows.sort((a, b) => a[1][0] - b[1][0]);
    for (const [k, [o, v]] of rows) {
      this.map.set(k, v);
      this.at.set(k, new QueueEntry(k, o));
      this.next = Math.max(this.next, o + 1);
    }
    this.compact();
  }
}
