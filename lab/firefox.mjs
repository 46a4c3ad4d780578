// Real headless Firefox (Debian's firefox-esr) over WebDriver BiDi, with the `ws` package.
// Playwright cannot drive a stock Firefox; BiDi is built in. The profile resolves every host name to
// 127.0.0.1 (network.dns.forceResolve), so the lab's *.example names work and nothing leaves the
// machine; the lab's self-signed certificate is accepted through the acceptInsecureCerts capability.
// Extension pages (moz-extension://) are opened from the browser's chrome scope
// (-remote-allow-system-access), then scripted like any other tab.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';

export const FIREFOX_PATH = process.env.COATCHECK_FIREFOX ?? '/usr/bin/firefox-esr';

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
 * @param {{ headless?: boolean }} [opts]
 */
export async function launchFirefox(opts = {}) {
  if (!existsSync(FIREFOX_PATH)) throw Object.assign(new Error(`Firefox not found at ${FIREFOX_PATH}. Install it with: apt-get install -y firefox-esr`), { code: 'FIREFOX_MISSING' });
  const profile = mkdtempSync(join(tmpdir(), 'coatcheck-firefox-'));
  writeFileSync(join(profile, 'user.js'), Object.entries(PREFS).map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});`).join('\n') + '\n');
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

  const ff = {
    bidi,
    proc,
    profile,
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
    async chromeContext() {
      const tree = await bidi.send('browsingContext.getTree', { 'moz:scope': 'chrome', maxDepth: 0 });
      const win = tree.contexts.find((c) => String(c.url).startsWith('chrome://browser/'));
      if (!win) throw new Error('no chrome browser window');
      return /** @type {string} */ (win.context);
    },
    /** the moz-extension:// base URL of an installed add-on */
    async extensionBase(addonId) {
      const chrome = await ff.chromeContext();
      const host = await ff.evaluate(chrome, `WebExtensionPolicy.getByID(${JSON.stringify(addonId)})?.mozExtensionHostname`);
      if (!host) throw new Error(`add-on ${addonId} not found`);
      return `moz-extension://${host}/`;
    },
    async newTab() {
      const r = await bidi.send('browsingContext.create', { type: 'tab' });
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
    /** open an extension page (moz-extension://…) as a tab from the chrome scope; returns its context id */
    async openExtensionPage(url) {
      const chrome = await ff.chromeContext();
      const before = new Set((await bidi.send('browsingContext.getTree', { maxDepth: 0 })).contexts.map((c) => c.context));
      await ff.evaluate(
        chrome,
        `(() => { const t = gBrowser.addTab(${JSON.stringify(url)}, { triggeringPrincipal: Services.scriptSecurityManager.getSystemPrincipal() }); gBrowser.selectedTab = t; return true; })()`,
      );
      const t0 = Date.now();
      for (;;) {
        const tree = await bidi.send('browsingContext.getTree', { maxDepth: 0 });
        const fresh = tree.contexts.find((c) => !before.has(c.context));
        if (fresh && String(fresh.url).startsWith('moz-extension://')) {
          const ready = await ff.evaluate(fresh.context, `document.readyState`).catch(() => null);
          if (ready === 'complete' || ready === 'interactive') return /** @type {string} */ (fresh.context);
        }
        if (Date.now() - t0 > 10000) throw new Error(`extension page ${url} did not open`);
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
  return ff;
}
