/**
 * The rules' dispatch on OAuth messages (any kind but 'other'; rules/prefilter.ts does 'other'
 * messages): a rule may declare in `meta.needs` (MessageNeeds) what such a message must carry for
 * check() to report or to change its memory. Per rule list (one per message kind) the declarations
 * are compiled once into lookup tables that answer, as a bit per declaring rule, which rules one
 * of whose items holds (a parameter, a JSON member, a JWT, a header, a status, a Location, ...); per
 * message the tables are read once, and a rule none of whose items holds is not called at all (no
 * check, no parsing, no hashing of its own). Rules without a declaration always run.
 */
import type { MessageKind, OAuthMessage } from '../classify/message';
import { header, sameLower } from '../observe/observation';
import { HEADER_BITS, H_REFERER } from '../observe/raw';
import { jwtSources } from '../tokens/sources';
import { ParamNames } from './prefilter';
import type { MessageNeeds, Rule } from './types';

/** declaring rules one list can tell apart (one bit each); a rule past them always runs */
const MAX_RULES = 31;

type Keyed<K> = [K, number][];

/** or `bit` into the entry of `key` (a short list: a few items per kind of fact) */
function addTo<K>(list: Keyed<K>, key: K, bit: number): void {
  const known = list.find((x) => x[0] === key);
  if (known) known[1] |= bit;
  else list.push([key, bit]);
}

/** the bits of the names of `entries` in `names` */
function namesIn(entries: readonly [string, string][], names: Map<string, number>): number {
  let f = 0;
  for (let i = 0; i < entries.length; i++) f |= names.get(entries[i][0]) ?? 0;
  return f;
}

/** does `url` start with `origin` followed by a path, query, fragment or nothing */
function startsWithOrigin(url: string, origin: string): boolean {
  if (!url.startsWith(origin)) return false;
  if (url.length === origin.length) return true;
  const c = url.charCodeAt(origin.length);
  return c === 47 || c === 63 || c === 35; // / ? #
}

/** answers whether a rule remembers something of a context (the engine's context memos) */
export type ContextMemoOf = (context: string, ruleId: string) => unknown;

export class NeedsDispatch {
  /** per rule of the list, in order: its bit (any item of its declaration holding lets it run); 0 = always runs */
  readonly masks: Int32Array;
  /** name → rule bits, for msg.params, msg.query ∪ msg.fragment, msg.form */
  private params = new Map<string, number>();
  private urlParams = new Map<string, number>();
  private formParams = new Map<string, number>();
  private json: Keyed<string> = [];
  private jwtRules = 0;
  private unknownRules = 0;
  /** header bit (observe/raw.ts) → rule bits */
  private headers: Keyed<number> = [];
  private statuses: Keyed<number> = [];
  /** lower case */
  private methods: Keyed<string> = [];
  private location: Keyed<string> = [];
  private bodyText: Keyed<string> = [];
  private kinds: Keyed<MessageKind> = [];
  private types: Keyed<string> = [];
  private referer = new ParamNames();
  private refererRules = 0;
  /** per declaring rule: its id and the resource types on which it reads its context memo */
  private memo: [string, readonly string[], number][] = [];

  private constructor(rules: readonly Rule[]) {
    this.masks = new Int32Array(rules.length);
    let next = 0;
    for (let i = 0; i < rules.length; i++) {
      const n = rules[i].meta.needs;
      if (!n || next >= MAX_RULES) continue;
      const bit = 1 << next++;
      this.compile(rules[i].meta.id, n, bit);
      this.masks[i] = bit;
    }
  }

  /** the dispatch of a rule list, or undefined when no rule of it declares needs */
  static of(rules: readonly Rule[]): NeedsDispatch | undefined {
    return rules.some((r) => r.meta.needs) ? new NeedsDispatch(rules) : undefined;
  }

