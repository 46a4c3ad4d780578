/**
 * The ledger's record of bearer tokens with the mark kept on each presented token (2026-12-05)
 * against its code before (copied below: every call looked the token's list up): random API calls
 * with a few tokens (each under two header spellings: two presented objects with one key) sent to
 * more origins than a list keeps, and restarts from the journal, give the same `bearers` after
 * every call, and bearerUsedOnlyAt answers what the old rule's loop over them answered.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyBatch, OrderedMap } from '../flows/journal';
import { dropFirst } from '../flows/lists';
import { H_ALL } from '../observe/raw';
import { obs, resetBuilders } from '../testing/builders';
import { authorizationJwt } from '../tokens/sources';
import { originOf } from '../util/url';
import { bearerKey, bearerUsedOnlyAt, McpLedger, type BearerUse } from './ledger';

/** the old recordBearer, over the same OrderedMap (cap 2000) */
class OldBearers {
  bearerMap = new OrderedMap<BearerUse[]>(2000);
  record(o: ReturnType<typeof obs>, jwt: string): void {
    const origin = originOf(o.url);
    if (!origin) return;
    const key = bearerKey(jwt);
    const list = this.bearerMap.map.get(key) ?? [];
    if (list.some((x) => x.origin === origin)) return;
    list.push({ origin, obsId: o.id, ref: o.ref, time: o.time });
    if (list.length > 10) dropFirst(list, list.length - 10);
    this.bearerMap.set(key, list);
  }
}

/** the old rule's loop (bearer-audience-mismatch usedOnlyAt) */
function oldUsedOnlyAt(uses: readonly { origin: string }[] | undefined, origin: string): boolean {
  if (uses === undefined) return true;
  for (let i = 0; i < uses.length; i++) if (uses[i].origin !== origin) return false;
  return true;
}

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const token = (run: number, i: number) => `${b64({ alg: 'RS256', typ: 'at+jwt' })}.${b64({ aud: 'https://api.example', jti: `${run}-${i}` })}.c2ln`;
const ORIGINS = [...Array(14).keys()].map((i) => `https://api${i}.example`).concat(['https://API0.example:443', 'http://api0.example']);

const snapshot = (m: ReadonlyMap<string, readonly BearerUse[]>) => [...m].map(([k, v]) => [k, v.map((u) => ({ ...u }))]);

describe('McpLedger bearer marks', () => {
  it('record and answer as the old lookups did', () => {
    let run = 0;
    const call = fc.record({ token: fc.nat(3), spelling: fc.constantFrom('Bearer', 'bearer'), origin: fc.oneof(fc.nat(2), fc.nat(ORIGINS.length - 1)), restart: fc.nat(30) });
    fc.assert(
      fc.property(fc.array(call, { minLength: 1, maxLength: 80 }), (calls) => {
        run += 1;
        resetBuilders();
        let l = new McpLedger();
        const old = new OldBearers();
        for (const c of calls) {
          if (c.restart === 0) {
            // a worker restarted: the ledger from its journal (the marks of the old one are another owner's)
            l.markAll();
            const batch = emptyBatch();
            l.flush(batch);
            l = new McpLedger();
            l.restore(batch.set);
          }
          const jwt = token(run, c.token);
          const o = obs(`${ORIGINS[c.origin]}/v1/items?x=${c.token}`, { type: 'xhr', headers: { authorization: `${c.spelling} ${jwt}` } });
          l.observe(o, H_ALL);
          old.record(o, jwt);
          expect(snapshot(l.bearers)).toEqual(snapshot(old.bearerMap.map));
          const bearer = authorizationJwt(o)!;
          for (const x of [ORIGINS[c.origin], ORIGINS[0], ORIGINS[1]]) {
            const origin = originOf(x)!;
            expect(bearerUsedOnlyAt(l, bearer, origin)).toBe(oldUsedOnlyAt(old.bearerMap.map.get(bearerKey(jwt)), origin));
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('forgets marks of evicted tokens (more tokens than the ledger keeps)', () => {
    resetBuilders();
    const l = new McpLedger();
    const old = new OldBearers();
    const send = (i: number, origin: string) => {
      const jwt = token(-1, i);
      const o = obs(`${origin}/v1`, { type: 'xhr', headers: { authorization: `Bearer ${jwt}` } });
      l.observe(o, H_ALL);
      old.record(o, jwt);
      return { bearer: authorizationJwt(o)!, jwt };
    };
    const first = send(0, 'https://a.example');
    for (let i = 1; i <= 2100; i++) send(i, i % 2 ? 'https://a.example' : 'https://b.example');
    // token 0 was evicted: sent again it is recorded again
    send(0, 'https://a.example');
    send(0, 'https://c.example');
    expect(snapshot(l.bearers)).toEqual(snapshot(old.bearerMap.map));
    expect(bearerUsedOnlyAt(l, first.bearer, 'https://a.example')).toBe(false);
    expect(bearerUsedOnlyAt(l, first.bearer, 'https://a.example')).toBe(oldUsedOnlyAt(old.bearerMap.map.get(bearerKey(first.jwt)), 'https://a.example'));
  });
});
