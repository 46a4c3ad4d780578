/**
 * The redirect-URI lookup of the flow table (redirect-index.ts) against the walk it replaced
 * (store.matchesKnownRedirectUri before: every flow's redirect_uri through prefixMatch), on random
 * tables: flows added with and without redirect URIs (http/https, trailing slashes, queries, paths
 * that continue one another, a damaged non-string value), redirect URIs filled in later, flows
 * pruned and evicted, restored flows repeating an id; asked with random callback bases.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Flow } from './flow';
import { FlowTable } from './flow-table';
import { normalizeRedirectBase, prefixMatch } from './keys';

const REDIRECTS = [
  'https://app.example/cb', 'http://app.example/cb/', 'https://app.example/cb/x', 'https://app.example/cb?x=1', 'https://app.example',
  'https://app.example/', 'https://other.example/auth/callback', 'https://other.example/auth', 'not a url', '/', '/cb', 'https:', '',
];
const BASES = [
  'https://app.example/cb', 'https://app.example/cb/x/y', 'https://app.example/cbx', 'http://app.example/cb', 'https://app.example/',
  'https://app.example', 'https://other.example/auth/callback', 'https://other.example/auth/callback/more', 'https://third.example/cb', '/cb/z',
];

/** the walk before the index */
function oldMatches(table: FlowTable, base: string): boolean {
  for (const f of table.values()) if (f.redirectUri && prefixMatch(f.redirectUri, base)) return true;
  return false;
}

function flow(id: string, redirectUri: unknown, t: number, context: string): Flow {
  return {
    id, context, t0: t, tLast: t,
    as: { origin: 'https://as.example', issuer: 'https://as.example', source: 'origin', endpoint: 'https://as.example/authorize' },
    redirectUri: redirectUri as string | undefined,
    paramsKnown: true, children: [], requests: [], responses: [], steps: [],
  };
}

/** the answer (or what it threw) of the index, or of the walk */
function answer(table: FlowTable, base: string, indexed: boolean): boolean | string {
  try {
    return indexed ? table.anyRedirectUriMatches(base, () => oldMatches(table, base)) : oldMatches(table, base);
  } catch (e) {
    return String(e);
  }
}

const op = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('add' as const), redirect: fc.option(fc.constantFrom(...REDIRECTS), { nil: undefined }), context: fc.constantFrom('tab:1', 'tab:2'), dt: fc.integer({ min: 0, max: 900_000 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('fill' as const), at: fc.nat(), redirect: fc.constantFrom(...REDIRECTS) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('load' as const), at: fc.nat(), redirect: fc.option(fc.constantFrom(...REDIRECTS, 42 as unknown as string), { nil: undefined }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('prune' as const), dt: fc.integer({ min: 0, max: 4_000_000 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('ask' as const), base: fc.constantFrom(...BASES, ...REDIRECTS) }) },
);

describe('the flow table answers the redirect-URI prefix match as the walk did', () => {
  it('on random tables', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), fc.integer({ min: 2, max: 8 }), (ops, cap) => {
        const table = new FlowTable(cap, 1_800_000);
        let t = 0;
        let seq = 0;
        const ids: string[] = [];
        for (const o of ops) {
          if (o.kind === 'add') {
            t += o.dt;
            const f = flow(table.newId(), o.redirect, t, o.context);
            seq += 1;
            ids.push(f.id);
            table.add(f, t);
          } else if (o.kind === 'fill') {
            const f = ids.length ? table.get(ids[o.at % ids.length]) : undefined;
            if (f) table.fill(f, { redirectUri: o.redirect });
          } else if (o.kind === 'load') {
            // a restored flow under an id the table may hold already (a damaged restore)
            if (ids.length) table.load(flow(ids[o.at % ids.length], o.redirect, t, 'tab:1'));
          } else if (o.kind === 'prune') {
            t += o.dt;
            table.prune(t);
          } else expect(answer(table, o.base, true), `${o.base} after ${seq} flows`).toBe(answer(table, o.base, false));
        }
        for (const b of [...BASES, ...REDIRECTS]) expect(answer(table, b, true), b).toBe(answer(table, b, false));
      }),
      { numRuns: 1500 },
    );
  });

  it('normalizeRedirectBase answers as before when it remembers', () => {
    for (const u of [...REDIRECTS, ...BASES, ...REDIRECTS]) expect(normalizeRedirectBase(u)).toBe(normalizeRedirectBase(`${u}`));
    expect(normalizeRedirectBase('http://app.example/cb//')).toBe('https://app.example/cb');
  });
});
