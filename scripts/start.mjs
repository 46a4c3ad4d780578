#!/usr/bin/env node
// npm start: the live attack lab, played in real headless Chromium with the built extension.
// 1. builds the extension if dist/chrome is missing; 2. starts the lab (lab/index.mjs) on 127.0.0.1;
// 3. launches /usr/bin/chromium with dist/chrome loaded; 4. plays a COAT attack and a clean
// connection; 5. prints what the extension found in each tab; 6. saves a screenshot of the popup
// for the attacked tab to lab-output/popup.png (git-ignored). `npm start -- --serve` keeps the lab
// running afterwards and prints its URLs (map *.example to 127.0.0.1 in your own browser).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBrowsers } from './browsers.mjs';
import { getFindings, launchChromium, openExtensionPage, playScenario, tabIdFor } from '../lab/chromium.mjs';
import { CHROME_DIST, ROOT, popupPath } from '../lab/extension.mjs';

const serve = process.argv.includes('--serve');
const OUT = join(ROOT, 'lab-output');
const RANK = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };

if (!ensureBrowsers(['chromium'])) process.exit(1);
if (!existsSync(join(CHROME_DIST, 'manifest.json'))) {
  console.log('dist/chrome is missing: building (node scripts/build.mjs) …');
  const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0 || !existsSync(join(CHROME_DIST, 'manifest.json'))) {
    console.error('the build did not produce dist/chrome/manifest.json');
    process.exit(1);
  }
}

// imported after the checks: oidc-provider prints a runtime notice when it loads
const { SCENARIOS, startLab } = await import('../lab/index.mjs');
const lab = await startLab();
console.log(`lab on https://127.0.0.1:${lab.port} — ${Object.values(lab.origins).join(', ')}`);
let browser;
let code = 0;
try {
  browser = await launchChromium({ extensionDir: CHROME_DIST });
  const { context, extensionId } = browser;
  console.log(`Chromium ${context.browser()?.version() ?? ''} with CoatCheck ${extensionId} (ready after ${browser.readyMs} ms)`);
  const ext = await openExtensionPage(context, /** @type {string} */ (extensionId), popupPath(CHROME_DIST));
  /** @type {Record<string, number>} */
  const tabs = {};
  for (const name of /** @type {const} */ (['coat', 'clean'])) {
    const url = lab.scenarioUrl(name);
    const page = await playScenario(context, url);
    const tabId = await tabIdFor(ext, page.url().split('#')[0]);
    if (tabId === undefined) throw new Error(`no tab id for ${page.url()}`);
    tabs[name] = tabId;
    const want = SCENARIOS[name].expect;
    let findings = [];
    const t0 = Date.now();
    do {
      findings = await getFindings(ext, tabId);
      if (want.length && want.every((id) => findings.some((f) => f.ruleId === id))) break;
      await new Promise((r) => setTimeout(r, 150));
    } while (Date.now() - t0 < (want.length ? 8000 : 1500));
    findings.sort((a, b) => (RANK[a.severity] ?? 9) - (RANK[b.severity] ?? 9));
    const outcome = await page.getAttribute('#result', 'data-outcome');
    console.log(`\n== ${name}: ${url}\n   ended at ${new URL(page.url()).pathname} (${outcome}); ${findings.length} finding(s) in tab ${tabId}`);
    for (const f of findings) console.log(`   ${String(f.severity).padEnd(8)} ${String(f.ruleId).padEnd(28)} ${f.message ?? ''}`);
    const missing = want.filter((id) => !findings.some((f) => f.ruleId === id));
    if (missing.length) {
      console.log(`   expected but not found: ${missing.join(', ')}`);
      code = 1;
    }
    if (SCENARIOS[name].quiet && findings.some((f) => (RANK[f.severity] ?? 9) <= 2)) {
      console.log('   expected nothing at medium or above');
      code = 1;
    }
  }
  mkdirSync(OUT, { recursive: true });
  const popup = await openExtensionPage(context, /** @type {string} */ (extensionId), `${popupPath(CHROME_DIST)}?tab=${tabs.coat}`);
  await popup.setViewportSize({ width: 420, height: 640 });
  await popup.waitForSelector('[data-rule-id]', { timeout: 5000 }).catch(() => {});
  await popup.screenshot({ path: join(OUT, 'popup.png'), fullPage: true });
  console.log(`\npopup for the attacked tab: ${join(OUT, 'popup.png')}`);
  const stolen = lab.attacker.stolen.length;
  console.log(`the vulnerable platform handed ${stolen} honest code(s) to the attacker's token endpoint`);
} catch (e) {
  console.error(`npm start failed: ${/** @type {any} */ (e)?.message ?? e}`);
  code = 1;
} finally {
  await browser?.close();
}
if (serve) {
  console.log('\nThe lab keeps running (Ctrl-C to stop). Start pages:');
  for (const n of Object.keys(SCENARIOS)) console.log(`  ${n.padEnd(9)} ${lab.scenarioUrl(/** @type {any} */ (n))}`);
  console.log(`Chromium: --host-resolver-rules="MAP *.example 127.0.0.1" --ignore-certificate-errors`);
} else {
  await lab.close();
  process.exit(code);
}
