/**
 * The findings of an engine: de-duplicated (one key per finding), bounded (a fair eviction when
 * full), and saved in append-only chunks (`fnd:<n>`, FINDING_CHUNK findings each): a new finding
 * rewrites only the last chunk, an evicted one only its own.
 */
import { entriesUnder, type JournalBatch, type JournalEntries } from '../flows/journal';
import { isFinding, severityRank, type Finding } from './finding';

export const MAX_FINDINGS = 5000;
/** findings are saved in append-only chunks of this many (`fnd:<n>`) */
const FINDING_CHUNK = 64;

/**
 * Which finding goes when the list is full (#11: a flood of findings must not push out the one it
 * was meant to hide): from the context holding the most findings, the least severe, oldest one
 * that is not the first of its rule there (every rule keeps a finding per context: a flood's own
 * note survives the flood). O(n), only when the list is full.
 */
function findingToEvict(all: readonly Finding[]): number {
  const perContext = new Map<string, number>();
  for (const f of all) perContext.set(f.context, (perContext.get(f.context) ?? 0) + 1);
  let context = '';
  let most = -1;
  for (const [c, n] of perContext) if (n > most) [context, most] = [c, n];
  // candidates: that context's findings except the first of each rule; all of them if none is left
  const firsts = new Set<string>();
  const candidates: number[] = [];
  const everything: number[] = [];
  for (let i = 0; i < all.length; i++) {
    if (all[i].context !== context) continue;
    everything.push(i);
    if (firsts.has(all[i].ruleId)) candidates.push(i);
    else firsts.add(all[i].ruleId);
  }
  const pool = candidates.length ? candidates : everything;
  let at = pool[0] ?? 0;
  for (const i of pool) if (severityRank(all[i].severity) < severityRank(all[at].severity)) at = i;
  return at;
}

export function findingKey(f: Finding): string {
  if (f.fingerprint) return `${f.ruleId}|${f.context}|${f.variant ?? ''}|${f.fingerprint}`;
  const ev = f.evidence[0];
  return `${f.ruleId}|${f.flowId ?? ''}|${f.variant ?? ''}|${ev ? `${ev.input ?? ''}:${ev.entry ?? ''}:${ev.requestId ?? ''}:${ev.param ?? ''}` : f.message}`;
}


export class FindingLog {
  private all: Finding[] = [];
  /** the sequence number of each finding in `all` (its chunk: seq / FINDING_CHUNK) */
  private seqs: number[] = [];
  private nextSeq = 0;
  private dirty = new Set<number>();
  private keys = new Set<string>();

  get list(): readonly Finding[] {
    return this.all;
  }

  /** Keep a finding unless it is already known; when full, evict fairly first. True when kept. */
  add(f: Finding): boolean {
    const key = findingKey(f);
    if (this.keys.has(key)) return false;
    if (this.all.length >= MAX_FINDINGS) {
      const at = findingToEvict(this.all);
      const [evicted] = this.all.splice(at, 1);
      const [seq] = this.seqs.splice(at, 1);
      // its key is forgotten too: the key set stays bounded, and a restored log (whose keys come
      // from the kept findings) behaves exactly like this one
      if (evicted) this.keys.delete(findingKey(evicted));
      if (seq !== undefined) this.dirty.add(Math.floor(seq / FINDING_CHUNK));
    }
    const seq = this.nextSeq++;
    this.all.push(f);
    this.seqs.push(seq);
    this.keys.add(key);
    this.dirty.add(Math.floor(seq / FINDING_CHUNK));
    return true;
  }

  flush(batch: JournalBatch): void {
    if (!batch.discard)
      for (const c of this.dirty) {
        const rows = this.chunk(c);
        if (rows.length) batch.set[`fnd:${c}`] = JSON.stringify(rows);
        else batch.remove.push(`fnd:${c}`);
      }
    this.dirty.clear();
  }

  markAll(): void {
    for (const s of this.seqs) this.dirty.add(Math.floor(s / FINDING_CHUNK));
  }

  /** the findings of chunk c with their sequence numbers (`seqs` is ascending: binary search) */
  private chunk(c: number): [number, Finding][] {
    let lo = 0;
    let hi = this.seqs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.seqs[mid] < c * FINDING_CHUNK) lo = mid + 1;
      else hi = mid;
    }
    const rows: [number, Finding][] = [];
    for (let i = lo; i < this.seqs.length && this.seqs[i] < (c + 1) * FINDING_CHUNK; i++) rows.push([this.seqs[i], this.all[i]]);
    return rows;
  }

  /** Read the chunks back; a damaged finding is dropped alone. */
  restore(entries: JournalEntries): void {
    const rows: [number, Finding][] = [];
    for (const [, v] of entriesUnder(entries, 'fnd:')) {
      if (!Array.isArray(v)) continue;
      for (const r of v) if (Array.isArray(r) && typeof r[0] === 'number' && isFinding(r[1])) rows.push([r[0], r[1]]);
    }
    rows.sort((a, b) => a[0] - b[0]);
    for (const [seq, f] of rows) {
      this.all.push(f);
      this.seqs.push(seq);
      this.keys.add(findingKey(f));
      this.nextSeq = seq + 1;
    }
  }
}
