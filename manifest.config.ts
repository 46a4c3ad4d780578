/**
 * The extension manifest for Chrome and Firefox from one function. Permissions, and why:
 * - webRequest: observe navigations, redirects (Location), form posts and headers, non-blocking.
 * - webNavigation: committed URLs with fragments, transition types (reload, client_redirect).
 * - storage: flow state in storage.session (survives service-worker restarts), settings in local.
 * - notifications: a system notification for critical findings (can be turned off).
 * - host_permissions <all_urls>: OAuth flows hop across any AS, client and attacker origin.
 * - optional nativeMessaging: only when the user connects the companion (`coatcheck host install`).
 * No content scripts, no remote code, a strict CSP.
 */
import pkg from './package.json' with { type: 'json' };

export type Browser = 'chrome' | 'firefox';

/**
 * The oldest Firefox the add-on installs on. Everything the extension calls is older (MV3 with
 * `background.scripts` of type module, `storage.session`, `action`, webRequest `requestBody`,
 * `webNavigation.onReferenceFragmentUpdated`, `devtools.panels`); the newest key is
 * `gecko.data_collection_permissions` (AMO requires it), which Firefox desktop reads from 140, the
 * current ESR. Firefox for Android reads it from 142. test/manifest.test.ts holds these to that
 * reasoning; the e2e suite checks that the Firefox it runs (Debian's firefox-esr) is not older.
 */
export const FIREFOX_MIN = '140.0';
export const FIREFOX_ANDROID_MIN = '142.0';

export function manifest(browser: Browser) {
  const icons = { 16: 'public/icon-16.png', 32: 'public/icon-32.png', 48: 'public/icon-48.png', 128: 'public/icon-128.png' };
  const base = {
    manifest_version: 3,
    name: 'CoatCheck',
    version: pkg.version,
    description: 'Catches OAuth 2.0 / OpenID Connect mix-up, COAT, code injection and token leaks as they happen (RFC 9700).',
    icons,
    action: { default_popup: 'src/popup/index.html', default_title: 'CoatCheck', default_icon: icons },
    options_ui: { page: 'src/options/index.html', open_in_tab: true },
    devtools_page: 'src/devtools/devtools.html',
    permissions: ['webRequest', 'webNavigation', 'storage', 'notifications'],
    optional_permissions: ['nativeMessaging'],
    host_permissions: ['<all_urls>'],
    content_security_policy: { extension_pages: "script-src 'self'; object-src 'self'; base-uri 'none'; frame-ancestors 'none'" },
  };
  if (browser === 'firefox') {
    return {
      ...base,
      background: { scripts: ['src/background/index.ts'], type: 'module' },
      browser_specific_settings: {
        gecko: { id: 'coatcheck@coatcheck.dev', strict_min_version: FIREFOX_MIN, data_collection_permissions: { required: ['none'] } },
        gecko_android: { strict_min_version: FIREFOX_ANDROID_MIN },
      },
    };
  }
  return { ...base, minimum_chrome_version: '120', background: { service_worker: 'src/background/index.ts', type: 'module' } };
}
