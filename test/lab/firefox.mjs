// Real headless Firefox (Debian's firefox-esr) over WebDriver BiDi, with the `ws` package.
// Playwright cannot drive a stock Firefox; BiDi is built in. The profile resolves every host name to
// 127.0.0.1 (network.dns.forceResolve), so the lab's *.example names work and nothing leaves the
// machine; the lab's self-signed certificate is accepted through the acceptInsecureCerts capability.
//
// Extension pages without the browser's chrome scope: the profile's user.js fixes each add-on's
// moz-extension:// UUID in advance (pref `extensions.webextensions.uuids`, add-on id -> UUID), so the
// popup or any extension page is at a known URL, opened with an ordinary browsingContext.navigate in
// a tab and scripted there (browser.* is available). Firefox 140 allows that navigation as is;
// Firefox 153 refuses navigations to moz-extension:// ("not allowed in this context",
// isWebdriverSafeNavigationURL) unless the remote agent was started with -remote-allow-system-access,
// so the flag is passed; 140 accepts it too. Nothing here uses the chrome scope (moz:scope), which Firefox 140 does not offer over BiDi.
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';

export const FIREFOX_PATH = process.env.COATCHECK_FIREFOX ?? '/usr/bin/firefox-esr';
/** the Firefox `.ci/run` installs (Debian's ESR), whatever COATCHECK_FIREFOX points at */
export const DEBIAN_FIREFOX_PATH = '/usr/bin/firefox-esr';

/**
 * The version a Firefox binary reports (`firefox-esr --version` -> "Mozilla Firefox 140.12.0esr"),
 * e.g. `140.12.0esr`; undefined when it is missing or says nothing recognisable.
 * @param {string} [path]
 */
export function firefoxVersion(path = FIREFOX_PATH) {
  if (!existsSync(path)) return undefined;
  const r = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 20000, env: { ...process.env, MOZ_CRASHREPORTER_DISABLE: '1' } });
  return /Firefox\s+(\d+(?:\.\d+)*\S*)/.exec(`${r.stdout ?? ''}${r.stderr ?? ''}`)?.[1];
}

/**
 * Compare dotted Firefox versions numerically by their leading numbers ("140.12.0esr" vs "142.0"):
 * negative when a is older, 0 when equal, positive when newer.
 * @param {string} a @param {string} b
 */
