/**
 * The extension's one source manifest is manifest.json (top level): what it asks for, and why.
 * This module is the build's step from it to each browser's manifest (vite.ext.config.ts), and
 * the only place the two differ (test/manifest.test.ts holds them to it):
 * - the version: manifest.json has none, the build adds the tool's (src/core/version.ts, which reads
 *   package.json: the one place the version is read);
 * - Chrome: `background.service_worker`, `minimum_chrome_version`; no `browser_specific_settings`
 *   (Chrome warns on the key);
 * - Firefox: the same background script as an MV3 background page (`background.scripts`, type
 *   module; Firefox has no extension service workers), `browser_specific_settings.gecko`; no
 *   `minimum_chrome_version`.
 *
 * Permissions, and why:
 * - webRequest: observe navigations, redirects (Location), form posts and headers, non-blocking.
 * - webNavigation: committed URLs with fragments, transition types (reload, client_redirect).
 * - storage: flow state in storage.session (survives service-worker restarts), settings in local.
 * - notifications: a system notification for critical findings (can be turned off).
 * - host_permissions <all_urls>: OAuth flows hop across any AS, client and attacker origin.
 * - optional nativeMessaging: only when the user connects the companion (`coatcheck host install`).
 * No content scripts, no remote code, a strict CSP.
 *
 * The oldest Firefox the add-on installs on (manifest.json's `gecko.strict_min_version`): everything
 * the extension calls is older (MV3 with `background.scripts` of type module, `storage.session`,
 * `action`, webRequest `requestBody`, `webNavigation.onReferenceFragmentUpdated`, `devtools.panels`);
 * the newest key is `gecko.data_collection_permissions` (AMO requires it), which Firefox desktop
 * reads from 140, the current ESR. Firefox for Android reads it from 142. test/manifest.test.ts holds
 * these to that reasoning; the e2e suite checks that the Firefox it runs (Debian's firefox-esr) is
 * not older.
 */
import source from './manifest.json' with { type: 'json' };
import { VERSION } from './src/core/version.ts';

export type Browser = 'chrome' | 'firefox';

export const SOURCE_MANIFEST = source;
export const FIREFOX_MIN: string = source.browser_specific_settings.gecko.strict_min_version;
export const FIREFOX_ANDROID_MIN: string = source.browser_specific_settings.gecko_android.strict_min_version;

export function manifest(browser: Browser) {
  const { browser_specific_settings, minimum_chrome_version, background, ...common } = structuredClone(source);
  const base = { ...common, version: VERSION };
  if (browser === 'firefox') {
    return { ...base, background: { scripts: [background.service_worker], type: background.type }, browser_specific_settings };
  }
  return { ...base, minimum_chrome_version, background };
}
