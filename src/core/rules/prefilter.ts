/**
 * The rules' prefilter for non-OAuth ('other') messages: each `on: 'any'` rule declares in its
 * meta what of the raw observation it needs (RawPrecondition); compiled once here into one test
 * over raw strings that answers, as a bit per rule, which rules can fire. An 'other' subresource
 * that names no parameter, header, status or memo any rule reads runs no rule at all (no rule
 * context, no parsing): most of a page's requests.
 */
import { header, sameLower, type Observation } from '../observe/observation';
import { HEADER_BITS, H_ALL, H_REFERER } from '../observe/raw';
import { scanOf, scanUrl, SPAN_PCT, SPAN_VALUE, type UrlScan } from '../observe/url-scan';
import { safeDecode } from '../util/url';
import type { RawPrecondition, Rule } from './types';

/** a declared parameter name: what the scan can recognise without decoding */
const NAME = /^[A-Za-z0-9_]+$/;

/** parameter names → rule bits, by name length (the scan compares in place, allocation-free) */
export class ParamNames {
  private byLength: [string, number][][] = [];
  private byName = new Map<string, number>();
  maxLength = 0;

  add(name: string, bit: number): void {
    if (!NAME.test(name)) throw new Error(`prefilter: parameter name ${JSON.stringify(name)} is not [A-Za-z0-9_]+`);
    this.byName.set(name, (this.byName.get(name) ?? 0) | bit);
    const list = (this.byLength[name.length] ??= []);
    const known = list.find((x) => x[0] === name);
    if (known) known[1] |= bit;
    else list.push([name, bit]);
    if (name.length > this.maxLength) this.maxLength = name.length;
  }

  get empty(): boolean {
    return this.byName.size === 0;
  }

  /**
   * The bits of the declared names `s` carries as a parameter with a value: `name=` right after
   * `?`, `&` or `#` (the URL parser's separators; util/url.ts parseParams splits on `&` after the
   * query's `?` or the fragment's `#` or route `?`). A name that decodes to a declared one has only
   * [A-Za-z0-9_%] characters in its raw form: a name with `%` is decoded here as the parser does.
   */
  scan(s: string): number {
    let bits = 0;
    let eq = s.indexOf('=');
    while (eq >= 0) {
      let j = eq - 1;
      let pct = false;
      for (; j >= 0; j--) {
        const c = s.charCodeAt(j);
        // [A-Za-z0-9_]
        if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95) continue;
        if (c === 37) {
          pct = true;
          continue;
        }
        break;
      }
      const start = j + 1;
      const len = eq - start;
      const sep = j >= 0 ? s.charCodeAt(j) : 0;
      // a value follows ('=' not last, not '&' or '#'), and the name starts a parameter (? & #)
      if (len > 0 && (sep === 63 || sep === 38 || sep === 35) && eq + 1 < s.length) {
        const next = s.charCodeAt(eq + 1);
        if (next !== 38 && next !== 35) {
          if (pct) bits |= this.byName.get(safeDecode(s.slice(start, eq))) ?? 0;
          else if (len <= this.maxLength) {
            const list = this.byLength[len];
            if (list) for (const [name, bit] of list) if (s.startsWith(name, start)) bits |= bit;
          }
        }
      }
      eq = s.indexOf('=', eq + 1);
    }
    return bits;
  }

  /**
   * `scan(u.url)` from the names the shared URL pass recorded (observe/url-scan.ts: the same
   * walk, done once per URL for the classifier and this test); a URL with more names than it
   * keeps is scanned here.
   */
  scanRecorded(u: UrlScan): number {
    if (u.overflow) return this.scan(u.url);
    const s = u.url;
    const spans = u.spans;
    let bits = 0;
    for (let k = 0; k < u.count * 3; k += 3) {
      const flags = spans[k + 2];
      if ((flags & SPAN_VALUE) === 0) continue;
      const start = spans[k];
      const eq = spans[k + 1];
      if ((flags & SPAN_PCT) !== 0) bits |= this.byName.get(safeDecode(s.slice(start, eq))) ?? 0;
      else if (eq - start <= this.maxLength) {
        const list = this.byLength[eq - start];
        if (list) for (const [name, bit] of list) if (s.startsWith(name, start)) bits |= bit;
      }
    }
    return bits;
  }
}

