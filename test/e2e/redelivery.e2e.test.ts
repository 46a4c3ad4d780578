/**
 * Live, in the built Chrome extension against the lab (#8.1, #8.2):
 * - a code re-delivered by a link on a third-party site (the identical callback URL, same code and
 *   state, seconds after the AS delivered it) raises code-replay (high);
 * - the same callback reloaded, then back and forward: nothing at medium or above;
 * - an implicit-grant response (tokens only in the fragment of the AS's Location and the committed
 *   URL) is reported once, not once per source.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFindings, launchChromium, openExtensionPage, playScenario, tabIdFor } from '../../lab/chromium.mjs';
import { CHROME_DIST, popupPath } from '../../lab/extension.mjs';
import { startLab, type Lab } from '../../lab/index.mjs';

type F = { ruleId: string; severity: string };
const MEDIUM_UP = new Set(['critical', 'high', 'medium']);

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

const brief = (fs: F[]) => fs.map((f) => `${f.ruleId}:${f.severity}`).join(', ');

async function tabOf(page: Page): Promise<number> {
  const id = await tabIdFor(ext, page.url().split('#')[0]);
  expect(id, `tab id of ${page.url()}`).toBeTypeOf('number');
  return id!;
}

/** getFindings until `done` holds or the time is up */
async function findingsUntil(tabId: number, done: (fs: F[]) => boolean, ms = 8000): Promise<F[]> {
  const t0 = Date.now();
  let fs: F[] = [];
  do {
    fs = (await getFindings(ext, tabId)) as F[];
    if (done(fs)) return fs;
    await new Promise((r) => setTimeout(r, 150));
  } while (Date.now() - t0 < ms);
  return fs;
}

async function flowsIn(tabId: number): Promise<number> {
  const r = (await ext.evaluate((id) => chrome.runtime.sendMessage({ type: 'getFlows', tabId: id }), tabId)) as { flows?: unknown[] };
  return r?.flows?.length ?? 0;
}

describe('re-delivery, reloads and fragments, live in Chromium', () => {
  it('a link on a third-party site to the same callback URL (same code, same state): code-replay, high', async () => {
    const page = await playScenario(context, lab.scenarioUrl('clean'));
    const callback = page.url();
    expect(callback).toMatch(/\/cb\/honest\?code=/);
    const tabId = await tabOf(page);
    expect(await flowsIn(tabId)).toBeGreaterThan(0);
    await page.waitForTimeout(3000);
    await page.goto(`https://attacker-as.example:${lab.port}/link?to=${encodeURIComponent(callback)}`, { waitUntil: 'load' });
    await page.click('#go');
    await page.waitForURL(callback);
    const fs = await findingsUntil(tabId, (x) => x.some((f) => f.ruleId === 'code-replay'));
    const replay = fs.filter((f) => f.ruleId === 'code-replay');
    expect(replay.map((f) => f.severity), brief(fs)).toEqual(['high']);
    await page.close();
  });

  it('the callback reloaded, then back and forward: nothing at medium or above', async () => {
    // from the platform's index (a Referer, as a user's click has): the flow, then reload, back, forward
    const p = await context.newPage();
    await p.goto(`https://platform.example:${lab.port}/`, { waitUntil: 'load' });
    await p.click('#clean');
    await p.waitForSelector('#result[data-outcome]', { state: 'attached' });
    const tabId = await tabOf(p);
    expect(await flowsIn(tabId)).toBeGreaterThan(0);
    await p.reload({ waitUntil: 'load' });
    await p.goBack({ waitUntil: 'load' });
    await p.goForward({ waitUntil: 'load' });
    await p.waitForTimeout(1500);
    const fs = (await getFindings(ext, tabId)) as F[];
    expect(fs.filter((f) => MEDIUM_UP.has(f.severity)), brief(fs)).toEqual([]);
    await p.close();
  });

  it('implicit: the fragment response is reported once (token-in-fragment, implicit-grant)', async () => {
    const page = await playScenario(context, lab.scenarioUrl('implicit'));
    const tabId = await tabOf(page);
    const fs = await findingsUntil(tabId, (x) => x.some((f) => f.ruleId === 'token-in-fragment') && x.some((f) => f.ruleId === 'implicit-grant'));
    await page.waitForTimeout(1000);
    const all = (await getFindings(ext, tabId)) as F[];
    expect(all.filter((f) => f.ruleId === 'token-in-fragment'), brief(fs)).toHaveLength(1);
    expect(all.filter((f) => MEDIUM_UP.has(f.severity)).map((f) => f.ruleId).sort(), brief(all)).toEqual(['implicit-grant', 'token-in-fragment']);
    await page.close();
  });
});
