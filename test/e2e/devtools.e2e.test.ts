/**
 * The DevTools panel in real Chromium, as an extension page (DevTools itself cannot be driven
 * headless): a real oidc-provider flow run by an SPA that exchanges its code from the page
 * (test/lab/spa), recorded as a HAR, then opened in the panel's `?har=` mode and through Import HAR.
 * Checks: the flow timeline, the decoded ID token, the signature verified against the lab AS's
 * JWKS, a loud audience warning for a crafted client_id mismatch, redaction until revealed,
 * keyboard navigation, the dark theme; with the product build, `?tab=` reads the background.
 *
 * Uses the product build (dist/chrome) when it contains the panel; otherwise a panel-only test
 * extension built here from src/devtools (the `?tab=` test is then skipped: it needs the background).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, chromiumArgs, launchChromium, tabIdFor, waitForExtensionReady } from '../../lab/chromium.mjs';
import { CHROME_DIST, readManifest } from '../../lab/extension.mjs';
import { startSpaLab, SPA_CLIENT_ID } from '../lab/spa/server.mjs';
import { analyseHar, wantsBody } from '../../src/devtools/model/capture';

const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const PANEL = 'src/devtools/panel.html';
let work: string;
let extDir: string;
let product = false;
let harPath: string;
let lab: Awaited<ReturnType<typeof startSpaLab>>;
let recordedTabId: number | undefined;
let tabMode: { kinds: (string | null)[]; status: string } | undefined;
let standIn: { requestId: string } | undefined;
let idToken: string;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let context: BrowserContext;
let extId: string;

async function buildPanelExtension(dir: string): Promise<void> {
  const { build } = await import('vite');
  const preact = (await import('@preact/preset-vite')).default;
  await build({
    configFile: false,
    root: ROOT,
    base: './',
    logLevel: 'warn',
    plugins: [preact()],
    build: { outDir: dir, emptyOutDir: true, rollupOptions: { input: { panel: join(ROOT, PANEL), devtools: join(ROOT, 'src/devtools/devtools.html') } } },
  });
  writeFileSync(join(dir, 'background.js'), 'globalThis.__coatcheckReady = true;\n');
  writeFileSync(
    join(dir, 'manifest.json'),
    JSON.stringify({ manifest_version: 3, name: 'CoatCheck panel test', version: '0.0.1', devtools_page: 'src/devtools/devtools.html', background: { service_worker: 'background.js' } }),
  );
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'coatcheck-devtools-e2e-'));
  harPath = join(work, 'spa.har');
  product = existsSync(join(CHROME_DIST, PANEL)) && readManifest(CHROME_DIST)?.devtools_page !== undefined;
  extDir = product ? CHROME_DIST : join(work, 'ext');
  if (!product) await buildPanelExtension(extDir);
  lab = await startSpaLab({ files: { '/capture.har': { type: 'application/json', body: () => readFileSync(harPath) } } });

  // 1. the SPA flow in Chromium with the extension, recorded as a HAR with bodies
  const { chromium } = await import('playwright-core');
  const udd = join(work, 'udd-record');
  const rec = await chromium.launchPersistentContext(udd, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: chromiumArgs(extDir),
    recordHar: { path: harPath, content: 'embed' },
  });
  try {
    // the background must have finished its start-up before the flow, or it misses the first hops
    const recWorker = rec.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://')) ?? (await rec.waitForEvent('serviceworker', { timeout: 15000 }));
    await waitForExtensionReady(recWorker);
    const page = await rec.newPage();
    await page.goto(`${lab.spa}/?auto=1`);
    await page.waitForSelector('#result[data-outcome=connected], #result[data-outcome=error]', { timeout: 30000 });
    expect(await page.textContent('#out')).toBe('signed in as alice');
    expect(await page.getAttribute('#result', 'data-outcome')).toBe('connected');
    if (product) {
      const id = new URL(recWorker.url()).host;
      if (id) {
        const ext = await rec.newPage();
        await ext.goto(`chrome-extension://${id}/${PANEL}?tab=0`);
        recordedTabId = await tabIdFor(ext, `${lab.spa}/cb`);
        // the ?tab= view of the live background, while the context is still open
        await ext.goto(`chrome-extension://${id}/${PANEL}?tab=${recordedTabId}`);
        await ext.waitForSelector('[data-testid=timeline-step][data-kind=authorization-response]', { timeout: 10000 }).catch(() => undefined);
        tabMode = {
          kinds: await ext.$$eval('[data-testid=timeline-step]', (els) => els.map((e) => e.getAttribute('data-kind'))),
          status: (await ext.textContent('[data-testid=source-status]')) ?? '',
        };
        await ext.screenshot({ path: '/tmp/coatcheck-devtools-tab-mode.png', fullPage: true });
      }
    }
  } finally {
    await rec.close(); // writes the HAR
  }
  const har = JSON.parse(readFileSync(harPath, 'utf8'));
  const tokenEntry = har.log.entries.find((e: { request: { url: string; method: string } }) => e.request.method === 'POST' && e.request.url.endsWith('/token'));
  idToken = JSON.parse(tokenEntry.response.content.text).id_token;

  if (!product) {
    // a stand-in background for the panel-only extension: answers getFindings/getFlows for tab 77
    // with the flows of the recorded capture (as the background would hold them: redacted, with
    // webRequest ids) and one finding pointing at the callback by request id
    const r = analyseHar(readFileSync(harPath, 'utf8'));
    if ('error' in r) throw new Error(r.error);
    const flows = JSON.parse(JSON.stringify(r.capture.flows()));
    for (const f of flows) for (const st of f.steps) st.ref = { requestId: `rq-${st.obsId}` };
    const cbStep = flows[0].steps.find((x: { kind: string }) => x.kind === 'authorization-response');
    standIn = { requestId: cbStep.ref.requestId };
    const finding = { ruleId: 'state-weak', severity: 'medium', confidence: 'heuristic', title: 'Guessable state', message: 'stand-in finding for the callback', references: ['RFC 6749 §10.12'], flowId: flows[0].id, evidence: [{ requestId: cbStep.ref.requestId, url: 'elsewhere', param: 'state' }], context: 'tab:77', time: cbStep.time };
    writeFileSync(
      join(extDir, 'background.js'),
      `const FLOWS = ${JSON.stringify(flows)};
const FINDINGS = ${JSON.stringify([finding])};
chrome.runtime.onMessage.addListener((m, _s, send) => {
  if (m?.type === 'getFindings') send({ findings: m.tabId === 77 ? FINDINGS : [] });
  else if (m?.type === 'getFlows') send({ flows: m.tabId === 77 ? FLOWS : [] });
});
globalThis.__coatcheckReady = true;
`,
    );
  }

  // 2. a fresh browser with the extension for the panel
  browser = await launchChromium({ extensionDir: extDir });
  context = browser.context;
  extId = browser.extensionId!;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await lab?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function openPanel(query: string): Promise<Page> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`chrome-extension://${extId}/${PANEL}${query}`);
  (page as Page & { errors?: string[] }).errors = errors;
  return page;
}

describe('DevTools panel (?har= mode) on a real oidc-provider SPA flow', () => {
  let page: Page;
  beforeAll(async () => {
    page = await openPanel(`?har=${encodeURIComponent(`${lab.spa}/capture.har`)}`);
    await page.waitForSelector('[data-testid=timeline-step][data-kind=token-request]', { timeout: 15000 });
  });

  it('shows the flow as a timeline: authorization request, callback, token exchange; metadata and JWKS beside it', async () => {
    const kinds = await page.$$eval('[data-testid=flow]:first-of-type [data-testid=timeline-step]', (els) => els.map((e) => e.getAttribute('data-kind')));
    expect(kinds).toEqual(['authorization-request', 'authorization-response', 'token-request']);
    const other = await page.$$eval('[data-testid=timeline-step][data-kind=metadata], [data-testid=timeline-step][data-kind=jwks]', (els) => els.length);
    expect(other).toBeGreaterThanOrEqual(2);
    expect(await page.textContent('[data-testid=flow]')).toContain(SPA_CLIENT_ID);
  });

  it('decodes parameters, redacts secrets until revealed, and is keyboard navigable', async () => {
    const first = page.locator('[data-testid=timeline-step] .step-row').first();
    await first.focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    const focused = await page.evaluate(() => document.activeElement?.closest('[data-testid=timeline-step]')?.getAttribute('data-kind'));
    expect(focused).toBe('token-request');
    await page.keyboard.press('Enter');
    const row = page.locator('[data-testid=timeline-step][data-kind=token-request]');
    await row.locator('table.params').waitFor();
    const idRow = row.locator('tr', { has: page.locator('th', { hasText: /^id_token$/ }) });
    const shown = await idRow.locator('[data-testid=secret-value]').textContent();
    expect(shown).toMatch(/^eyJh…#[0-9a-f]{8}$/);
    expect(await page.content()).not.toContain(idToken);
    await idRow.getByRole('button', { name: 'Reveal' }).click();
    expect(await idRow.locator('[data-testid=secret-value]').textContent()).toBe(idToken);
    await idRow.getByRole('button', { name: 'Hide' }).click();
  });

  it('shows the decoded ID token and verifies its signature against the lab AS JWKS on click', async () => {
    await page.click('#tab-tokens');
    const card = page.locator('[data-testid=token-card]', { hasText: 'ID token' }).first();
    await card.waitFor();
    expect(await card.locator('tr[data-claim=aud] td').textContent()).toContain(SPA_CLIENT_ID);
    expect(await card.locator('tr[data-claim=iss] td').textContent()).toBe(lab.issuer);
    expect(await card.locator('tr[data-claim=sub] td').textContent()).toBe('alice');
    expect(await card.locator('tr[data-claim=exp] .human').textContent()).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(in \d+ min/);
    expect(await card.locator('[data-testid=lifetime]').textContent()).toMatch(/left of 10 min$/);
    expect(await card.locator('[data-testid=verify-result]').count()).toBe(0); // nothing before the click
    expect(await card.locator('[data-testid=warning]').count()).toBe(0);
    await card.locator('[data-testid=verify-btn]').click();
    const result = card.locator('[data-testid=verify-result]');
    await result.waitFor();
    expect(await result.getAttribute('data-verified')).toBe('true');
    expect(await result.textContent()).toContain('kid spa-lab-rs256');
    expect(await result.textContent()).toContain(`${lab.issuer}/jwks`);
  });

  it('warns loudly about a crafted audience mismatch, and verifies a pasted token by fetching the JWKS', async () => {
    await page.click('#tab-tools');
    await page.fill('[data-testid=paste-input]', idToken);
    await page.fill('[data-testid=paste-client-id]', 'another-client');
    const card = page.locator('[data-testid=token-card]');
    const warn = card.locator('[data-testid=warning][data-rule=id-token-aud-mismatch]');
    await warn.waitFor();
    expect(await warn.textContent()).toContain(`aud "${SPA_CLIENT_ID}" does not contain the client_id "another-client": it was issued to another client`);
    expect(await warn.getAttribute('role')).toBe('alert');
    await page.fill('[data-testid=paste-client-id]', SPA_CLIENT_ID);
    expect(await card.locator('[data-testid=warning]').count()).toBe(0);
    await card.locator('[data-testid=verify-btn]').click();
    await card.locator('[data-testid=verify-result]').waitFor();
    expect(await card.locator('[data-testid=verify-result]').getAttribute('data-verified')).toBe('true');
    // a forged payload under the same signature fails
    const [h, p, s] = idToken.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), sub: 'mallory' })).toString('base64url')}.${s}`;
    await page.fill('[data-testid=paste-input]', forged);
    await card.locator('[data-testid=verify-btn]').click();
    await card.locator('[data-testid=verify-result]').waitFor();
    expect(await card.locator('[data-testid=verify-result]').getAttribute('data-verified')).toBe('false');
    // PKCE checker
    await page.fill('[data-testid=pkce-verifier]', 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');
    await page.fill('[data-testid=pkce-challenge]', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
    expect(await page.textContent('[data-testid=pkce-result]')).toContain('The verifier matches the challenge.');
    await page.fill('[data-testid=paste-input]', idToken);
    await page.fill('[data-testid=paste-client-id]', 'another-client');
    await warn.waitFor();
    await page.screenshot({ path: '/tmp/coatcheck-devtools-paste.png', fullPage: true });
    expect((page as Page & { errors?: string[] }).errors).toEqual([]);
  });
});

describe('DevTools panel: import, theme, background mode', () => {
  it('imports a HAR file through the Import button, in the dark theme', async () => {
    const page = await openPanel('?theme=dark');
    // the panel applies the theme in an effect after its first render, which can come after the
    // page's load event that goto() waits for: wait for it (a panel that never applies it fails here)
    await page.waitForFunction(() => document.documentElement.dataset.theme !== undefined, null, { timeout: 10000 });
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.setInputFiles('[data-testid=import-har]', harPath);
    await page.waitForSelector('[data-testid=timeline-step][data-kind=token-request]');
    expect(await page.textContent('[data-testid=status]')).toMatch(/spa\.har: \d+ entries analysed/);
    await page.click('#tab-tokens');
    await page.locator('[data-testid=token-card]').first().waitFor();
    await page.locator('[data-testid=verify-btn]').first().click();
    await page.locator('[data-testid=verify-result][data-verified=true]').waitFor();
    await page.screenshot({ path: '/tmp/coatcheck-devtools-panel.png', fullPage: true });
    // exports download as files
    const read = async (button: string) => {
      const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()]);
      const p = await dl.path();
      return { name: dl.suggestedFilename(), text: readFileSync(p!, 'utf8') };
    };
    const json = await read('Export JSON');
    expect(json.name).toMatch(/^coatcheck-.*\.json$/);
    const report = JSON.parse(json.text);
    expect(report.version).toBe(1);
    expect(report.flows[0].clientId).toBe(SPA_CLIENT_ID);
    expect(json.text).not.toContain(idToken);
    const sarif = JSON.parse((await read('Export SARIF')).text);
    expect(sarif.version).toBe('2.1.0');
    const harOut = JSON.parse((await read('Export HAR')).text);
    expect(harOut.log.entries.length).toBe(JSON.parse(readFileSync(harPath, 'utf8')).log.entries.length);
  });

  it('live mode: entries arriving through chrome.devtools.network (bodies via getContent) feed the panel engine', async () => {
    // DevTools cannot be driven headless; stand in for its API with the recorded entries, bodies
    // held back until the panel asks for them the way DevTools hands them out
    const har = JSON.parse(readFileSync(harPath, 'utf8'));
    const entries = har.log.entries.map((e: { response: { content: { text?: string } } }) => {
      const body = e.response.content.text ?? null;
      return { entry: { ...e, response: { ...e.response, content: { ...e.response.content, text: undefined } } }, body };
    });
    const page = await context.newPage();
    await page.addInitScript(() => {
      const listeners: ((r: unknown) => void)[] = [];
      const g = globalThis as unknown as { chrome: Record<string, unknown>; __fire(e: unknown, body: string | null): void; __asked: number };
      g.__asked = 0;
      g.chrome.devtools = {
        inspectedWindow: { tabId: 4242 },
        panels: { themeName: 'dark' },
        network: {
          onRequestFinished: { addListener: (l: (r: unknown) => void) => listeners.push(l), removeListener: () => {} },
          getHAR: (cb: (h: { entries: unknown[] }) => void) => cb({ entries: [] }),
        },
      };
      g.__fire = (e, body) => {
        const req = { ...(e as object), getContent: (cb: (b: string | null, enc: string) => void) => { g.__asked++; setTimeout(() => cb(body, ''), 0); } };
        for (const l of listeners) l(req);
      };
    });
    await page.goto(`chrome-extension://${extId}/${PANEL}`);
    await page.waitForSelector('[data-testid=source-status]');
    expect(await page.textContent('[data-testid=source-status]')).toContain('tab 4242');
    await page.waitForFunction(() => document.documentElement.dataset.theme !== undefined, null, { timeout: 10000 });
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    for (const { entry, body } of entries) await page.evaluate(([e, b]) => (globalThis as unknown as { __fire(e: unknown, b: unknown): void }).__fire(e, b), [entry, body] as const);
    await page.waitForSelector('[data-testid=timeline-step][data-kind=token-request]');
    // bodies are asked for JSON replies only (token, metadata, JWKS), not for pages and scripts
    const wanted = entries.filter((x: { entry: unknown }) => wantsBody(x.entry)).length;
    expect(wanted).toBeGreaterThanOrEqual(3);
    expect(wanted).toBeLessThan(entries.length);
    expect(await page.evaluate(() => (globalThis as unknown as { __asked: number }).__asked)).toBe(wanted);
    await page.click('#tab-tokens');
    const card = page.locator('[data-testid=token-card]', { hasText: 'ID token' }).first();
    await card.waitFor();
    expect(await card.locator('tr[data-claim=aud] td').textContent()).toContain(SPA_CLIENT_ID);
  });

  it('?tab= with the stand-in background: flows and findings from getFlows/getFindings, the finding on its step', async (ctx) => {
    if (product || !standIn) {
      ctx.skip();
      return;
    }
    const page = await openPanel('?tab=77');
    await page.waitForSelector('[data-testid=timeline-step][data-kind=authorization-response]');
    expect(await page.textContent('[data-testid=source-status]')).toContain('tab 77 (background)');
    const kinds = await page.$$eval('[data-testid=timeline-step]', (els) => els.map((e) => e.getAttribute('data-kind')));
    expect(kinds).toEqual(['authorization-request', 'authorization-response', 'token-request']);
    const cb = page.locator('[data-testid=timeline-step][data-kind=authorization-response]');
    expect(await cb.locator('.step-row .sev').textContent()).toBe('1 medium');
    await cb.locator('.step-row').click();
    expect(await cb.locator('[data-testid=finding][data-rule=state-weak]').textContent()).toContain('stand-in finding for the callback');
    // values from the background arrive redacted and stay so (no Reveal for them)
    const stateRow = cb.locator('tr', { has: page.locator('th', { hasText: /^state$/ }) });
    expect(await stateRow.locator('[data-testid=secret-value]').textContent()).toMatch(/…#[0-9a-f]{8}$/);
    expect(await stateRow.getByRole('button', { name: 'Reveal' }).count()).toBe(0);
    await page.click('#tab-findings');
    expect(await page.locator('[data-testid=finding]').count()).toBe(1);
  });

  it('?tab= reads the flows the background saw for the tab', async (ctx) => {
    if (!product || recordedTabId === undefined) {
      ctx.skip();
      return;
    }
    // read while the recording browser was open (the background's state lives there)
    expect(tabMode?.status).toContain(`tab ${recordedTabId} (background)`);
    expect(tabMode?.kinds).toContain('authorization-request');
    expect(tabMode?.kinds).toContain('authorization-response');
  });
});

describe('DevTools panel in Firefox', () => {
  it('renders the recorded flow offline (?har=), decodes the ID token and verifies it against the JWKS', async (ctx) => {
    const { FIREFOX_PATH, addonIdOf, launchFirefox } = await import('../lab/firefox.mjs');
    if (!existsSync(FIREFOX_PATH)) {
      ctx.skip(`no Firefox at ${FIREFOX_PATH} (apt-get install -y firefox-esr)`);
      return;
    }
    // the product's Firefox build when it has the panel, else the same panel build with a
    // Firefox manifest (background scripts, gecko id)
    const { FIREFOX_DIST } = await import('../../lab/extension.mjs');
    let ffExt = join(work, 'ff-panel-ext');
    if (product && existsSync(join(FIREFOX_DIST, PANEL))) ffExt = FIREFOX_DIST;
    else {
      const { cpSync } = await import('node:fs');
      cpSync(extDir, ffExt, { recursive: true, filter: (src) => !src.endsWith('manifest.json') });
      writeFileSync(join(ffExt, 'background.js'), 'globalThis.__coatcheckReady = true;\n');
      writeFileSync(
        join(ffExt, 'manifest.json'),
        JSON.stringify({ manifest_version: 3, name: 'CoatCheck panel test', version: '0.0.1', devtools_page: 'src/devtools/devtools.html', background: { scripts: ['background.js'] }, browser_specific_settings: { gecko: { id: 'panel-test@coatcheck.dev', strict_min_version: '128.0' } } }),
      );
    }
    // the add-on's moz-extension UUID is fixed in the profile; the panel opens by a plain navigation
    const ff = await launchFirefox({ extensions: [ffExt] });
    try {
      const base = ff.extensionBase(addonIdOf(ffExt));
      const tab = await ff.openExtensionPage(`${base}${PANEL}?har=${encodeURIComponent(`${lab.spa}/capture.har`)}`);
      const poll = async (expr: string, ms = 10000) => {
        const t0 = Date.now();
        for (;;) {
          const v = await ff.evaluate(tab, expr).catch(() => null);
          if (v) return v;
          if (Date.now() - t0 > ms) return v;
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      const kinds = await poll(`(() => { const k = [...(document.querySelector('[data-testid=flow]')?.querySelectorAll('[data-testid=timeline-step]') ?? [])].map((e) => e.dataset.kind); return k.includes('token-request') ? k.join(',') : null; })()`);
      expect(kinds).toBe('authorization-request,authorization-response,token-request');
      await ff.evaluate(tab, `document.getElementById('tab-tokens').click(), true`);
      const aud = await poll(`document.querySelector('[data-testid=token-card] tr[data-claim=aud] td')?.textContent ?? null`);
      expect(aud).toBe(SPA_CLIENT_ID);
      await ff.evaluate(tab, `document.querySelector('[data-testid=verify-btn]').click(), true`);
      const verified = await poll(`document.querySelector('[data-testid=verify-result]')?.dataset.verified ?? null`);
      expect(verified).toBe('true');
      expect(await ff.evaluate(tab, `document.querySelector('[data-testid=verify-result]').textContent`)).toContain('kid spa-lab-rs256');
    } finally {
      await ff.close();
    }
  });
});
