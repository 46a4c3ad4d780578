/**
 * The Firefox minimum versions in manifest.config.ts are the oldest Firefox (desktop, Android) that
 * support every manifest key the add-on uses, as AMO's own linter (`web-ext lint`) knows them: at
 * FIREFOX_MIN / FIREFOX_ANDROID_MIN it reports no key as unsupported, one major version lower it
 * does. So the add-on installs on the oldest Firefox it can (today 140, the current ESR, because of
 * `gecko.data_collection_permissions`) and no key slips in that the declared minimum lacks.
 * Whether the Firefox on the machine is new enough is checked by the e2e suite
 * (test/e2e/firefox.e2e.test.ts, against `firefox-esr --version`).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareFirefoxVersions } from './lab/firefox.mjs';
import { FIREFOX_ANDROID_MIN, FIREFOX_MIN, manifest } from '../manifest.config.ts';

const root = join(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'coatcheck-manifest-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

type Msg = { code: string; file?: string; description?: string | string[] };
const MIN_VERSION_CODES = /UNSUPPORTED_BY_MIN_VERSION$/; // KEY_/PERMISSION_ FIREFOX(_ANDROID)_UNSUPPORTED_BY_MIN_VERSION

/** web-ext lint on a directory holding only this manifest; the min-version messages it gives. */
function lintMinVersion(m: object, name: string): Promise<Msg[]> {
  const dir = join(work, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
  return new Promise((resolve, reject) => {
    const p = spawn(join(root, 'node_modules/.bin/web-ext'), ['lint', '--source-dir', dir, '--output', 'json', '--no-input'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('error', reject);
    p.on('close', () => {
      try {
        const r = JSON.parse(out.slice(out.indexOf('{')));
        resolve([...r.errors, ...r.warnings, ...r.notices].filter((x: Msg) => MIN_VERSION_CODES.test(x.code)));
      } catch (e) {
        reject(new Error(`web-ext lint gave no JSON: ${out.slice(0, 500)} (${e})`));
      }
    });
  });
}

const firefox = () => manifest('firefox') as ReturnType<typeof manifest> & { browser_specific_settings: { gecko: Record<string, unknown>; gecko_android: Record<string, unknown> } };
const major = (v: string) => Number(v.split('.')[0]);
const withMins = (desktop: string, android: string) => {
  const m = structuredClone(firefox());
  m.browser_specific_settings.gecko.strict_min_version = desktop;
  m.browser_specific_settings.gecko_android.strict_min_version = android;
  return m;
};
const text = (ms: Msg[]) => ms.map((x) => `${x.code}: ${[x.description].flat().join(' ')}`).join('\n');

describe('manifest: Firefox minimum versions', () => {
  it('the Firefox manifest declares FIREFOX_MIN and FIREFOX_ANDROID_MIN; the Chrome manifest has no gecko settings', () => {
    const m = firefox();
    expect(m.browser_specific_settings.gecko.strict_min_version).toBe(FIREFOX_MIN);
    expect(m.browser_specific_settings.gecko_android.strict_min_version).toBe(FIREFOX_ANDROID_MIN);
    expect(major(FIREFOX_ANDROID_MIN)).toBeGreaterThanOrEqual(major(FIREFOX_MIN));
    expect(manifest('chrome')).not.toHaveProperty('browser_specific_settings');
  });

  it(
    'every manifest key is supported at the declared minimums, and not one major version lower',
    async () => {
      const [at, desktopLower, androidLower] = await Promise.all([
        lintMinVersion(withMins(FIREFOX_MIN, FIREFOX_ANDROID_MIN), 'at-min'),
        lintMinVersion(withMins(`${major(FIREFOX_MIN) - 1}.0`, FIREFOX_ANDROID_MIN), 'desktop-lower'),
        lintMinVersion(withMins(FIREFOX_MIN, `${major(FIREFOX_ANDROID_MIN) - 1}.0`), 'android-lower'),
      ]);
      expect(text(at)).toBe('');
      expect(desktopLower.map((x) => x.code), text(desktopLower)).toContain('KEY_FIREFOX_UNSUPPORTED_BY_MIN_VERSION');
      expect(androidLower.map((x) => x.code), text(androidLower)).toContain('KEY_FIREFOX_ANDROID_UNSUPPORTED_BY_MIN_VERSION');
    },
    60_000,
  );
});

describe('compareFirefoxVersions (what the e2e suite compares firefox-esr --version with)', () => {
  it.each([
    ['140.12.0esr', '140.0', 1],
    ['153.8.0esr', '142.0', 1],
    ['140.0', '140', 0],
    ['139.9.1esr', '140.0', -1],
    ['99.0', '100.0', -1],
  ])('%s vs %s: %i', (a, b, sign) => {
    expect(Math.sign(compareFirefoxVersions(a, b))).toBe(sign);
  });
});

describe('manifest.json is the one source; the build applies each browser\'s differences', () => {
  const src = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const chrome = manifest('chrome') as Record<string, unknown>;
  const firefox = manifest('firefox') as Record<string, unknown>;

  it('says the version package.json says: the build adds it (src/core/version.ts), the source has none to drift', () => {
    expect(src).not.toHaveProperty('version');
    expect(chrome.version).toBe(pkg.version);
    expect(firefox.version).toBe(pkg.version);
  });

  it('Chrome: the source as it is, less the Firefox-only key', () => {
    const { browser_specific_settings: _b, ...rest } = src;
    expect(chrome).toEqual({ ...rest, version: pkg.version });
    expect(chrome).not.toHaveProperty('browser_specific_settings');
  });

  it('Firefox: the worker as a background page, the gecko settings, no Chrome-only key', () => {
    const { minimum_chrome_version: _m, background, ...rest } = src as { background: { service_worker: string; type: string } } & Record<string, unknown>;
    expect(firefox).toEqual({ ...rest, version: pkg.version, background: { scripts: [background.service_worker], type: background.type } });
    expect(firefox).not.toHaveProperty('minimum_chrome_version');
    expect(FIREFOX_MIN).toBe((src.browser_specific_settings as { gecko: { strict_min_version: string } }).gecko.strict_min_version);
  });

  it('both ask for exactly the permissions the source asks for', () => {
    for (const m of [chrome, firefox]) {
      expect(m.permissions).toEqual(src.permissions);
      expect(m.host_permissions).toEqual(src.host_permissions);
      expect(m.optional_permissions).toEqual(src.optional_permissions);
      expect(m.content_security_policy).toEqual(src.content_security_policy);
    }
  });
});
