/**
 * The built Firefox extension in real headless firefox-esr over WebDriver BiDi, against the lab:
 * the COAT attack raises the same rules as in Chromium; the clean connection stays quiet.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIREFOX_DIST, popupPath } from '../../lab/extension.mjs';
import { launchFirefox, type Firefox } from '../../lab/firefox.mjs';
import { SCENARIOS, startLab, type Lab, type ScenarioName } from '../../lab/index.mjs';

type F = { ruleId: string; severity: string };
let lab: Lab;
let ff: Firefox;
let ext: string;
let popupUrl: string;

beforeAll(async () => {
  lab = await startLab();
  ff = await launchFirefox();
  const addonId = await ff.installExtension(FIREFOX_DIST);
  const base = await ff.extensionBase(addonId);
  popupUrl = `${base}${popupPath(FIREFOX_DIST)}`;
  ext = await ff.openExtensionPage(popupUrl);
  // the background answers messages once its start-up is done
  const t0 = Date.now();
  for (;;) {
    const r = await ff.evaluate(ext, `browser.runtime.sendMessage({ type: 'getFindings' }).then((r) => Array.isArray(r?.findings), () => false)`).catch(() => false);
    if (r === true) break;
    if (Date.now() - t0 > 15000) throw new Error('the Firefox background never answered getFindings');
    await new Promise((res) => setTimeout(res, 100));
  }
});
afterAll(async () => {
  await ff?.close();
  await lab?.close();
});

async function run(name: ScenarioName): Promise<{ fs: F[]; tabId: number }> {
  const r = await ff.playScenario(lab.scenarioUrl(name));
  expect(r.outcome).toBe('connected');
  expect(new URL(r.url).pathname).toBe(SCENARIOS[name].endsAt);
  const prefix = r.url.split('?')[0].split('#')[0];
  const tabId = await ff.evaluate(ext, `browser.tabs.query({}).then((ts) => ts.filter((t) => (t.url || '').startsWith(${JSON.stringify(prefix)})).pop()?.id)`);
  expect(tabId).toBeTypeOf('number');
  const want = SCENARIOS[name].expect;
  const t0 = Date.now();
  let fs: F[] = [];
  do {
    fs = ((await ff.evaluate(ext, `browser.runtime.sendMessage({ type: 'getFindings', tabId: ${tabId} })`))?.findings ?? []) as F[];
    if (want.length > 0 && want.every((id) => fs.some((f) => f.ruleId === id))) break;
    await new Promise((res) => setTimeout(res, 150));
  } while (Date.now() - t0 < (want.length ? 8000 : 1500));
  if (SCENARIOS[name].quiet) {
    const flows = await ff.evaluate(ext, `browser.runtime.sendMessage({ type: 'getFlows', tabId: ${tabId} }).then((r) => r?.flows?.length ?? 0)`);
    expect(flows, `flows seen in the ${name} tab`).toBeGreaterThan(0);
  }
  return { fs, tabId };
}

const brief = (fs: F[]) => fs.map((f) => `${f.ruleId}:${f.severity}`).join(', ');

describe('Firefox + built extension + lab (WebDriver BiDi)', () => {
  it('COAT: coat-context-switch and callback-context-mismatch', async () => {
    const { fs, tabId } = await run('coat');
    const ids = fs.map((f) => f.ruleId);
    expect(ids, brief(fs)).toContain('coat-context-switch');
    expect(ids, brief(fs)).toContain('callback-context-mismatch');
    // the popup for that tab renders them
    const popup = await ff.openExtensionPage(`${popupUrl}?tab=${tabId}`);
    const t0 = Date.now();
    let shown: string[] = [];
    do {
      shown = await ff.evaluate(popup, `[...document.querySelectorAll('[data-rule-id]')].map((e) => e.getAttribute('data-rule-id'))`);
      if (shown.includes('coat-context-switch') && shown.includes('callback-context-mismatch')) break;
      await new Promise((res) => setTimeout(res, 100));
    } while (Date.now() - t0 < 5000);
    expect(shown).toContain('coat-context-switch');
    expect(shown).toContain('callback-context-mismatch');
  });

  it('clean flow: no finding at medium or above', async () => {
    const { fs } = await run('clean');
    expect(brief(fs.filter((f) => ['critical', 'high', 'medium'].includes(f.severity)))).toBe('');
  });
});
