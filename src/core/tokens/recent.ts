/**
 * The last few answers for string keys (tokens: ~1 KB each), found by comparing strings instead of
 * hashing them. A Map keyed by a token hashes all its characters on the first lookup of each string
 * (about 1.4 µs for a 850-character ID token: as much as decoding its payload), and every token of
 * a token response is a new string. The rules of one message pass the same string objects one
 * after another (pointer-equal); a token that comes back in a later message (a bearer token on
 * every API call) is another string with the same characters, found by a tag of its length and
 * two of its characters and then `===`. Values are read-only for the callers.
 */
export class RecentStrings<V> {
  private readonly keys: string[];
  private readonly values: V[];
  /** per entry, a number made of its key's length and two of its characters (tagOf): a miss compares these only */
  private readonly tags: Int32Array;
  private next = 0;

  constructor(private readonly size: number) {
    this.keys = new Array<string>(size).fill('');
    this.values = new Array<V>(size);
    this.tags = new Int32Array(size).fill(-1); // no key's tag: an empty entry never matches
  }

  /** the value remembered for `key`, or undefined; the most recent entries are compared first */
  get(key: string): V | undefined {
    if (key.length === 0) return undefined;
    // `===` of two distinct strings of one length compares their characters up to the first
    // difference (a JWT's shared header and claims come first): keys are told apart by their tags
    // first, and only an entry with the same tag is compared
    const tag = tagOf(key);
    const tags = this.tags;
    for (let k = 0, i = this.next; k < this.size; k++) {
      i = i === 0 ? this.size - 1 : i - 1;
      if (tags[i] === tag && this.keys[i] === key) return this.values[i];
    }
    return undefined;
  }

  /** remember `value` for `key` (a non-empty string), forgetting the oldest entry */
  set(key: string, value: V): void {
    this.keys[this.next] = key;
    this.values[this.next] = value;
    this.tags[this.next] = tagOf(key);
    this.next = this.next + 1 === this.size ? 0 : this.next + 1;
  }
}

/**
 * A non-negative int32 from a non-empty key's length and its last and third-from-last characters
 * (a JWT signature's last character carries only 2 or 4 bits, the third from the end 6): equal
 * keys have equal tags.
 */
function tagOf(key: string): number {
  const n = key.length;
  return ((n & 0xfffff) * 2048 + ((key.charCodeAt(n - 1) * 31 + key.charCodeAt(n >= 3 ? n - 3 : 0)) & 2047)) & 0x7fffffff;
}
