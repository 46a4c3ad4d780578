/**
 * What the Chromium e2e files share: the lab and Chromium with the built extension for the file's
 * tests (`useExtensionLab`), or the built extension alone for a describe block (`useExtension`), a
 * browser that records HARs against a library lab (`useRecordingBrowser`, `recordFlow`, `scan`),
 * and polling the worker for a tab's findings and flows.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { CHROMIUM_PATH, chromiumArgs, getFindings, launchChromium, openExtensionPage, tabIdFor } from '../../lab/chromium.mjs';
import { CHROME_DIST, popupPath } from '../../lab/extension.mjs';
import { startLab, type Lab } from '../../lab/index.mjs';
import { Engine } from '../../src/core/engine';
import { feedHarEntries } from '../../src/core/observe/har-feed';

/** A finding as the worker answers getFindings (the fields the e2e tests read). */
export type F = { ruleId: string; severity: string; variant?: string; message?: string; references?: string[]; evidence?: { url?: string }[] };

export const MEDIUM_UP = new Set(['critical', 'high', 'medium']);

/** `rule:severity, …`: a findings list in an assertion's message */
export const brief = (fs: F[]) => fs.map((f) => `${f.ruleId}:${f.severity}`).join(', ');

export interface ExtensionLab {
  lab: Lab;
  browser: Awaited<ReturnType<typeof launchChromium>>;
  context: BrowserContext;
  extId: string;
  /** the extension's popup page: asks the worker (getFindings, getFlows, …) */
  ext: Page;
}

/**
 * The lab, and Chromium with the built extension, started before the file's tests and closed after
 * them. The fields are set once the file's beforeAll has run.
 */
export function useExtensionLab(opts: { quiet?: boolean } = {}): ExtensionLab {
  const env = {} as ExtensionLab;
  beforeAll(async () => {
    env.lab = await startLab(opts);
    env.browser = await launchChromium({ extensionDir: CHROME_DIST });
    env.context = env.browser.context;
    env.extId = env.browser.extensionId!;
    env.ext = await openExtensionPage(env.context, env.extId, popupPath(CHROME_DIST));
  });
  afterAll(async () => {
    await env.browser?.close();
    await env.lab?.close();
  });
  return env;
}

/**
 * A library lab and a plain Chromium (no extension) whose contexts record HARs into a temporary
 * folder, started before the file's tests and closed (the folder removed) after them.
 */
export function useRecordingBrowser<L extends { close(): Promise<void> }>(start: () => Promise<L>, prefix: string): { lab: L; browser: Browser; dir: string } {
  const env = { dir: mkdtempSync(join(tmpdir(), prefix)) } as { lab: L; browser: Browser; dir: string };
  beforeAll(async () => {
    env.lab = await start();
    env.browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: chromiumArgs() });
  });
  afterAll(async () => {
    await env.browser?.close();
    await env.lab?.close();
    rmSync(env.dir, { recursive: true, force: true });
  });
  return env;
}

/** Chromium with the built extension, for the tests of the describe block this is called in. */
export function useExtension(): { browser: Awaited<ReturnType<typeof launchChromium>>; popup: Page } {
  const env = {} as { browser: Awaited<ReturnType<typeof launchChromium>>; popup: Page };
  beforeAll(async () => {
    env.browser = await launchChromium({ extensionDir: CHROME_DIST });
    env.popup = await openExtensionPage(env.browser.context, env.browser.extensionId!, popupPath(CHROME_DIST));
  });
  afterAll(async () => {
    await env.browser?.close();
  });
  return env;
}

type HarEntry = { request: { url: string }; response: { content?: { mimeType?: string; text?: string } } };

/**
 * Play a page's flow in a fresh context of the recording browser, recording a HAR (Playwright
 * recordHar, as a user would export it: no fragment in any request.url); the page's outcome and the
 * HAR's entries. COATCHECK_SAVE_CAPTURES=<dir> keeps the recording as `<name>.har` there, with the
 * JavaScript bodies emptied when `stripScripts` (libraries' bundles: hundreds of KB).
 */
export async function recordFlow(rec: { browser: Browser; dir: string }, name: string, url: string, opts: { stripScripts?: boolean } = {}): Promise<{ outcome: string | null; entries: HarEntry[] }> {
  const path = join(rec.dir, `${name}.har`);
  const context = await rec.browser.newContext({ ignoreHTTPSErrors: true, recordHar: { path, content: 'embed' } });
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForSelector('#result[data-outcome]:not([data-outcome="pending"])', { state: 'attached', timeout: 20000 });
  const outcome = await page.getAttribute('#result', 'data-outcome');
  await page.waitForTimeout(300);
  await context.close();
  const har = JSON.parse(readFileSync(path, 'utf8')) as { log: { entries: HarEntry[] } };
  if (process.env.COATCHECK_SAVE_CAPTURES) {
    mkdirSync(process.env.COATCHECK_SAVE_CAPTURES, { recursive: true });
    const kept = JSON.parse(JSON.stringify(har)) as typeof har;
    if (opts.stripScripts) for (const x of kept.log.entries) if (/javascript/.test(x.response.content?.mimeType ?? '') && x.response.content?.text) x.response.content.text = '';
    writeFileSync(join(process.env.COATCHECK_SAVE_CAPTURES, `${name}.har`), `${JSON.stringify(kept, null, 1)}\n`);
  }
  return { outcome, entries: har.log.entries };
}

/** HAR entries through a fresh engine, as `coatcheck scan` reads a HAR. */
export function scan(entries: unknown[]): Engine {
  const engine = new Engine();
  feedHarEntries(entries, (o) => engine.push(o));
  engine.finish();
  return engine;
}

/** The rules an engine raised at medium or above, sorted. */
export const mediumIds = (e: Engine) => [...new Set(e.findings.filter((f) => MEDIUM_UP.has(f.severity)).map((f) => f.ruleId))].sort();

/** The tab id of the page (by its URL without fragment), asserted to exist. */
export async function tabOf(ext: Page, page: Page): Promise<number> {
  const url = page.url();
  const id = await tabIdFor(ext, url.split('#')[0]);
  expect(id, `tab id of ${url}`).toBeTypeOf('number');
  return id!;
}

/** getFindings for the tab until `done` holds (polled: the worker handles events asynchronously), or the last seen after `ms`. */
export async function findingsUntil(ext: Page, tabId: number, done: (fs: F[]) => boolean, ms = 8000): Promise<F[]> {
  const t0 = Date.now();
  let fs: F[] = [];
  do {
    fs = (await getFindings(ext, tabId)) as F[];
    if (done(fs)) return fs;
    await new Promise((r) => setTimeout(r, 150));
  } while (Date.now() - t0 < ms);
  return fs;
}

/** How many flows the worker holds for the tab. */
export async function flowsIn(ext: Page, tabId: number): Promise<number> {
  const r = (await ext.evaluate((id) => chrome.runtime.sendMessage({ type: 'getFlows', tabId: id }), tabId)) as { flows?: unknown[] };
  return r?.flows?.length ?? 0;
}
