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


export default defineConfig({
  publicDir: false,
  build: {
    ssr: 'src/companion/cli.ts',
    outDir: 'dist/cli',
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    sourcemap: true,
    reportCompressedSize: false,
    rollupOptions: {
      external,
      output: { format: 'es', entryFileNames: 'coatcheck.js', chunkFileNames: '[name]-[hash].js' },
    },
  },
  ssr: { target: 'node', noExternal: true },
});
