/// <reference types="vitest/config" />
// The extension build: `vite build -c vite.ext.config.ts --mode chrome|firefox` → dist/<mode>.
import { existsSync } from 'node:fs';
import { crx } from '@crxjs/vite-plugin';
import preact from '@preact/preset-vite';
import { defineConfig, type Plugin } from 'vite';
import { manifest, type Browser } from './manifest.config.ts';

/**
 * No dynamic code in any bundle (AMO's `web-ext lint` flags it, and the extension's CSP forbids it
 * anyway). Two library paths carry it and are dead in an extension page:
 * - zod's `allowsEval` probe (`new Function("")`, to pick its JIT): CSP makes it throw, so zod
 *   runs jitless in the extension whatever the probe says; the probe is replaced by `false`;
 * - Preact's `dangerouslySetInnerHTML` support (`el.innerHTML = html.__html`): CoatCheck renders
 *   traffic an attacker shapes and never sets HTML (test/web-ext-lint.test.ts checks the sources),
 *   so the prop becomes text.
 * test/web-ext-lint.test.ts fails if either pattern comes back (a library update).
 */
function noDynamicCode(): Plugin {
  return {
    name: 'coatcheck-no-dynamic-code',
    enforce: 'pre',
    transform(code, id) {
      if (/node_modules[\\/]zod[\\/]/.test(id) && code.includes('new F("")')) {
        return code.replace(/const F = Function;\s*new F\(""\);\s*return true;/, 'return false; // no eval in extension pages (vite.ext.config.ts)');
      }
      if (/node_modules[\\/]preact[\\/]dist[\\/]preact\.mjs/.test(id)) return code.replace(/(\w+)\.innerHTML=(\w+)\.__html/g, '$1.textContent=$2.__html');
      return undefined;
    },
  };
}

export default defineConfig(({ mode }) => {
  const browser: Browser = mode === 'firefox' ? 'firefox' : 'chrome';
  const extraPages = ['src/devtools/panel.html', 'src/rule-doc/index.html'].filter((p) => existsSync(p));
  return {
    plugins: [noDynamicCode(), preact(), crx({ manifest: manifest(browser) as never, browser })],
    publicDir: false,
    build: {
      outDir: `dist/${browser}`,
      emptyOutDir: true,
      target: 'es2022',
      sourcemap: false,
      rollupOptions: {
        input: Object.fromEntries(extraPages.map((p) => [p.replace(/\W+/g, '_'), p])),
        // src/core is pure (no module does anything when imported but define things): a page that
        // imports the core's public index (src/core/index.ts) gets only the modules it uses, not
        // every module the index re-exports
        treeshake: { moduleSideEffects: (id: string) => !/[\\/]src[\\/]core[\\/]/.test(id) },
      },
    },
    server: { cors: { origin: [/chrome-extension:\/\//] } },
  };
});
