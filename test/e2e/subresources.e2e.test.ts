/**
 * The listeners on scripts and images (#10.3, src/background/registrations.ts: only
 * onBeforeSendHeaders and onCompleted for them, no onBeforeRequest) still observe them: a token in
 * the query of a script and of an image raises token-in-url-query in the tab, with each of them as
 * evidence; the ordinary page of the page-load benchmark (60 subresources, no OAuth) raises nothing
 * of medium or above.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFindings, launchChromium, openExtensionPage, tabIdFor } from '../../lab/chromium.mjs';
import { CHROME_DIST, popupPath } from '../../lab/extension.mjs';
import { startLab, type Lab } from '../../lab/index.mjs';

type F = { ruleId: string; severity: string; evidence?: { url?: string }[] };

let lab: Lab;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let context: BrowserContext;
let ext: Page;

beforeAll(async () => {
  lab = await startLab();
  browser = await launchChromium({ extensionDir: CHROME_DIST });
  context = browser.context;
  ext = await openExtensionPage(context, browser.extensionId!, popupPath(CHROME_DIST));
});
afterAll(async () => {
  await browser?.close();
  await lab?.close();
});

async function load(url: string): Promise<number> {
  const page = await context.newPage();
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForSelector('#result[data-outcome="loaded"]', { state: 'attached' });
  const id = await tabIdFor(ext, url);
  expect(id, `tab id of ${url}`).toBeTypeOf('number');
  return id!;
}

describe('scripts and images through their two listeners (Chromium)', () => {
  it('a token in the query of a script and of an image: token-in-url-query for each', async () => {
    const tabId = await load(`${lab.ordinary.origin}/leaky`);
    const kinds = (fs: F[]) => ['/js/lib-1.js', '/img/photo-1.png'].filter((p) => fs.some((f) => f.ruleId === 'token-in-url-query' && (f.evidence ?? []).some((e) => e.url?.includes(p))));
    let fs: F[] = [];
    const t0 = Date.now();
    do {
      fs = (await getFindings(ext, tabId)) as F[];
      if (kinds(fs).length === 2) break;
      await new Promise((r) => setTimeout(r, 150));
    } while (Date.now() - t0 < 8000);
    expect(kinds(fs), JSON.stringify(fs.map((f) => [f.ruleId, f.evidence?.map((e) => e.url)]))).toEqual(['/js/lib-1.js', '/img/photo-1.png']);
  });

  it('the ordinary page (60 subresources, no OAuth): nothing at medium or above', async () => {
    const tabId = await load(lab.ordinary.url);
    await new Promise((r) => setTimeout(r, 1000));
    const fs = (await getFindings(ext, tabId)) as F[];
    expect(fs.filter((f) => ['critical', 'high', 'medium'].includes(f.severity)).map((f) => f.ruleId)).toEqual([]);
  });
});
