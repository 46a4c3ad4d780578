/**
 * The companion CLI: src/companion/cli.ts → dist/cli/coatcheck.js, one ESM file for Node 20.
 * Node builtins and the package's dependencies stay external (installed beside it by npm).
 */
import { defineConfig } from 'vite';
import { nodeExternal as external } from './vite.shared.ts';


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
  ssr: { target: 'node' },
});
