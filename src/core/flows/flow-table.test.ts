/**
 * The flow table under random operation sequences (#19): every index entry points at a live flow
 * whose key it is and back, a flush emits exactly the keys that changed since the last one, and a
 * table restored from the flushed entries is the live table.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Flow } from './flow';
import { FlowTable } from './flow-table';
import { emptyBatch } from './journal';
import { parseUrl } from '../util/url';

const pick = <T,>(xs: readonly T[]) => fc.constantFrom(...xs);
const op = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), state: fc.option(pick(['s1', 's2', 's3']), { nil: undefined }), nonce: fc.option(pick(['n1', 'n2']), { nil: undefined }), client: fc.option(pick(['c1', 'c2']), { nil: undefined }), challenge: fc.option(pick(['x1', 'x2']), { nil: undefined }), context: pick(['tab:1', 'tab:2', 'tab:3']), dt: fc.integer({ min: 0, max: 400 }), child: fc.boolean() }),
  fc.record({ kind: fc.constant('request' as const), at: fc.nat(), origin: pick(['https://as.example', 'https://b.example', 'https://c.example']), challenge: fc.option(pick(['x1', 'x3']), { nil: undefined }) }),
  fc.record({ kind: fc.constant('step' as const), at: fc.nat(), dt: fc.integer({ min: 0, max: 400 }) }),
  fc.record({ kind: fc.constant('adopt' as const), at: fc.nat(), state: pick(['s1', 's4']) }),
  fc.record({ kind: fc.constant('prune' as const), dt: fc.integer({ min: 0, max: 3000 }) }),
  fc.record({ kind: fc.constant('flush' as const) }),
);

function flow(id: string, o: { state?: string; nonce?: string; client?: string; challenge?: string; context: string }, t: number, parent?: string): Flow {
  return {
    id,
    context: o.context,
    t0: t,
    tLast: t,
    as: { origin: 'https://as.example', issuer: 'https://as.example', source: 'origin', endpoint: 'https://as.example/authorize' },
    clientId: o.client,
    state: o.state ? { hash: o.state, shown: o.state, length: 32, alphabet: 64 } : undefined,
    nonce: o.nonce ? { hash: o.nonce, shown: o.nonce, length: 32, alphabet: 64 } : undefined,
    codeChallenge: o.challenge,
    paramsKnown: true,
    parent,
    children: [],
    requests: [],
    responses: [],
    steps: [],
  };
}

describe('flow table: random operation sequences', () => {
  it('indexes stay consistent, a flush writes exactly what changed, and the flushed entries restore the table', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), fc.integer({ min: 2, max: 8 }), (ops, cap) => {
        const t = new FlowTable(cap, 1000);
        const area: Record<string, string> = {};
        let now = 0;
        let touched = new Set<string>();
        const parentOf = new Map<string, string>();
        const live = () => [...t.values()];
        const at = (i: number) => live()[i % Math.max(1, live().length)];
        const flushAndCheck = () => {
          const before = new Set(live().map((f) => f.id));
          const b = emptyBatch();
          t.flush(b);
          const written = Object.keys(b.set).filter((k) => k.startsWith('flow:')).map((k) => k.slice(5));
          const removed = b.remove.map((k) => k.slice(5));
          // written: the touched flows still alive; removed: the touched ones gone
          expect(new Set(written)).toEqual(new Set([...touched].filter((id) => before.has(id))));
          expect(new Set(removed)).toEqual(new Set([...touched].filter((id) => !before.has(id))));
          Object.assign(area, b.set);
          for (const k of b.remove) delete area[k];
          touched = new Set();
          const back = new FlowTable(cap, 1000);
          back.restore(area);
          expect([...back.values()]).toEqual(live());
          expect(back.checkIndexes()).toEqual([]);
          // no id is handed out twice across a restart, even when the newest flow is gone
          expect(back.nextId).toBe(t.nextId);
        };
        for (const o of ops) {
          const ids = new Set(live().map((f) => f.id));
          if (o.kind === 'add') {
            now += o.dt;
            const parent = o.child && live().length ? at(now).id : undefined;
            const f = flow(t.newId(), o, now, parent);
            touched.add(f.id);
            if (parent) {
              touched.add(parent);
              parentOf.set(f.id, parent);
            }
            t.add(f, now);
          } else if (o.kind === 'request' && live().length) {
            const f = at(o.at);
            touched.add(f.id);
            const url = `${o.origin}/authorize${o.challenge ? `?code_challenge=${o.challenge}` : ''}`;
            t.appendRequest(f, { ref: {}, obsId: 'o', time: now, url, as: { ...f.as, origin: o.origin } });
          } else if (o.kind === 'step' && live().length) {
            now += o.dt;
            const f = at(o.at);
            touched.add(f.id);
            t.appendStep(f, { ref: {}, obsId: 'o', time: now, kind: 'authorization-request', url: 'u' });
          } else if (o.kind === 'adopt' && live().length) {
            const f = at(o.at);
            if (f.state === undefined) {
              touched.add(f.id);
              t.adoptState(f, { hash: o.state, shown: o.state, length: 32, alphabet: 64 });
            }
          } else if (o.kind === 'prune') {
            now += o.dt;
            t.prune(now);
            // every flow idle for more than twice the TTL is gone (the scan is skipped only when none can be)
            expect(live().filter((f) => f.tLast < now - 2000)).toEqual([]);
          } else if (o.kind === 'flush') {
            flushAndCheck();
            continue;
          }
          // what left the table (cap, expiry) changed too, and so did the parents that lost a child
          for (const id of ids) {
            if (t.get(id)) continue;
            touched.add(id);
            const p = parentOf.get(id);
            if (p && t.get(p)) touched.add(p);
          }
          expect(t.checkIndexes()).toEqual([]);
          expect(t.size).toBeLessThanOrEqual(cap);
          // the request indexes answer what a scan of the table answers
          for (const c of ['x1', 'x2', 'x3']) {
            const sent = (f: Flow) => f.codeChallenge === c || f.requests.slice(1).some((r) => parseUrl(r.url)?.query.get('code_challenge') === c);
            expect(t.withSentChallenge(c).map((f) => f.id)).toEqual(live().filter(sent).map((f) => f.id));
          }
          for (const origin of ['https://as.example', 'https://b.example', 'https://c.example'])
            for (const context of ['tab:1', 'tab:2', 'tab:3'])
              expect(t.lastOpenWithRequestTo(context, now, origin)).toBe(t.lastOpenIn(context, now, (f) => f.requests.some((r) => r.as.origin === origin)));
        }
        flushAndCheck();
      }),
      { numRuns: 300 },
    );
  });
});
