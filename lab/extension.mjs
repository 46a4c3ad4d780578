// Facts about the built extension that the harness needs: where it is, its popup page.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(new URL('..', import.meta.url).pathname);
/** the built extensions (override with COATCHECK_CHROME_DIST / COATCHECK_FIREFOX_DIST) */
export const CHROME_DIST = process.env.COATCHECK_CHROME_DIST ?? join(ROOT, 'dist/chrome');
export const FIREFOX_DIST = process.env.COATCHECK_FIREFOX_DIST ?? join(ROOT, 'dist/firefox');

/** @param {string} dir */
export function readManifest(dir) {
  const p = join(dir, 'manifest.json');
  if (!existsSync(p)) return undefined;
  return JSON.parse(readFileSync(p, 'utf8'));
}

/** The popup page path inside the extension (action.default_popup), e.g. `src/popup/index.html`. */
export function popupPath(dir) {
  const m = readManifest(dir);
  const p = m?.action?.default_popup ?? m?.browser_action?.default_popup;
  if (!p) throw new Error(`no action.default_popup in ${dir}/manifest.json`);
  return String(p).replace(/^\//, '');
}