export class RulePrefilter {
  /** rules without a declaration: always run */
  private always = 0;
  private url = new ParamNames();
  private referer = new ParamNames();
  /** header bit (observe/raw.ts) → rule bits */
  private headerRules: [number, number][] = [];
  private headerAny = 0;
  /** request header bits (H_ALL + 1 combinations) → the rules they let through: headerRules OR-ed, one load per test */
  private headerTable = new Int32Array(H_ALL + 1);
  private location: [string, number][] = [];
  private statuses = new Map<number, number>();
  private methods: [string, number][] = [];
  private types = new Map<string, number>();
  private bodyFields: [string, number][] = [];
  private memoRules: [string, number][] = [];
  /** the rules, in order, bit i = rules[i] */
  readonly rules: readonly Rule[];

  constructor(rules: readonly Rule[]) {
    if (rules.length > 30) throw new Error('prefilter: at most 30 rules on any message');
    this.rules = rules;
    rules.forEach((r, i) => this.add(r, 1 << i));
    for (let h = 0; h <= H_ALL; h++) for (const [bit, rs] of this.headerRules) if ((h & bit) !== 0) this.headerTable[h] |= rs;
  }

  /** @internal the URL parameter bits, from the shared pass or (`shared` false) from a scan of its own */
  urlBits(url: string, shared = true): number {
    return shared ? this.url.scanRecorded(scanUrl(url)) : this.url.scan(url);
  }

  /** every rule's bit */
  get all(): number {
    return this.rules.length === 0 ? 0 : (1 << this.rules.length) - 1;
  }

  private add(rule: Rule, bit: number): void {
    const p: RawPrecondition | undefined = rule.meta.prefilter;
    if (!p) {
      this.always |= bit;
      return;
    }
    for (const n of p.urlParams ?? []) this.url.add(n, bit);
    for (const n of p.refererParams ?? []) this.referer.add(n, bit);
    if (p.refererParams?.length) this.addHeader(H_REFERER, 0);
    for (const h of p.requestHeaders ?? []) this.addHeader(HEADER_BITS[h], bit);
    for (const l of p.location ?? []) this.location.push([l, bit]);
    for (const s of p.statuses ?? []) this.statuses.set(s, (this.statuses.get(s) ?? 0) | bit);
    for (const m of p.methods ?? []) this.methods.push([m.toLowerCase(), bit]);
    for (const t of p.types ?? []) this.types.set(t, (this.types.get(t) ?? 0) | bit);
    for (const f of p.bodyFields ?? []) this.bodyFields.push([f, bit]);
    if (p.contextMemo) this.memoRules.push([rule.meta.id, bit]);
  }

  private addHeader(h: number, bit: number): void {
    this.headerAny |= h;
    const known = this.headerRules.find((x) => x[0] === h);
    if (known) known[1] |= bit;
    else this.headerRules.push([h, bit]);
  }

  /**
   * Which rules can fire on this observation as an 'other' message (a bit per rule): `headers` are
   * its request header bits (observe/raw.ts), `memoOf` answers whether a rule remembers something
   * of the observation's context.
   */
  test(o: Observation, headers: number, memoOf: (context: string, ruleId: string) => unknown): number {
    let bits = this.always;
    if (!this.url.empty) bits |= this.url.scanRecorded(scanOf(o));
    if ((headers & this.headerAny) !== 0) {
      bits |= this.headerTable[headers & H_ALL];
      if ((headers & H_REFERER) !== 0 && !this.referer.empty) {
        const ref = header(o.requestHeaders, 'referer');
        if (ref) bits |= this.referer.scan(ref);
      }
    }
    if (o.location !== undefined) for (const [sub, rule] of this.location) if (o.location.includes(sub)) bits |= rule;
    if (o.status !== undefined && this.statuses.size > 0) bits |= this.statuses.get(o.status) ?? 0;
    for (const [m, rule] of this.methods) if (o.method.length === m.length && sameLower(o.method, m)) bits |= rule;
    if (this.types.size > 0) bits |= this.types.get(o.type) ?? 0;
    const body = o.requestBody;
    if (body !== undefined) {
      for (const [f, rule] of this.bodyFields) {
        // a JSON text may spell a name with escapes (`grant\u005ftype`): any backslash lets it through
        if (body.form?.some(([k]) => k === f) || (body.text !== undefined && (body.text.includes(f) || body.text.includes('\\')))) bits |= rule;
      }
    }
    if (this.memoRules.length > 0) for (const [id, rule] of this.memoRules) if (memoOf(o.context, id) !== undefined) bits |= rule;
    return bits;
  }
}
