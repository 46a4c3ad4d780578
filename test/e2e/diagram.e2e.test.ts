/**
 * Screenshot checks of the flow diagrams (issue #13) in real Chromium: the HTML report of
 * examples/coat-attack.har (light and dark, offline, under its CSP) and the DevTools panel with the
 * same capture imported (dark theme). Screenshots go to /tmp/coatcheck-diagram-*.png for a person to
 * look at; the assertions read the rendered DOM (rule ids, severity words, the thread, text that
 * fits its diagram), never pixels.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, chromiumArgs, launchChromium, openExtensionPage, playScenario, tabIdFor } from '../../lab/chromium.mjs';
import { CHROME_DIST, popupPath } from '../../lab/extension.mjs';
import { startLab, type Lab } from '../../lab/index.mjs';
import { scanCommand } from '../../src/companion/scan';
import { spaFlow } from '../devtools-fixture';

const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const COAT = join(ROOT, 'examples/coat-attack.har');
let work: string;
let reportPath: string;

/** What a reader sees of the diagrams: arrows with their marks, and any text that spills out of its SVG. */
async function diagramFacts(page: Page) {
  return page.$$eval('svg.cc-svg', (svgs) =>
    svgs.map((svg) => {
      const box = svg.getBoundingClientRect();
      const spill = [...svg.querySelectorAll('text')].filter((t) => {
        const r = t.getBoundingClientRect();
        return r.width > 0 && (r.right > box.right + 1 || r.left < box.left - 1 || r.bottom > box.bottom + 1);
      }).map((t) => t.textContent);
      const arrows = [...svg.querySelectorAll('g.cc-arrow')].map((g) => ({
        kind: g.getAttribute('data-kind'),
        severity: g.getAttribute('data-severity'),
        rules: (g.getAttribute('data-rules') ?? '').split(' ').filter(Boolean),
        text: g.textContent ?? '',
        stroke: getComputedStyle(g.querySelector('line, path.cc-shaft')!).stroke,
      }));
      // WCAG 2 contrast of every text against the diagram's background (and of highlighted lines against their highlight)
      const rgb = (c: string) => (c.match(/\d+(\.\d+)?/g) ?? ['0', '0', '0']).slice(0, 3).map(Number);
      const lum = (c: string) => {
        const [r, g, b] = rgb(c).map((v) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4));
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
      };
      const ratio = (a: string, b: string) => (Math.max(lum(a), lum(b)) + 0.05) / (Math.min(lum(a), lum(b)) + 0.05);
      const bg = getComputedStyle(svg.querySelector('.cc-bg')!).fill;
      const hl = svg.querySelector('.cc-hl');
      const fills = [...svg.querySelectorAll('text')].map((t) => getComputedStyle(t).fill);
      const contrast = Math.min(...fills.map((f) => ratio(f, bg)), ...(hl ? [ratio(getComputedStyle(svg.querySelector('text')!).fill, getComputedStyle(hl).fill)] : []));
      return { arrows, spill, contrast, threads: [...svg.querySelectorAll('polyline.cc-thread')].flatMap((p) => (p.getAttribute('data-param') ?? '').split(' ')), fg: getComputedStyle(svg.querySelector('text')!).fill, bg };
    }),
  );
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'coatcheck-diagram-e2e-'));
  reportPath = join(work, 'report.html');
  const code = await scanCommand(['--format', 'html', '--output', reportPath, COAT], { stdout: () => {}, stderr: () => {}, stderrIsTTY: false });
  expect(code).toBe(1);
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('HTML report of examples/coat-attack.har in Chromium', () => {
  for (const scheme of ['light', 'dark'] as const) {
    it(`renders offline under its CSP with the COAT hop marked (${scheme})`, async () => {
      const { chromium } = await import('playwright-core');
      const b = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: chromiumArgs() });
      try {
        const page = await b.newPage({ viewport: { width: 1400, height: 900 }, colorScheme: scheme });
        const requests: string[] = [];
        const problems: string[] = [];
        page.on('request', (r) => requests.push(r.url()));
        page.on('console', (m) => {
          if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
        });
        page.on('pageerror', (e) => problems.push(e.message));
        await page.goto(`file://${reportPath}`);
        await page.screenshot({ path: `/tmp/coatcheck-diagram-report-${scheme}.png`, fullPage: true });
        expect(requests).toEqual([`file://${reportPath}`]); // nothing else loaded
        expect(problems).toEqual([]); // no CSP violation, no error
        const [d] = await diagramFacts(page);
        expect(d.arrows.map((a) => a.kind)).toEqual(['authorization-request', 'as-redirect', 'interaction', 'callback']);
        const hop = d.arrows[1];
        expect(hop).toMatchObject({ severity: 'critical' });
        expect(hop.rules).toContain('coat-context-switch');
        expect(hop.text).toContain('CRITICAL coat-context-switch');
        // the marked hop is drawn in another colour than a plain one, and text contrasts with the background
        expect(hop.stroke).not.toBe(d.arrows[0].stroke);
        expect(d.fg).not.toBe(d.bg);
        expect(d.threads).toContain('state');
        expect(d.spill).toEqual([]);
        expect(d.contrast).toBeGreaterThanOrEqual(4.5); // WCAG AA for every label, light and dark
        console.log(`report (${scheme}): lowest text contrast ${d.contrast.toFixed(2)}:1`);
        // the diagram saved as a standalone SVG file from the page (a data: link, no script)
        const [saved] = await Promise.all([page.waitForEvent('download'), page.click('.flow a[download]')]);
        expect(saved.suggestedFilename()).toMatch(/^coatcheck-flow-.+\.svg$/);
        const svgText = readFileSync((await saved.path())!, 'utf8');
        expect(svgText).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
        expect(svgText).toContain('CRITICAL coat-context-switch');
        expect(requests).toEqual([`file://${reportPath}`]);
        const findings = await page.$$eval('article.finding', (els) => els.map((e) => `${e.getAttribute('data-rule-id')}/${e.getAttribute('data-severity')}`));
        expect(findings).toContain('coat-context-switch/critical');
      } finally {
        await b.close();
      }
    });
  }
});

