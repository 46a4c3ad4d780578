/// <reference types="vitest/config" />
// The extension build: `vite build -c vite.ext.config.ts --mode chrome|firefox` → dist/<mode>.
import { existsSync } from 'node:fs';
import { crx } from '@crxjs/vite-plugin';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';
import { manifest, type Browser } from './manifest.config.ts';

export default defineConfig(({ mode }) => {
  const browser: Browser = mode === 'firefox' ? 'firefox' : 'chrome';
  const extraPages = ['src/devtools/panel.html', 'src/docs/index.html'].filter((p) => existsSync(p));
  return {
    plugins: [preact(), crx({ manifest: manifest(browser) as never, browser })],
    publicDir: false,
    build: {
      outDir: `dist/${browser}`,
      emptyOutDir: true,
      target: 'es2022',
      sourcemap: false,
      rollupOptions: { input: Object.fromEntries(extraPages.map((p) => [p.replace(/\W+/g, '_'), p])) },
    },
    server: { cors: { origin: [/chrome-extension:\/\//] } },
  };
});
