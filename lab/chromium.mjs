// Real headless Chromium with the built extension, for `npm start`, the e2e suite and the benchmark.
// playwright-core drives Debian's /usr/bin/chromium; *.example is mapped to 127.0.0.1 and the lab's
// self-signed certificate is accepted. See docs in lab/README.md.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CHROMIUM_PATH = process.env.COATCHECK_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_MISSING = 'apt-get install -y chromium';

export function chromiumArgs(extensionDir) {
  return [
    ...(extensionDir ? [`--disable-extensions-except=${extensionDir}`, `--load-extension=${extensionDir}`] : []),
    '--host-resolver-rules=MAP *.example 127.0.0.1',
    '--ignore-certificate-errors',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-quic',
  ];
}

/**
 * Wait until the extension's background has finished its start-up (the `serviceworker` event fires
 * before the worker's top-level code has run). src/background sets `globalThis.__coatcheckReady`
 * at the end of its start-up.
 * @param {import('playwright-core').Worker} worker
 */
export async function waitForExtensionReady(worker, timeoutMs = 15000) {
  const t0 = Date.now();
  let last;
  while (Date.now() - t0 < timeoutMs) {
    try {
      // a stopped worker's handle can hang until the next instance attaches: bound each probe
      last = await Promise.race([
        worker.evaluate(() => /** @type {any} */ (globalThis).__coatcheckReady === true),
        new Promise((r) => setTimeout(() => r('probe timed out'), 1000)),
      ]);
      if (last === 'probe timed out') continue;
      if (last) return Date.now() - t0;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`extension did not become ready within ${timeoutMs} ms (${last})`);
}

/**
 * @param {{ extensionDir?: string, headless?: boolean, userDataDir?: string }} [opts]
 */
export async function launchChromium(opts = {}) {
  if (!existsSync(CHROMIUM_PATH)) {
    const e = new Error(`Chromium not found at ${CHROMIUM_PATH}. Install it with: ${CHROMIUM_MISSING}`);
    /** @type {any} */ (e).code = 'CHROMIUM_MISSING';
    throw e;
  }
  const { chromium } = await import('playwright-core');
  const dir = opts.userDataDir ?? mkdtempSync(join(tmpdir(), 'coatcheck-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM_PATH,
    headless: opts.headless ?? true,
    args: chromiumArgs(opts.extensionDir),
    ignoreHTTPSErrors: true,
    viewport: { width: 1100, height: 800 },
  });
  /** @type {import('playwright-core').Worker | undefined} */
  let worker;
  let extensionId;
  let readyMs;
  if (opts.extensionDir) {
    worker = context.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://')) ?? (await context.waitForEvent('serviceworker', { timeout: 15000 }));
    extensionId = new URL(worker.url()).host;
    readyMs = await waitForExtensionReady(worker);
  }
  return {
    context,
    worker,
    extensionId,
    readyMs,
    async close() {
      await context.close().catch(() => {});
      if (!opts.userDataDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Navigate a fresh tab to a scenario URL and wait until the platform's result page is there.
 * @param {import('playwright-core').BrowserContext} context @param {string} url
 */
export async function playScenario(context, url, timeoutMs = 20000) {
  const page = await context.newPage();
  await page.goto(url, { waitUntil: 'load', timeout: timeoutMs });
  await page.waitForSelector('#result[data-outcome]:not([data-outcome="pending"])', { timeout: timeoutMs, state: 'attached' });
  return page;
}

/**
 * An extension page, opened as an ordinary tab, that asks the background for data.
 * @param {import('playwright-core').BrowserContext} context @param {string} extensionId @param {string} [path]
 */
export async function openExtensionPage(context, extensionId, path) {
  const page = await context.newPage();
  await page.goto(`chrome-extension://${extensionId}/${path ?? ''}`);
  return page;
}

/**
 * The browser tab id (chrome.tabs) of the tab whose URL starts with `urlPrefix`, queried from an
 * extension page.
 * @param {import('playwright-core').Page} extPage @param {string} urlPrefix
 */
export async function tabIdFor(extPage, urlPrefix) {
  return extPage.evaluate(async (prefix) => {
    const tabs = await chrome.tabs.query({});
    const t = tabs.filter((x) => (x.url ?? '').startsWith(prefix)).pop();
    return t?.id;
  }, urlPrefix);
}

/**
 * getFindings through runtime messaging from an extension page.
 * @param {import('playwright-core').Page} extPage @param {number} [tabId]
 * @returns {Promise<any[]>}
 */
export async function getFindings(extPage, tabId) {
  const r = await extPage.evaluate((id) => chrome.runtime.sendMessage(id === undefined ? { type: 'getFindings' } : { type: 'getFindings', tabId: id }), tabId);
  return /** @type {any} */ (r)?.findings ?? [];
}

/**
 * Stop every service worker through CDP and wait until the extension's is stopped.
 * @param {import('playwright-core').BrowserContext} context @param {string} extensionId
 */
export async function stopServiceWorker(context, extensionId) {
  const page = context.pages()[0] ?? (await context.newPage());
  const cdp = await context.newCDPSession(page);
  const stopped = new Promise((resolve) => {
    cdp.on('ServiceWorker.workerVersionUpdated', (ev) => {
      for (const v of ev.versions) if (v.scriptURL.startsWith(`chrome-extension://${extensionId}/`) && v.runningStatus === 'stopped') resolve(true);
    });
  });
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  const ok = await Promise.race([stopped, new Promise((r) => setTimeout(() => r(false), 5000))]);
  await cdp.detach().catch(() => {});
  return ok;
}
