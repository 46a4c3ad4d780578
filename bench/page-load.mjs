#!/usr/bin/env node
// Page-load benchmark in real headless Chromium against the lab (exported for scripts/bench.mjs):
// - two pages, each loaded N times in three browsers, in interleaved rounds so that load drift hits
//   all three alike: without any extension, with a listeners-only extension (bench/listeners-only:
//   CoatCheck's webRequest/webNavigation registrations with empty handlers, the per-tab rows added
//   as the worker adds them, i.e. what Chromium charges any extension that observes this way), and
//   with CoatCheck → overhead ratios of the
//   medians, and of the mean CPU time of each browser's process tree per load (far less disturbed by
//   other load on a shared machine than wall time). The pages: the OAuth redirect chain (the clean
//   connection: platform → honest AS → interactions → callback, top-level fields) and an ordinary
//   page without OAuth (lab/ordinary.mjs: one document, 60 subresources; `ordinary`);
// - optionally (`optionRounds`), the cost of each listener option and event (bench/listener-cost.mjs);
// - time from the callback's navigation (the request for /cb/honest) to the first finding whose
//   evidence is that callback being available from getFindings;
// - service worker wake-up: after a CDP stop, time from the next navigation to the ready flag.
import { getFindings, launchChromium, openExtensionPage, stopServiceWorker, waitForExtensionReady } from '../lab/chromium.mjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchListenerCosts, benchPages, browserCpuMs, timeLoad } from './listener-cost.mjs';
import { CHROME_DIST, popupPath } from '../lab/extension.mjs';
import { startLab } from '../lab/index.mjs';

const LISTENERS_ONLY = fileURLToPath(new URL('./listeners-only', import.meta.url));
/** the variants of bench/listener-cost.mjs that `optionRounds` measures: one option, event or type at a time */
const OPTION_VARIANTS = ['none', 'perm', 'nav-only', 'new', 'listeners', 'prev-static', 'new-no-xhr', 'frames-only', 'old'];

/**
 * Close a tab without letting the harness hang: Chromium occasionally never acknowledges the close of
 * a tab whose navigation the test cut short (seen with the latency runs' waitUntil: 'commit').
 * @param {import('playwright-core').Page} page
 */
async function closeTab(page) {
  const r = await Promise.race([page.close().then(() => 'closed'), new Promise((res) => setTimeout(() => res('timeout'), 5000))]);
  if (r === 'timeout') console.error('page-load: a tab did not close within 5 s; going on');
}

/** @param {number[]} xs */
function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))];
  return { n: s.length, median: q(0.5), p95: q(0.95), min: s[0], max: s[s.length - 1], mean: s.reduce((a, b) => a + b, 0) / (s.length || 1) };
}

const mean = (/** @type {number[]} */ xs) => xs.reduce((a, b) => a + b, 0) / (xs.length || 1);

/**
 * @param {{ n?: number, latencyRuns?: number, wakeRuns?: number, optionRounds?: number, log?: (s: string) => void }} [opts]
 */
