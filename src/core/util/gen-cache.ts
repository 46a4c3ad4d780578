/**
 * A bounded string-keyed cache that keeps its recent entries when it fills: two generations of at
 * most `cap` entries each. New entries go to the young one; when it is full it becomes the old one
 * (the previous old one is dropped) and a new young one starts. An entry found in the old
 * generation is copied to the young one, so a value still in use survives any number of turnovers
 * (LRU-like), where a map cleared at its cap forgets everything at once and a long-running engine
 * computes again what it had just computed. At most 2 × cap entries are held.
 */
export class GenCache<V> {
  private young = new Map<string, V>();
  private old = new Map<string, V>();
  constructor(private readonly cap: number) {}

  get(key: string): V | undefined {
    const v = this.young.get(key);
    if (v !== undefined) return v;
    const o = this.old.get(key);
    if (o !== undefined) this.set(key, o);
    return o;
  }

  set(key: string, value: V): void {
    if (this.young.size >= this.cap) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, value);
  }

  get size(): number {
    return this.young.size + this.old.size;
  }
}