export function compareFirefoxVersions(a, b) {
  const nums = (v) => (/^\d+(?:\.\d+)*/.exec(v)?.[0] ?? '0').split('.').map(Number);
  const x = nums(a);
  const y = nums(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The add-on id of an unpacked extension directory (browser_specific_settings.gecko.id).
 * @param {string} dir
 */
export function addonIdOf(dir) {
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  const id = m?.browser_specific_settings?.gecko?.id ?? m?.applications?.gecko?.id;
  if (typeof id !== 'string' || !id) throw new Error(`${dir}/manifest.json has no browser_specific_settings.gecko.id`);
  return id;
}

const PREFS = {
  'network.dns.forceResolve': '127.0.0.1',
  'browser.shell.checkDefaultBrowser': false,
  'browser.startup.homepage_override.mstone': 'ignore',
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.reportingpolicy.firstRun': false,
  'app.update.enabled': false,
  'app.update.auto': false,
  'extensions.update.enabled': false,
  'extensions.getAddons.cache.enabled': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'browser.safebrowsing.downloads.enabled': false,
  'security.OCSP.enabled': 0,
  'network.http.http3.enable': false,
  'dom.security.https_first': false,
};

export class Bidi {
  /** @param {WebSocket} ws */
  constructor(ws) {
    this.ws = ws;
    this.nextId = 0;
    /** @type {Map<number, { resolve: (v: any) => void, reject: (e: Error) => void, method: string }>} */
    this.pending = new Map();
    /** @type {((ev: any) => void)[]} */
    this.listeners = [];
    ws.on('message', (raw) => {
      const m = JSON.parse(String(raw));
      if (m.id !== undefined && this.pending.has(m.id)) {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (m.type === 'error') p.reject(new Error(`${p.method}: ${m.error}: ${m.message}`));
        else p.resolve(m.result);
      } else if (m.type === 'event') for (const l of this.listeners) l(m);
    });
    ws.on('close', () => {
      for (const p of this.pending.values()) p.reject(new Error('BiDi connection closed'));
      this.pending.clear();
    });
  }
  /** @param {string} method @param {object} [params] @returns {Promise<any>} */
  send(method, params = {}) {
    return new Promise((resolve, reject) => {
      const id = ++this.nextId;
      this.pending.set(id, { resolve, reject, method });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }
}

/** Deserialize a BiDi RemoteValue into a plain value (enough for JSON-like results). */
export function fromRemote(v) {
  if (!v || typeof v !== 'object') return v;
  switch (v.type) {
    case 'undefined':
      return undefined;
    case 'null':
      return null;
    case 'string':
    case 'boolean':
      return v.value;
    case 'number':
      return typeof v.value === 'number' ? v.value : Number(v.value);
    case 'array':
      return (v.value ?? []).map(fromRemote);
    case 'object':
      return Object.fromEntries((v.value ?? []).map(([k, x]) => [typeof k === 'string' ? k : fromRemote(k), fromRemote(x)]));
    default:
      return v.value;
  }
}

/**
 * Start Firefox. With `extensions` (unpacked directories), each add-on's moz-extension:// UUID is
 * fixed in the profile before start and the add-ons are installed (temporarily) once BiDi is up:
 * `ff.extensionBase(id)` is then `moz-extension://<uuid>/`.
 * `prefs` are added to the profile's user.js.
 * @param {{ headless?: boolean, extensions?: string[], prefs?: Record<string, string | number | boolean> }} [opts]
 */
export async function launchFirefox(opts = {}) {
  if (!existsSync(FIREFOX_PATH)) throw Object.assign(new Error(`Firefox not found at ${FIREFOX_PATH}. Install it with: apt-get install -y firefox-esr`), { code: 'FIREFOX_MISSING' });
  const profile = mkdtempSync(join(tmpdir(), 'coatcheck-firefox-'));
  /** @type {Record<string, string>} add-on id -> moz-extension UUID */
  const uuids = Object.fromEntries((opts.extensions ?? []).map((dir) => [addonIdOf(dir), randomUUID()]));
  const prefs = { ...PREFS, ...opts.prefs, 'extensions.webextensions.uuids': JSON.stringify(uuids) };
  writeFileSync(join(profile, 'user.js'), Object.entries(prefs).map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});`).join('\n') + '\n');
  const args = [...(opts.headless === false ? [] : ['--headless']), '--profile', profile, '--no-remote', '--remote-debugging-port=0', '-remote-allow-system-access'];
  const proc = spawn(FIREFOX_PATH, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MOZ_CRASHREPORTER_DISABLE: '1' } });
  let log = '';
  const wsUrl = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`firefox did not open WebDriver BiDi within 30 s:\n${log.slice(-2000)}`)), 30000);
    const on = (d) => {
      log += String(d);
      const m = /WebDriver BiDi listening on (ws:\/\/\S+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    proc.stderr.on('data', on);
    proc.stdout.on('data', on);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`firefox exited (${code}):\n${log.slice(-2000)}`));
    });
  });
  const ws = new WebSocket(`${wsUrl}/session`);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const bidi = new Bidi(ws);
  await bidi.send('session.new', { capabilities: { alwaysMatch: { acceptInsecureCerts: true } } });
  /** the tab Firefox started with: new tabs open beside it */
  const home = /** @type {string | undefined} */ ((await bidi.send('browsingContext.getTree', { maxDepth: 0 })).contexts[0]?.context);

  const ff = {
    bidi,
    proc,
    profile,
    /** add-on id -> its fixed moz-extension UUID */
    uuids,
    /** install an unpacked extension directory temporarily; returns its add-on id */
    async installExtension(path) {
      const r = await bidi.send('webExtension.install', { extensionData: { type: 'path', path } });
      return /** @type {string} */ (r.extension);
    },
    /** evaluate an expression in a context; awaits promises; returns a plain value */
    async evaluate(context, expression) {
      const r = await bidi.send('script.evaluate', { expression, target: { context }, awaitPromise: true, resultOwnership: 'none' });
      if (r.type === 'exception') throw new Error(`evaluate failed: ${r.exceptionDetails?.text ?? JSON.stringify(r.exceptionDetails).slice(0, 300)}`);
      return fromRemote(r.result);
    },
    /** the moz-extension:// base URL of an add-on started with `extensions` (its UUID was fixed in the profile) */
    extensionBase(addonId) {
      const uuid = uuids[addonId];
      if (!uuid) throw new Error(`add-on ${addonId} was not given to launchFirefox({ extensions }), so its moz-extension UUID is not known`);
      return `moz-extension://${uuid}/`;
    },
    /**
     * A fresh tab in the first browser window. The reference context matters: a critical finding
     * raises a notification, which headless Firefox 140 shows as a window of its own; without a
     * reference, create() picks the last focused window and fails there (no tab browser).
     */
    async newTab() {
      const r = await bidi.send('browsingContext.create', { type: 'tab', ...(home ? { referenceContext: home } : {}) });
      return /** @type {string} */ (r.context);
    },
    async navigate(context, url) {
      return bidi.send('browsingContext.navigate', { context, url, wait: 'complete' });
    },
    /** navigate to a lab scenario and wait for the platform's result page */
    async playScenario(url, timeoutMs = 20000) {
      const context = await ff.newTab();
      await ff.navigate(context, url);
      const t0 = Date.now();
      for (;;) {
        const outcome = await ff.evaluate(context, `document.querySelector('#result')?.dataset.outcome ?? null`).catch(() => null);
        if (outcome && outcome !== 'pending') return { context, outcome, url: await ff.evaluate(context, 'location.href') };
        if (Date.now() - t0 > timeoutMs) throw new Error(`scenario ${url} did not finish`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    /** open a page (e.g. moz-extension://<uuid>/…) in a fresh tab with a BiDi navigation; returns its context id */
    async openExtensionPage(url) {
      const context = await ff.newTab();
      await ff.navigate(context, url);
      return context;
    },
    /**
     * Wait until the add-on's background answers runtime messages, asked from one of its pages
     * (`getFindings` is answered once the background's start-up is done).
     * @param {string} extContext @param {number} [timeoutMs]
     */
    async waitForBackground(extContext, timeoutMs = 15000) {
      const t0 = Date.now();
      for (;;) {
        const ok = await ff.evaluate(extContext, `browser.runtime.sendMessage({ type: 'getFindings' }).then((r) => Array.isArray(r?.findings), () => false)`).catch(() => false);
        if (ok === true) return Date.now() - t0;
        if (Date.now() - t0 > timeoutMs) throw new Error(`the Firefox background never answered getFindings within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async close() {
      try {
        await bidi.send('session.end').catch(() => {});
        ws.close();
      } finally {
        if (proc.exitCode === null) {
          proc.kill('SIGTERM');
          await new Promise((r) => {
            const t = setTimeout(() => {
              if (proc.exitCode === null) proc.kill('SIGKILL');
              r(undefined);
            }, 3000);
            proc.once('exit', () => {
              clearTimeout(t);
              r(undefined);
            });
          });
        }
        rmSync(profile, { recursive: true, force: true });
      }
    },
  };
  try {
    for (const dir of opts.extensions ?? []) {
      const id = await ff.installExtension(dir);
      if (!uuids[id]) throw new Error(`${dir} installed as ${id}, not as its manifest's gecko id`);
    }
  } catch (e) {
    await ff.close();
    throw e;
  }
  return ff;
}
