/**
 * The library: src/lib/index.ts (`coatcheck`) and src/lib/playwright.ts (`coatcheck/playwright`)
 * → dist/lib/*.js (ESM) and *.cjs (CommonJS require), for Node 20. The package's dependencies,
 * Node builtins and @playwright/test (a peer dependency) stay external; the types come from
 * tsconfig.lib.json (dist/lib/types).
 */
import { defineConfig } from 'vite';
import { nodeExternal as external } from './vite.shared.ts';


export default defineConfig({
  publicDir: false,
  build: {
    ssr: true,
    outDir: 'dist/lib',
    emptyOutDir: false,
    target: 'node20',
    minify: false,
    sourcemap: true,
    reportCompressedSize: false,
    rollupOptions: {
      input: { index: 'src/lib/index.ts', playwright: 'src/lib/playwright.ts' },
      external,
      output: [
        { format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
        { format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: 'chunks/[name]-[hash].cjs', exports: 'named' },
      ],
    },
  },
  ssr: { target: 'node' },
});
