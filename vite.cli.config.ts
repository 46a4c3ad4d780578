/**
 * The companion CLI: src/companion/cli.ts → dist/cli/coatcheck.js, one ESM file for Node 20, with
 * its dependencies (zod, tldts, jose; all MIT, and still installed beside it by npm with their
 * licenses) bundled in: Node's ESM loader resolves, reads and compiles each of a package's files on
 * its own, and loading them that way took 450–620 ms of every run (zod ≈ 200 ms alone) against
 * 100–190 ms for the one file (#10.2: a scan of a 20 MB capture is ~1 s; the native host starts on
 * every connection). Only Node's built-ins stay external. The library (vite.lib.config.ts) keeps
 * its dependencies external: its users share them.
 */
import { builtinModules } from 'node:module';
import { defineConfig } from 'vite';

const external = (id: string): boolean => id.startsWith('node:') || builtinModules.includes(id);


/**
 * `--mode scan-worker`: the reading thread of `coatcheck scan` (src/companion/har-scan-worker.ts →
 * dist/cli/har-scan-worker.js), built on its own after the CLI (scripts/build.mjs) so that it holds
 * only the HAR reader and starts in milliseconds; the CLI runs without it (reading on one thread).
 */
export default defineConfig(({ mode }) => {
  const worker = mode === 'scan-worker';
  return {
    publicDir: false,
    build: {
      ssr: worker ? 'src/companion/har-scan-worker.ts' : 'src/companion/cli.ts',
      outDir: 'dist/cli',
      emptyOutDir: !worker,
      target: 'node20',
      minify: false,
      sourcemap: true,
      reportCompressedSize: false,
      rollupOptions: {
        external,
        // the reading thread needs the core's error class only: what else the core's index holds
        // (the rules, their tables) is left out, as a module imported for nothing would be
        ...(worker ? { treeshake: { moduleSideEffects: false } } : {}),
        output: { format: 'es', entryFileNames: worker ? 'har-scan-worker.js' : 'coatcheck.js', chunkFileNames: '[name]-[hash].js' },
      },
    },
    ssr: { target: 'node', noExternal: true },
  };
});
