/**
 * The layers, by their imports (#19): no import cycle anywhere in src/ (value imports; `import
 * type` is erased and cannot cycle at run time), and src/core imports nothing outside src/core.
 * ESLint (eslint.config.js) pins the rest: no browser, DOM or Node API in the core.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const src = join(root, 'src');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return files(p);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

function resolveImport(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = resolve(dirname(from), spec);
  for (const c of [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), join(base, 'index.tsx')]) if (existsSync(c) && /\.tsx?$/.test(c)) return c;
  return undefined;
}

/** value imports of a file: `import x from`, `import { a } from`, `export … from`, side-effect imports */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  const re = /^\s*(import|export)\s+(type\s+)?([^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[2]) continue; // import type / export type
    const clause = m[3] ?? '';
    // import { type A, type B } from: only types
    const names = clause.match(/\{([^}]*)\}/)?.[1];
    if (names && !/^\s*\w+\s*,/.test(clause) && names.split(',').every((n) => !n.trim() || /^type\s/.test(n.trim()))) continue;
    const r = resolveImport(file, m[4]);
    if (r) out.push(r);
  }
  return out;
}

const all = files(src);
const graph = new Map(all.map((f) => [f, imports(f)]));

function cycles(): string[][] {
  // Tarjan's strongly connected components
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(relative(root, w));
      } while (w !== v);
      if (comp.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(comp.sort());
    }
  };
  for (const f of all) if (!idx.has(f)) visit(f);
  return out;
}

it('reads the import graph of src/ (the test would pass vacuously otherwise)', () => {
  expect(all.length).toBeGreaterThan(100);
  expect([...graph.values()].reduce((n, l) => n + l.length, 0)).toBeGreaterThan(300);
});

it('has no import cycle', () => {
  expect(cycles()).toEqual([]);
});

it('src/core imports only src/core', () => {
  const out: string[] = [];
  for (const [f, deps] of graph) {
    if (!f.startsWith(join(src, 'core'))) continue;
    for (const d of deps) if (!d.startsWith(join(src, 'core'))) out.push(`${relative(root, f)} → ${relative(root, d)}`);
  }
  expect(out).toEqual([]);
});

/** The shells held to the core's public index (eslint.config.js SHELLS says the same). */
const SHELLS = ['background', 'devtools', 'popup', 'options', 'companion', 'lib', 'ui', 'rule-doc'];

it('the shells import the core only through its public index, src/core/index.ts (types included)', () => {
  const out: string[] = [];
  const re = /^\s*(?:import|export)\s[^'";]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;
  let checked = 0;
  for (const shell of SHELLS) {
    const dir = join(src, shell);
    if (!existsSync(dir)) continue;
    for (const f of files(dir)) {
      const text = readFileSync(f, 'utf8');
      for (let m = re.exec(text); m; m = re.exec(text)) {
        const spec = m[1] ?? m[2];
        if (!spec.startsWith('.')) continue;
        const target = resolve(dirname(f), spec);
        if (!target.startsWith(join(src, 'core'))) continue;
        checked += 1;
        if (target !== join(src, 'core') && target !== join(src, 'core', 'index')) out.push(`${relative(root, f)} → ${spec}`);
      }
    }
  }
  expect(checked).toBeGreaterThan(20);
  expect(out).toEqual([]);
});