  private compile(id: string, n: MessageNeeds, bit: number): void {
    const names = (map: Map<string, number>, list: readonly string[] | undefined) => {
      for (const p of list ?? []) map.set(p, (map.get(p) ?? 0) | bit);
    };
    names(this.params, n.params);
    names(this.urlParams, n.urlParams);
    names(this.formParams, n.formParams);
    for (const j of n.json ?? []) addTo(this.json, j, bit);
    for (const h of n.requestHeaders ?? []) addTo(this.headers, HEADER_BITS[h], bit);
    for (const s of n.statuses ?? []) addTo(this.statuses, s, bit);
    for (const m of n.methods ?? []) addTo(this.methods, m.toLowerCase(), bit);
    for (const l of n.location ?? []) addTo(this.location, l, bit);
    for (const t of n.bodyText ?? []) addTo(this.bodyText, t, bit);
    for (const k of n.kinds ?? []) addTo(this.kinds, k, bit);
    for (const t of n.types ?? []) addTo(this.types, t, bit);
    for (const r of n.refererParams ?? []) this.referer.add(r, bit);
    if (n.refererParams?.length) this.refererRules |= bit;
    if (n.contextMemo?.length) this.memo.push([id, n.contextMemo, bit]);
    if (n.jwt) this.jwtRules |= bit;
    if (n.paramsUnknown) this.unknownRules |= bit;
  }

  /**
   * The rules of the list one of whose items holds on one message (a bit each); `headers` are its
   * request header bits (observe/raw.ts); `memoOf` tells whether a rule remembers something of the
   * message's context (without it, a `contextMemo` item holds on its resource types).
   */
  facts(msg: OAuthMessage, headers: number, memoOf?: ContextMemoOf): number {
    const o = msg.obs;
    let f = 0;
    if (this.params.size > 0) f |= namesIn(msg.params.entries, this.params);
    if (this.urlParams.size > 0) f |= namesIn(msg.query.entries, this.urlParams) | namesIn(msg.fragment.entries, this.urlParams);
    if (this.formParams.size > 0) f |= namesIn(msg.form.entries, this.formParams);
    const json = msg.json;
    if (json !== undefined) for (let i = 0; i < this.json.length; i++) if (json[this.json[i][0]] !== undefined) f |= this.json[i][1];
    for (let i = 0; i < this.headers.length; i++) if ((headers & this.headers[i][0]) !== 0) f |= this.headers[i][1];
    for (let i = 0; i < this.statuses.length; i++) if (o.status === this.statuses[i][0]) f |= this.statuses[i][1];
    for (let i = 0; i < this.methods.length; i++) if (o.method.length === this.methods[i][0].length && sameLower(o.method, this.methods[i][0])) f |= this.methods[i][1];
    const loc = o.location;
    if (loc !== undefined) for (let i = 0; i < this.location.length; i++) if (loc.includes(this.location[i][0])) f |= this.location[i][1];
    const text = o.requestBody?.text;
    if (text !== undefined) for (let i = 0; i < this.bodyText.length; i++) if (text.includes(this.bodyText[i][0])) f |= this.bodyText[i][1];
    for (let i = 0; i < this.kinds.length; i++) if (msg.kind === this.kinds[i][0]) f |= this.kinds[i][1];
    for (let i = 0; i < this.types.length; i++) if (o.type === this.types[i][0]) f |= this.types[i][1];
    for (let i = 0; i < this.memo.length; i++) {
      const [id, types, bit] = this.memo[i];
      // (a rule another item already lets through: its memory is not looked up)
      if ((f & bit) === 0 && types.includes(o.type) && (memoOf === undefined || memoOf(o.context, id) !== undefined)) f |= bit;
    }
    if (this.refererRules !== 0 && (headers & H_REFERER) !== 0 && (f & this.refererRules) !== this.refererRules) {
      const ref = header(o.requestHeaders, 'referer');
      // a Referer from the request's own origin leaks nothing to another one
      if (ref && !(msg.url !== undefined && startsWithOrigin(ref, msg.url.origin))) f |= this.referer.scan(ref);
    }
    if (this.unknownRules !== 0 && !msg.paramsKnown) f |= this.unknownRules;
    if (this.jwtRules !== 0 && (f & this.jwtRules) !== this.jwtRules && jwtSources(msg).length > 0) f |= this.jwtRules;
    return f;
  }
}
