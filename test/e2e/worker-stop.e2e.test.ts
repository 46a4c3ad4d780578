/**
 * The service worker may be stopped at any moment (#8 part 3, #11 part 4). For each document
 * request of the COAT, mix-up and implicit chains, the request is held at its response with CDP
 * `Fetch` (the browser has sent it: onBeforeRequest and onBeforeSendHeaders went to the old
 * worker), the worker is stopped, and the response goes on to a new worker: the tab's findings
 * must be those of the same chain run without a stop. Firefox has no way to stop a background
 * page from outside; this runs in Chromium only.
 */
import type { CDPSession } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { getFindings, stopServiceWorker, tabIdFor } from '../../lab/chromium.mjs';
import { SCENARIOS, type ScenarioName } from '../../lab/index.mjs';
import { findingsUntil, MEDIUM_UP, useExtensionLab, type F } from './support';

const env = useExtensionLab({ quiet: true });

const key = (fs: F[]) => [...new Set(fs.filter((f) => MEDIUM_UP.has(f.severity)).map((f) => `${f.ruleId}:${f.severity}`))].sort();

/**
 * Play a scenario in a fresh tab; `stopAt` (0-based) stops the worker while that document
 * response is held. Returns the tab's findings (≥ medium) and how many document responses passed.
 */
async function play(name: ScenarioName, stopAt?: number): Promise<{ findings: string[]; responses: string[] }> {
  const page = await env.context.newPage();
  const cdp: CDPSession = await env.context.newCDPSession(page);
  const responses: string[] = [];
  let stopped: boolean | undefined;
  cdp.on('Fetch.requestPaused', (ev: { requestId: string; request: { url: string }; responseStatusCode?: number }) => {
    const i = responses.length;
    responses.push(`${ev.responseStatusCode ?? '?'} ${new URL(ev.request.url).host}${new URL(ev.request.url).pathname}`);
    void (async () => {
      if (i === stopAt) {
        // the events the browser already dispatched are handled first (a message round trip
        // queues behind them): what is tested is a stop between two events, not events dropped
        // on their way into a dying worker, which no extension can get back
        await env.ext.evaluate(() => chrome.runtime.sendMessage({ type: 'ping' }));
        stopped = await stopServiceWorker(env.context, env.extId);
      }
      await cdp.send('Fetch.continueResponse', { requestId: ev.requestId }).catch(() => cdp.send('Fetch.continueRequest', { requestId: ev.requestId }));
    })();
  });
  await cdp.send('Fetch.enable', { patterns: [{ urlPattern: '*', resourceType: 'Document', requestStage: 'Response' }] });
  await page.goto(env.lab.scenarioUrl(name), { waitUntil: 'load', timeout: 30000 });
  await page.waitForSelector('#result[data-outcome]:not([data-outcome="pending"])', { timeout: 20000, state: 'attached' });
  if (stopAt !== undefined) expect(stopped, `worker stopped at response ${stopAt} (${responses[stopAt]})`).toBe(true);
  const tabId = (await tabIdFor(env.ext, page.url().split('#')[0])) as number;
  const want = SCENARIOS[name].expect;
  await findingsUntil(env.ext, tabId, (x) => want.every((id) => x.some((f) => f.ruleId === id)), 6000);
  await new Promise((r) => setTimeout(r, 300)); // late findings of the last hop
  const fs = (await getFindings(env.ext, tabId)) as F[];
  if (process.env.DEBUG_STOP && stopAt !== undefined && fs.some((f) => f.ruleId === 'unsolicited-callback' || f.ruleId === 'callback-without-browser-binding')) {
    const har = (await env.ext.evaluate((id: number) => chrome.runtime.sendMessage({ type: 'export', tabId: id, format: 'har' }), tabId)) as { content: string };
    const entries = JSON.parse(har.content).log.entries as { startedDateTime: string; request: { url: string; headers: { name: string }[] }; response: { status: number } }[];
    console.log(`stopAt ${stopAt}`, JSON.stringify(fs.map((f) => [f.ruleId, (f as { message?: string }).message?.slice(0, 200)]), null, 1), entries.map((e) => `${e.startedDateTime} ${e.response.status} ${e.request.url.slice(0, 90)} h=${e.request.headers.map((h) => h.name).join(',')}`).join('\n'));
  }
  await cdp.detach().catch(() => {});
  await page.close();
  return { findings: key(fs), responses };
}

describe('a worker stop at any hop changes nothing', () => {
  for (const name of ['coat', 'mixup', 'implicit'] as const) {
    it(`${name}: the same findings with the worker stopped at each document response`, async () => {
      await play(name); // warm-up: the AS remembers the login afterwards, so every run below has the same hops
      const base = await play(name);
      for (const id of SCENARIOS[name].expect) expect(base.findings.join(' '), 'baseline').toContain(`${id}:`);
      expect(base.responses.length, base.responses.join(' → ')).toBeGreaterThanOrEqual(3);
      const differ: string[] = [];
      for (let k = 0; k < base.responses.length; k++) {
        const r = await play(name, k);
        if (r.findings.join(' ') === base.findings.join(' ')) continue;
        // A stop point that differs is played once more. About one run of this file in ten
        // differed at one stop point (2026-12-04/05, never on demand). The one caught with
        // DEBUG_STOP (mix-up, stopped at the held 302 of /login/attacker) had the tab's log without
        // that request at all: its onHeadersReceived and onBeforeRedirect, the events that started
        // the new worker, reached no handler (the assembler builds an observation from either
        // alone), while every later request's did. Chromium dropped them on the way into the
        // starting worker, which no extension gets back. What this test is for, state lost between
        // two events, differs every time.
        const again = await play(name, k);
        const first = `stopped at ${base.responses[k]}: ${r.findings.join(', ')}`;
        if (again.findings.join(' ') !== base.findings.join(' ')) differ.push(`${first}; again: ${again.findings.join(', ')} (without a stop: ${base.findings.join(', ')})`);
        else console.warn(`worker-stop: ${first} once; the second run gave the findings without a stop`);
      }
      expect(differ).toEqual([]);
    }, 180_000);
  }
});