describe('DevTools panel with the COAT capture imported (dark theme)', () => {
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  const panelErrors: string[] = [];
  beforeAll(async () => {
    browser = await launchChromium({ extensionDir: CHROME_DIST });
    page = await browser.context.newPage();
    page.on('pageerror', (e) => panelErrors.push(e.message));
    await page.setViewportSize({ width: 1300, height: 1000 });
    await page.goto(`chrome-extension://${browser.extensionId}/src/devtools/panel.html?theme=dark`);
    await page.setInputFiles('[data-testid=import-har]', COAT);
    await page.waitForSelector('[data-testid=flow-diagram] g.cc-arrow', { timeout: 15000 });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('draws the diagram above the timeline, the AS-to-AS hop marked with its rule id and severity word', async () => {
    await page.screenshot({ path: '/tmp/coatcheck-diagram-panel-dark.png', fullPage: true });
    const [d] = await diagramFacts(page);
    const hop = d.arrows.find((a) => a.kind === 'as-redirect')!;
    expect(hop.severity).toBe('critical');
    expect(hop.rules).toContain('coat-context-switch');
    expect(hop.text).toContain('CRITICAL coat-context-switch');
    expect(d.spill).toEqual([]);
    // dark theme: light text on a dark background
    const lum = (c: string) => {
      const [r, g, b] = (c.match(/\d+(\.\d+)?/g) ?? ['0', '0', '0']).map(Number);
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    expect(lum(d.fg)).toBeGreaterThan(lum(d.bg) + 100);
    expect(d.contrast).toBeGreaterThanOrEqual(4.5);
    console.log(`panel (dark): lowest text contrast ${d.contrast.toFixed(2)}:1`);
    // the diagram comes before the timeline
    const order = await page.$$eval('[data-testid=flow-diagram], [data-testid=timeline-step]', (els) => els.map((e) => e.getAttribute('data-testid')));
    expect(order[0]).toBe('flow-diagram');
  });

  it('exports the diagram as SVG and as PNG', async () => {
    const [svg] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-svg]')]);
    expect(svg.suggestedFilename()).toMatch(/^coatcheck-flow-.+\.svg$/);
    const svgText = readFileSync((await svg.path())!, 'utf8');
    expect(svgText).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svgText).toContain('coat-context-switch');
    expect(svgText).not.toMatch(/<script/i);
    const [png] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-png]')]);
    expect(png.suggestedFilename()).toMatch(/\.png$/);
    const bytes = readFileSync((await png.path())!);
    expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    const width = bytes.readUInt32BE(16);
    expect(width).toBeGreaterThan(1000); // twice the diagram's width
    writeFileSync('/tmp/coatcheck-diagram-export.png', bytes);
  });

  it('click a hop: its details and findings; arrow keys move between hops', async () => {
    await page.click('g.cc-arrow[data-kind=as-redirect]');
    const detail = page.locator('[data-testid=arrow-detail]');
    await expect.poll(() => detail.getAttribute('data-arrow')).toBe(await page.getAttribute('g.cc-arrow[data-kind=as-redirect]', 'data-arrow'));
    expect(await detail.locator('[data-testid=finding]').evaluateAll((els) => els.map((e) => e.getAttribute('data-rule')))).toContain('coat-context-switch');
    await page.locator('.diagram-card').first().screenshot({ path: '/tmp/coatcheck-diagram-panel-selected.png' });
    await page.focus('g.cc-arrow[data-kind=as-redirect]');
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-kind'))).toBe('interaction');
    await page.keyboard.press('End');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-kind'))).toBe('callback');
    await expect.poll(() => detail.textContent()).toContain('callback');
    expect(panelErrors).toEqual([]);
  });

  it('a SPA capture: the token request carries the callback code\'s fingerprint, the token response comes back on the back channel', async () => {
    const { har } = await spaFlow();
    const file = join(work, 'spa.har');
    writeFileSync(file, har);
    const p = await browser.context.newPage();
    await p.setViewportSize({ width: 1300, height: 1000 });
    await p.goto(`chrome-extension://${browser.extensionId}/src/devtools/panel.html?theme=light`);
    await p.setInputFiles('[data-testid=import-har]', file);
    await p.waitForSelector('[data-testid=flow-diagram] g.cc-arrow[data-kind=token-response]', { timeout: 15000 });
    await p.locator('.diagram-card').first().screenshot({ path: '/tmp/coatcheck-diagram-panel-tokens.png' });
    const [d] = await diagramFacts(p);
    expect(d.arrows.map((a) => a.kind)).toEqual(['metadata', 'jwks', 'authorization-request', 'callback', 'token-request', 'token-response']);
    const code = (t: string) => /code = (\S+…#[0-9a-f]{8})/.exec(t)?.[1];
    expect(code(d.arrows[4].text)).toBeDefined();
    expect(code(d.arrows[4].text)).toBe(code(d.arrows[3].text));
    expect(d.spill).toEqual([]);
    expect(d.contrast).toBeGreaterThanOrEqual(4.5);
    await p.close();
  });
});

describe('live flows in the lab: the popup under a COAT finding, the panel on a mix-up and a brokered login', () => {
  let lab: Lab;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  beforeAll(async () => {
    lab = await startLab();
    browser = await launchChromium({ extensionDir: CHROME_DIST });
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await lab?.close();
  });

  async function played(name: 'coat' | 'brokered' | 'mixup'): Promise<number> {
    const page = await playScenario(browser.context, lab.scenarioUrl(name));
    const ext = await openExtensionPage(browser.context, browser.extensionId!, popupPath(CHROME_DIST));
    const tabId = await tabIdFor(ext, page.url().split('#')[0]);
    await ext.close();
    expect(tabId).toBeTypeOf('number');
    return tabId!;
  }

  it('popup: a compact diagram under the COAT finding, its hop selected, severity in words', async () => {
    const tabId = await played('coat');
    const popup = await openExtensionPage(browser.context, browser.extensionId!, `${popupPath(CHROME_DIST)}?tab=${tabId}`);
    await popup.setViewportSize({ width: 460, height: 900 });
    const card = popup.locator('li.finding[data-rule-id="coat-context-switch"]');
    await card.locator('.flow-diagram svg g.cc-arrow').first().waitFor({ timeout: 10000 });
    await popup.screenshot({ path: '/tmp/coatcheck-diagram-popup.png', fullPage: true });
    const sel = card.locator('g.cc-arrow.cc-sel');
    expect(await sel.getAttribute('data-kind')).toBe('as-redirect');
    expect((await sel.getAttribute('data-rules'))?.split(' ')).toContain('coat-context-switch');
    expect(await sel.textContent()).toContain('critical coat-context-switch');
    // the login/consent pages at the honest AS (the tab's hops, asked from the background with getHops)
    const kinds = await card.locator('.flow-diagram svg g.cc-arrow').evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')));
    expect(kinds).toEqual(['authorization-request', 'as-redirect', 'interaction', 'callback']);
    // the compact diagram fits the popup
    const box = await card.locator('.flow-diagram svg').boundingBox();
    expect(box!.width).toBeLessThanOrEqual(460);
    await popup.close();
  });

  it('panel (background flows, dark): the mix-up hop marked mixup-as-switch, the state thread across both ASes', async () => {
    const tabId = await played('mixup');
    const panel = await openExtensionPage(browser.context, browser.extensionId!, `src/devtools/panel.html?tab=${tabId}&theme=dark`);
    await panel.setViewportSize({ width: 1300, height: 900 });
    await panel.waitForSelector('[data-testid=flow-diagram] g.cc-arrow[data-severity=critical]', { timeout: 15000 });
    await panel.screenshot({ path: '/tmp/coatcheck-diagram-panel-mixup.png', fullPage: true });
    const [d] = await diagramFacts(panel);
    const hop = d.arrows.find((a) => a.kind === 'as-redirect')!;
    expect(hop.severity).toBe('critical');
    expect(hop.rules).toContain('mixup-as-switch');
    expect(hop.text).toContain('CRITICAL mixup-as-switch');
    expect(d.arrows.map((a) => a.kind)).toContain('interaction');
    expect(d.contrast).toBeGreaterThanOrEqual(4.5);
    expect(d.threads).toContain('state');
    expect(d.spill).toEqual([]);
    await panel.close();
  });

  it('panel (background flows): the broker and its upstream AS drawn as a benign chain', async () => {
    const tabId = await played('brokered');
    const panel = await openExtensionPage(browser.context, browser.extensionId!, `src/devtools/panel.html?tab=${tabId}&theme=light`);
    await panel.setViewportSize({ width: 1300, height: 900 });
    await panel.waitForSelector('[data-testid=flow-diagram] g.cc-arrow', { timeout: 15000 });
    await panel.screenshot({ path: '/tmp/coatcheck-diagram-panel-broker.png', fullPage: true });
    const ds = await diagramFacts(panel);
    expect(ds.length).toBeGreaterThan(0);
    for (const d of ds) {
      expect(d.threads).toEqual([]); // no value moved from one AS's context into another's
      expect(d.arrows.filter((a) => a.severity === 'critical' || a.severity === 'high')).toEqual([]);
    }
    const lanes = await panel.$$eval('[data-testid=flow-diagram] g.cc-lane', (els) => els.map((e) => e.textContent ?? ''));
    expect(lanes.some((l) => l.startsWith('Upstream'))).toBe(true);
    await panel.close();
  });
});
