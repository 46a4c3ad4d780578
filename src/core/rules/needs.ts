/**
 * The rules' dispatch on OAuth messages (any kind but 'other'; rules/prefilter.ts does 'other'
 * messages): a rule may declare in `meta.needs` (MessageNeeds) what such a message must carry for
 * check() to report or to change its memory. Per rule list (one per message kind) the declarations
 * are compiled once into facts, one bit each (a parameter, a JSON member, a JWT, a header); per
 * message the facts are found once, and a rule none of whose facts holds is not called at all
 * (no check, no parsing, no hashing of its own). Rules without a declaration always run.
 */
import type { OAuthMessage } from '../classify/message';
import { HEADER_BITS } from '../observe/raw';
import { jwtSources } from '../tokens/sources';
import type { MessageNeeds, Rule } from './types';

/** facts one list can tell apart (one bit each); a rule whose facts do not fit always runs */
const MAX_FACTS = 31;

export class NeedsDispatch {
  /** per rule of the list, in order: the facts any one of which lets it run; 0 = always runs */
  readonly masks: Int32Array;
  private params: [string, number][] = [];
  /** parameter name → fact bit (one pass over a message's parameters) */
  private paramBits = new Map<string, number>();
  private json: [string, number][] = [];
  private jwtBit = 0;
  private unknownBit = 0;
  /** header bit (observe/raw.ts) → fact bit */
  private headers: [number, number][] = [];
  private next = 0;

  private constructor(rules: readonly Rule[]) {
    this.masks = new Int32Array(rules.length);
    rules.forEach((r, i) => {
      const n = r.meta.needs;
      if (n) this.masks[i] = this.compile(n);
    });
  }

  /** the dispatch of a rule list, or undefined when no rule of it declares needs */
  static of(rules: readonly Rule[]): NeedsDispatch | undefined {
    return rules.some((r) => r.meta.needs) ? new NeedsDispatch(rules) : undefined;
  }

  /** the fact bit of an item, allocated on first use; 0 when the list has no bit left */
  private bit(list: [string, number][] | [number, number][], key: string | number): number {
    const known = (list as [string | number, number][]).find((x) => x[0] === key);
    if (known) return known[1];
    const b = this.newBit();
    if (b === 0) return 0;
    (list as [string | number, number][]).push([key, b]);
    return b;
  }

  private newBit(): number {
    return this.next < MAX_FACTS ? 1 << this.next++ : 0;
  }

  private compile(n: MessageNeeds): number {
    let mask = 0;
    let unfit = false;
    const add = (b: number) => {
      if (b === 0) unfit = true;
      mask |= b;
    };
    for (const p of n.params ?? []) {
      const b = this.bit(this.params, p);
      if (b !== 0) this.paramBits.set(p, b);
      add(b);
    }
    for (const j of n.json ?? []) add(this.bit(this.json, j));
    for (const h of n.requestHeaders ?? []) add(this.bit(this.headers, HEADER_BITS[h]));
    if (n.jwt) add((this.jwtBit ||= this.newBit()));
    if (n.paramsUnknown) add((this.unknownBit ||= this.newBit()));
    // nothing declared, or a fact without a bit: the rule always runs
    return unfit ? 0 : mask;
  }

  /** the facts of one message; `headers` are its request header bits (observe/raw.ts) */
  facts(msg: OAuthMessage, headers: number): number {
    let f = 0;
    if (this.paramBits.size > 0) {
      const e = msg.params.entries;
      for (let i = 0; i < e.length; i++) f |= this.paramBits.get(e[i][0]) ?? 0;
    }
    const json = msg.json;
    if (json !== undefined) for (let i = 0; i < this.json.length; i++) if (json[this.json[i][0]] !== undefined) f |= this.json[i][1];
    for (let i = 0; i < this.headers.length; i++) if ((headers & this.headers[i][0]) !== 0) f |= this.headers[i][1];
    if (this.unknownBit !== 0 && !msg.paramsKnown) f |= this.unknownBit;
    if (this.jwtBit !== 0 && jwtSources(msg).length > 0) f |= this.jwtBit;
    return f;
  }
}
