/**
 * The subresource listeners after #10.3 step 2 (src/background/registrations.ts, tab-watch.ts):
 * scripts, images, stylesheets, fonts and media are listened to everywhere only when their URL may
 * carry a credential (match patterns on path + query), and all of them in a tab whose document's URL
 * carries a code, state or token (listeners filtered by tabId, registered again after a worker stop).
 * - a token in a stylesheet's query, in an image's under a percent-encoded name, in a srcset image's,
 *   an <object>'s, a WebSocket handshake's (wss:, its own match patterns) and a beacon's:
 *   token-in-url-query;
 * - on the lab's callback page (platform.example/cb/honest?code=…&state=…), a script from another
 *   site (referer-leak third-party-script, low) and an image sent a full-URL Referer
 *   (referrerpolicy="unsafe-url": referer-leak, high, the flow's code or state at cdn.example); on
 *   the implicit scenario's SPA callback (the token in the fragment), the third-party script;
 * - the same after the worker was stopped and started again while the callback tab was open (its
 *   listeners are restored from storage.session on start).
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { getFindings, playScenario, stopServiceWorker, tabIdFor } from '../../lab/chromium.mjs';
import { findingsUntil, useExtensionLab, type F } from './support';

const env = useExtensionLab({ quiet: true });
let cdn: string;
beforeAll(() => {
  cdn = env.lab.ordinary.origin.replace('news.example', 'cdn.example');
});

/** the tab's findings once `done` holds, or the last seen */
const findingsWhen = (tabId: number, done: (fs: F[]) => boolean) => findingsUntil(env.ext, tabId, done);

const show = (fs: F[]) => JSON.stringify(fs.map((f) => [f.ruleId, f.severity, f.variant, f.evidence?.map((e) => e.url?.replace(/\?.*/, '?…'))]));

describe('subresources by URL (Chromium)', () => {
  it('a token in a stylesheet URL, under an encoded name in an image URL, in a srcset image, an <object>, a WebSocket handshake (wss:) and a beacon: token-in-url-query', async () => {
    const page = await env.context.newPage();
    const url = `${env.lab.ordinary.origin}/leaky`;
    await page.goto(url, { waitUntil: 'load' });
    const tabId = (await tabIdFor(env.ext, url))!;
    const paths = ['/css/site-1.css', '/img/photo-2.png', '/img/photo-3.png', '/img/photo-4.png', '/socket', '/beacon'];
    const hit = (fs: F[]) => paths.filter((p) => fs.some((f) => f.ruleId === 'token-in-url-query' && (f.evidence ?? []).some((e) => e.url?.includes(p))));
    const fs = await findingsWhen(tabId, (x) => hit(x).length === paths.length);
    expect(hit(fs), show(fs)).toEqual(paths);
    await page.close();
  });
});

describe('subresources of a callback page (Chromium)', () => {
  /** the clean chain, ending on the platform's callback page with the code and state in its URL */
  async function callbackTab(): Promise<{ page: Page; tabId: number }> {
    const page = await playScenario(env.context, env.lab.scenarioUrl('clean'));
    expect(page.url()).toMatch(/\/cb\/honest\?.*code=/);
    const tabId = await tabIdFor(env.ext, page.url().slice(0, page.url().indexOf('?')));
    expect(tabId).toBeTypeOf('number');
    return { page, tabId: tabId! };
  }

  /** the callback page loads a script from cdn.example and an image that gets its full URL as Referer */
  async function loadThirdParty(page: Page, n: number): Promise<void> {
    await page.evaluate(async ({ cdn, n }) => {
      const load = (el: HTMLScriptElement | HTMLImageElement) => new Promise((r) => ((el.onload = r), (el.onerror = r)));
      const s = document.createElement('script');
      s.src = `${cdn}/js/lib-${n}.js`;
      const i = document.createElement('img');
      i.referrerPolicy = 'unsafe-url';
      i.src = `${cdn}/img/photo-${n}.png`;
      const done = Promise.all([load(s), load(i)]);
      document.head.append(s);
      document.body.append(i);
      await done;
    }, { cdn, n });
  }

  const leaks = (fs: F[]) => [...new Set(fs.filter((f) => f.ruleId === 'referer-leak').map((f) => `${f.severity}:${f.variant ?? 'referer'}`))].sort();
  const want = ['high:referer', 'low:third-party-script'];

  it('a third-party script and a full-URL Referer to a third party: referer-leak (both variants)', async () => {
    const { page, tabId } = await callbackTab();
    expect(leaks((await getFindings(env.ext, tabId)) as F[])).toEqual([]);
    await loadThirdParty(page, 3);
    const fs = await findingsWhen(tabId, (x) => leaks(x).length === want.length);
    expect(leaks(fs), show(fs)).toEqual(want);
    await page.close();
  });

  it('an implicit callback (the token in the fragment): a third-party script raises referer-leak third-party-script', async () => {
    const page = await playScenario(env.context, env.lab.scenarioUrl('implicit'));
    expect(page.url()).toMatch(/\/spa\/cb#.*access_token=/);
    const tabId = (await tabIdFor(env.ext, page.url().slice(0, page.url().indexOf('#'))))!;
    await loadThirdParty(page, 6);
    const third = (fs: F[]) => fs.some((f) => f.ruleId === 'referer-leak' && f.variant === 'third-party-script');
    const fs = await findingsWhen(tabId, third);
    expect(third(fs), show(fs)).toBe(true);
    await page.close();
  });

  it('after a worker stop and start, the callback tab is listened to again', async () => {
    const { page, tabId } = await callbackTab();
    // the events of the chain are handled before the stop (a message round trip queues behind them)
    await env.ext.evaluate(() => chrome.runtime.sendMessage({ type: 'ping' }));
    expect(await stopServiceWorker(env.context, env.browser.extensionId!)).toBe(true);
    // a message starts the worker again; it is answered once the start-up (with the restore) is done
    expect(await env.ext.evaluate(() => chrome.runtime.sendMessage({ type: 'ping' }))).toEqual({ ready: true });
    await loadThirdParty(page, 4);
    const fs = await findingsWhen(tabId, (x) => leaks(x).length === want.length);
    expect(leaks(fs), show(fs)).toEqual(want);
    await page.close();
  });

  it('the next document without a code in the tab is not listened to by tab any more (UNWATCH_DELAY_MS later)', async () => {
    const { page, tabId } = await callbackTab();
    const worker = env.context.serviceWorkers().filter((w) => w.url().startsWith(`chrome-extension://${env.browser.extensionId}/`)).pop();
    const watched = () => worker!.evaluate(() => (globalThis as { __coatcheckWatchedTabs?: () => number[] }).__coatcheckWatchedTabs?.());
    expect(await watched()).toContain(tabId);
    await page.goto(env.lab.ordinary.url, { waitUntil: 'load' });
    let now: number[] | undefined;
    const t0 = Date.now();
    do {
      now = await watched();
      if (!now?.includes(tabId)) break;
      await new Promise((r) => setTimeout(r, 250));
    } while (Date.now() - t0 < 8000);
    expect(now).toBeDefined();
    expect(now).not.toContain(tabId);
    await page.close();
  });
});
