/**
 * The last few answers for string keys (tokens: ~1 KB each), found by comparing strings instead of
 * hashing them. A Map keyed by a token hashes all its characters on the first lookup of each string
 * (about 1.4 µs for a 850-character ID token: as much as decoding its payload), and every token of
 * a token response is a new string. The rules of one message pass the same string objects one
 * after another (pointer-equal); a token that comes back in a later message (a bearer token on
 * every API call) is another string with the same characters, found by its length, its last
 * character and then `===`. Values are read-only for the callers.
 */
export class RecentStrings<V> {
  private readonly keys: string[];
  private readonly values: V[];
  private next = 0;

  constructor(private readonly size: number) {
    this.keys = new Array<string>(size).fill('');
    this.values = new Array<V>(size);
  }

  /** the value remembered for `key`, or undefined; the most recent entries are compared first */
  get(key: string): V | undefined {
    const n = key.length;
    if (n === 0) return undefined;
    const last = key.charCodeAt(n - 1);
    const keys = this.keys;
    for (let k = 0, i = this.next; k < this.size; k++) {
      i = i === 0 ? this.size - 1 : i - 1;
      const c = keys[i];
      if (c === key || (c.length === n && c.charCodeAt(n - 1) === last && c === key)) return this.values[i];
    }
    return undefined;
  }

  /** remember `value` for `key` (a non-empty string), forgetting the oldest entry */
  set(key: string, value: V): void {
    this.keys[this.next] = key;
    this.values[this.next] = value;
    this.next = this.next + 1 === this.size ? 0 : this.next + 1;
  }
}