export async function benchPageLoad(opts = {}) {
  const n = opts.n ?? 15;
  const latencyRuns = opts.latencyRuns ?? 5;
  const wakeRuns = opts.wakeRuns ?? 3;
  const log = opts.log ?? (() => {});
  const lab = await startLab();
  try {
    const url = lab.scenarioUrl('clean');
    const pages = benchPages(lab);
    const root = mkdtempSync(join(tmpdir(), 'coatcheck-pageload-'));
    const dirs = ['plain', 'listeners', 'coatcheck'].map((k) => mkdtempSync(join(root, `${k}-`)));
    const plain = await launchChromium({ userDataDir: dirs[0] });
    const listeners = await launchChromium({ extensionDir: LISTENERS_ONLY, userDataDir: dirs[1] });
    const b = await launchChromium({ extensionDir: CHROME_DIST, userDataDir: dirs[2] });
    /** per page: wall ms and CPU ms per load of each browser */
    const ms = Object.fromEntries(pages.map((p) => [p.name, [[], [], []]]));
    const cpu = Object.fromEntries(pages.map((p) => [p.name, [[], [], []]]));
    try {
      const { context } = b;
      const extId = /** @type {string} */ (b.extensionId);
      const worker = /** @type {import('playwright-core').Worker} */ (b.worker);
      const browsers = [plain, listeners, b];
      for (const x of browsers) for (const p of pages) await timeLoad(x.context, p); // warm-up
      for (let i = 0; i < n; i++) {
        for (const p of pages) {
          // rotate the order inside each round as well
          for (let k = 0; k < browsers.length; k++) {
            const j = (k + i) % browsers.length;
            const c0 = browserCpuMs(dirs[j]);
            ms[p.name][j].push(await timeLoad(browsers[j].context, p));
            cpu[p.name][j].push(browserCpuMs(dirs[j]) - c0);
          }
        }
      }
      await plain.close();
      await listeners.close();
      const summary = (/** @type {string} */ page) => {
        const [w, l, e] = ms[page].map(stats);
        const [cw, cl, ce] = cpu[page].map(mean);
        return { withoutMs: w, listenersOnlyMs: l, withMs: e, overheadRatio: e.median / w.median, listenersOnlyRatio: l.median / w.median, ownOverheadRatio: e.median / l.median, cpuMsPerLoad: { without: cw, listenersOnly: cl, with: ce }, cpuRatio: ce / cw, listenersOnlyCpuRatio: cl / cw };
      };
      const chain = summary('chain');
      const ordinary = summary('ordinary');
      for (const [name, r] of [['chain', chain], ['ordinary', ordinary]]) {
        log(`${name} medians: no extension ${r.withoutMs.median.toFixed(1)} ms, listeners only ${r.listenersOnlyMs.median.toFixed(1)} ms, CoatCheck ${r.withMs.median.toFixed(1)} ms; CPU per load ${r.cpuMsPerLoad.without.toFixed(0)} / ${r.cpuMsPerLoad.listenersOnly.toFixed(0)} / ${r.cpuMsPerLoad.with.toFixed(0)} ms`);
      }

      // callback navigation → finding available
      const ext = await openExtensionPage(context, extId, popupPath(CHROME_DIST));
      /** @type {number[]} */
      const latency = [];
      for (let i = 0; i < latencyRuns; i++) {
        log(`latency run ${i + 1}`);
        const page = await context.newPage();
        let tCb = 0;
        page.on('request', (r) => {
          if (!tCb && r.isNavigationRequest() && new URL(r.url()).pathname === '/cb/honest') tCb = performance.now();
        });
        const nav = page.goto(lab.scenarioUrl('coat'), { waitUntil: 'commit' });
        const tabId = await ext.evaluate(async () => (await chrome.tabs.query({})).map((t) => t.id ?? -1).reduce((a, b) => Math.max(a, b), -1));
        let found = 0;
        const deadline = performance.now() + 10000;
        while (performance.now() < deadline) {
          const fs = await Promise.race([getFindings(ext, tabId), new Promise((r) => setTimeout(() => r([]), 2000))]);
          // a finding raised by the callback itself (its evidence names the callback request)
          const byCallback = (/** @type {any} */ f) => (f.evidence ?? []).some((/** @type {any} */ e) => typeof e.url === 'string' && e.url.includes('/cb/honest'));
          if (tCb && fs.some((f) => byCallback(f))) {
            found = performance.now();
            break;
          }
          await new Promise((r) => setTimeout(r, 5));
        }
        await nav.catch(() => {});
        if (found) latency.push(Math.max(0, found - tCb));
        await closeTab(page);
      }
      log(`finding latency: ${latency.map((x) => x.toFixed(0)).join(', ')} ms`);

      // service worker: stop, then the next navigation wakes it; time to the ready flag
      /** @type {number[]} */
      const wake = [];
      for (let i = 0; i < wakeRuns; i++) {
        if (!(await stopServiceWorker(context, extId))) continue;
        const page = await context.newPage();
        const t0 = performance.now();
        const nav = page.goto(url, { waitUntil: 'load' });
        await waitForExtensionReady(worker, 15000);
        wake.push(performance.now() - t0);
        await nav.catch(() => {});
        await closeTab(page);
      }
      log(`wake-up to ready: ${wake.map((x) => x.toFixed(0)).join(', ')} ms`);
      await b.close();
      const optionCosts = opts.optionRounds ? await benchListenerCosts({ rounds: opts.optionRounds, variants: OPTION_VARIANTS, log }) : undefined;
      return {
        chain: 'clean connection: platform → honest AS → consent interaction → callback (5 navigations)',
        ...chain,
        findingLatencyMs: stats(latency),
        wakeToReadyMs: stats(wake),
        ordinary: { page: `ordinary page without OAuth: one document, ${lab.ordinary.subresources} subresources (scripts, styles, images, JSON fetches)`, ...ordinary },
        ...(optionCosts ? { optionCosts } : {}),
      };
    } finally {
      await plain.close();
      await listeners.close();
      await b.close();
      rmSync(root, { recursive: true, force: true });
    }
  } finally {
    await lab.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 15);
  const optionRounds = Number(process.argv[3] ?? 0);
  const r = await benchPageLoad({ n, optionRounds, log: (s) => console.error(s) });
  console.log(JSON.stringify(r, (k, v) => (typeof v === 'number' ? Math.round(v * 100) / 100 : v), 2));
}
