/**
 * One index of the flow table: key → the ids of the flows under it, in creation order (`f<seq>`
 * order, what "the latest flow" means). Most keys name one flow (a state, a nonce, a challenge, a
 * client_id): such a key holds the id itself, not an array of one, so that a new flow does not
 * allocate an array per index; a key with more holds an array. An index built with `single`
 * false (the context index, which the eviction policy reads as lists) always holds arrays.
 */
import { seqOf } from './eviction';
import { removeAt } from './lists';
import { listOf1, listOf2 } from './records';

/** the ids under a key: one id, or several in creation order */
export type Ids = string | string[];

export const countOf = (v: Ids): number => (typeof v === 'string' ? 1 : v.length);
export const idAt = (v: Ids, i: number): string => (typeof v === 'string' ? v : v[i]);
/** as a list (a copy for one id) */
export const listOf = (v: Ids | undefined): readonly string[] => (v === undefined ? [] : typeof v === 'string' ? [v] : v);

export class KeyIndex {
  readonly map = new Map<string, Ids>();
  constructor(private readonly single = true) {}

  get(key: string): Ids | undefined {
    return this.map.get(key);
  }

  /** the id joins the key's list in creation order (once) */
  insert(key: string, id: string): void {
    const m = this.map;
    const ids = m.get(key);
    if (ids === undefined) return void m.set(key, this.single ? id : listOf1(id));
    if (typeof ids === 'string') {
      if (ids === id) return;
      return void m.set(key, seqOf(ids) > seqOf(id) ? listOf2(id, ids) : listOf2(ids, id));
    }
    // the usual case, a new flow: newer than every id listed, so not among them
    if (seqOf(ids[ids.length - 1]) < seqOf(id)) return void ids.push(id);
    if (ids.includes(id)) return;
    let at = ids.length;
    while (at > 0 && seqOf(ids[at - 1]) > seqOf(id)) at--;
    ids.splice(at, 0, id);
  }

  /** the id leaves the key's list, in place; true when the key has no id left (and is gone) */
  drop(key: string, id: string): boolean {
    const m = this.map;
    const ids = m.get(key);
    if (ids === undefined) return false;
    if (typeof ids === 'string') {
      if (ids !== id) return false;
      m.delete(key);
      return true;
    }
    const at = ids.indexOf(id);
    if (at >= 0) removeAt(ids, at);
    if (ids.length > 0) return false;
    m.delete(key);
    return true;
  }
}
