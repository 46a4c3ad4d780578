/**
 * The built Firefox extension in real headless Firefox (Debian's firefox-esr, or COATCHECK_FIREFOX)
 * over WebDriver BiDi, against the live lab, as the Chromium e2e does: every lab scenario raises the
 * same rules in the attacked tab (findings read from the background), the popup for that tab lists
 * them (`[data-rule-id]`), the benign look-alikes stay quiet, no raw secret lands in storage.session,
 * findings survive the background page being suspended in the middle of a flow, and the extension
 * itself never talks to the lab's servers. Extension pages are opened with plain
 * BiDi navigations at a moz-extension:// UUID fixed in the profile (test/lab/firefox.mjs), so this runs on
 * Firefox 140 ESR as on 153.
 *
 * Also: the built manifest's strict_min_version is not above the Firefox that `.ci/run` installs
 * (Debian's firefox-esr, read in global-setup.ts) nor above the Firefox under test.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FIREFOX_DIST, popupPath, readManifest } from '../../lab/extension.mjs';
import { addonIdOf, compareFirefoxVersions, launchFirefox, type Firefox } from '../lab/firefox.mjs';
import { SCENARIOS, startLab, type Lab, type ScenarioName } from '../../lab/index.mjs';

type F = { ruleId: string; severity: string };
const MEDIUM_UP = new Set(['critical', 'high', 'medium']);
const brief = (fs: F[]) => fs.map((f) => `${f.ruleId}:${f.severity}`).join(', ');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** the idle timeout of the second Firefox's background page: long enough that a flow started right
 * after a message reaches the honest AS with the background still up, short enough to wait for */
const IDLE_MS = 3000;

describe('Firefox version against the built manifest', () => {
  const browsers = inject('browsers');
  const min = () => {
    const v = readManifest(FIREFOX_DIST)?.browser_specific_settings?.gecko?.strict_min_version;
    expect(v, `strict_min_version in ${FIREFOX_DIST}/manifest.json`).toMatch(/^\d+(\.\d+)*$/);
    return String(v);
  };

  it(`strict_min_version is not above Debian's firefox-esr (${browsers.debianFirefox.version ?? 'not installed'}, what .ci/run installs)`, () => {
    const installed = browsers.debianFirefox.version;
    expect(installed, `${browsers.debianFirefox.path} --version`).toBeDefined();
    const m = min();
    expect(compareFirefoxVersions(installed!, m), `manifest strict_min_version ${m} > firefox-esr ${installed}: Debian's Firefox refuses the add-on`).toBeGreaterThanOrEqual(0);
  });

  it(`strict_min_version is not above the Firefox under test (${browsers.firefox.version ?? 'not installed'})`, () => {
    const installed = browsers.firefox.version;
    expect(installed, `${browsers.firefox.path} --version`).toBeDefined();
    const m = min();
    expect(compareFirefoxVersions(installed!, m), `manifest strict_min_version ${m} > Firefox ${installed}`).toBeGreaterThanOrEqual(0);
  });
});

describe('Firefox + built extension + lab (WebDriver BiDi)', () => {
  let lab: Lab;
  let ff: Firefox;
  let ext: string; // an extension page (the popup) used to talk to the background
  let popupUrl: string;
  let popup: string | undefined; // a tab for the popup of the tab under test
  // a second Firefox whose background page idles out after 3 s (the suspension tests); started with
  // the first so that its start-up (seconds of idle tasks before BiDi hands out a session) overlaps
  let idling: Promise<Firefox> | undefined;

  beforeAll(async () => {
    lab = await startLab();
    idling = launchFirefox({ extensions: [FIREFOX_DIST], prefs: { 'extensions.background.idle.timeout': IDLE_MS } });
    idling.catch(() => undefined); // reported by the test that uses it
    ff = await launchFirefox({ extensions: [FIREFOX_DIST] });
    popupUrl = `${ff.extensionBase(addonIdOf(FIREFOX_DIST))}${popupPath(FIREFOX_DIST)}`;
    ext = await ff.openExtensionPage(popupUrl);
    // the background answers messages once its start-up is done
    await ff.waitForBackground(ext);
    // the lab's GitHub- and Google-shaped ASes run on github.example / google.example with a
    // port: the table's rows for them go in through the settings, as the Chromium suite does
    const set = (await ff.evaluate(ext, `browser.runtime.sendMessage(${JSON.stringify({ type: 'setSettings', settings: { providers: lab.providerRows() } })})`)) as { settings?: { providers?: { id: string }[] } };
    expect(set?.settings?.providers?.map((p) => p.id)).toEqual(['lab-github', 'lab-google']);
  });
  afterAll(async () => {
    await idling?.then((f) => f.close()).catch(() => undefined);
    await ff?.close();
    await lab?.close();
  });

  const ask = (msg: object) => ff.evaluate(ext, `browser.runtime.sendMessage(${JSON.stringify(msg)})`);

  /** Poll getFindings for the tab until every expected rule is there (or the time is up). */
  async function findingsFor(tabId: number, expectIds: readonly string[], ms: number): Promise<F[]> {
    const t0 = Date.now();
    let fs: F[] = [];
    do {
      fs = ((await ask({ type: 'getFindings', tabId }))?.findings ?? []) as F[];
      if (expectIds.length > 0 && expectIds.every((id) => fs.some((f) => f.ruleId === id))) return fs;
      await sleep(150);
    } while (Date.now() - t0 < ms);
    return fs;
  }

  /** What the popup for the tab lists: `[data-rule-id]` with its severity, once it has loaded. */
  async function popupShows(tabId: number, until: (shown: F[]) => boolean): Promise<F[]> {
    if (popup === undefined) popup = await ff.newTab();
    await ff.navigate(popup, `${popupUrl}?tab=${tabId}`);
    const t0 = Date.now();
    let shown: F[] = [];
    for (;;) {
      const r = await ff
        .evaluate(
          popup,
          `document.querySelector('[data-testid=summary]')?.textContent === 'loading…' ? null : [...document.querySelectorAll('[data-rule-id]')].map((e) => ({ ruleId: e.getAttribute('data-rule-id'), severity: e.getAttribute('data-severity') }))`,
        )
        .catch(() => null);
      if (Array.isArray(r)) {
        shown = r as F[];
        if (until(shown)) return shown;
      }
      if (Date.now() - t0 > 5000) return shown;
      await sleep(100);
    }
  }

  /** Play a scenario in a fresh tab; the tab's findings from the background and from its popup. */
  async function run(name: ScenarioName) {
    const s = SCENARIOS[name];
    const r = await ff.playScenario(lab.scenarioUrl(name));
    expect(r.outcome).toBe('connected');
    expect(new URL(r.url).pathname).toBe(s.endsAt);
    const prefix = r.url.split('#')[0];
    // scenario tabs are closed after use, so the URL names one tab
    const tabId = await ff.evaluate(ext, `browser.tabs.query({}).then((ts) => ts.filter((t) => (t.url || '').startsWith(${JSON.stringify(prefix)})).map((t) => t.id))`);
    expect(tabId, `tabs at ${prefix}`).toHaveLength(1);
    const id = (tabId as number[])[0];
    // quiet scenarios: give the background the same time it gets for attacks, then look
    const findings = await findingsFor(id, s.expect, s.quiet ? 1500 : 8000);
    if (s.quiet) {
      // the extension did follow the quiet tab's flow (so "no finding" means something)
      const flows = (await ask({ type: 'getFlows', tabId: id }))?.flows?.length ?? 0;
      expect(flows, `flows seen in the ${name} tab`).toBeGreaterThan(0);
    }
    const visible = findings.filter((f) => f.severity !== 'info');
    const shown = await popupShows(id, (x) => visible.every((f) => x.some((y) => y.ruleId === f.ruleId)));
    await ff.bidi.send('browsingContext.close', { context: r.context });
    return { tabId: id, findings, shown };
  }

  const attacks = (Object.keys(SCENARIOS) as ScenarioName[]).filter((n) => !SCENARIOS[n].quiet);
  const quiet = (Object.keys(SCENARIOS) as ScenarioName[]).filter((n) => SCENARIOS[n].quiet);

  for (const name of attacks) {
    it(`${name}: ${SCENARIOS[name].expect.join(' and ')} in the attacked tab and its popup`, async () => {
      const { findings, shown } = await run(name);
      const ids = findings.map((f) => f.ruleId);
      const shownIds = shown.map((f) => f.ruleId);
      expect(SCENARIOS[name].expect.length).toBeGreaterThan(0);
      for (const want of SCENARIOS[name].expect) {
        expect(ids, brief(findings)).toContain(want);
        expect(shownIds, `popup: ${brief(shown)}`).toContain(want);
      }
    });
  }

  for (const name of quiet) {
    it(`${name} (benign): no finding at medium or above, in the background or the popup`, async () => {
      const { findings, shown } = await run(name);
      expect(brief(findings.filter((f) => MEDIUM_UP.has(f.severity)))).toBe('');
      expect(brief(shown.filter((f) => MEDIUM_UP.has(f.severity)))).toBe('');
    });
  }

  it('the background page suspended between the authorization request and the callback: COAT still found', async () => {
    // Chromium stops its service worker over CDP; BiDi has no such command, but Firefox suspends an
    // idle MV3 background page by itself: the second Firefox (IDLE_MS idle timeout), the background
    // woken by a message right before the flow, the flow held at the honest AS until the background
    // page is gone (extension.getViews() from an extension page that sends no message, so nothing
    // wakes it), then released
    const ff2 = await idling!;
    {
      const base = ff2.extensionBase(addonIdOf(FIREFOX_DIST));
      const page = await ff2.openExtensionPage(`${base}public/icon-16.png`); // an extension page that does not poll
      const backgroundUp = () => ff2.evaluate(page, `browser.extension.getViews().some((v) => v.location.pathname === '/_generated_background_page.html')`);
      const hold = lab.holdNextInteraction();
      const tab = await ff2.newTab();
      await ff2.waitForBackground(page); // up (and its idle timer fresh) when the flow starts
      const nav = ff2.navigate(tab, lab.scenarioUrl('coat')).catch(() => undefined);
      await Promise.race([hold.reached, sleep(15000).then(() => Promise.reject(new Error('the flow never reached the honest AS interaction')))]);
      const t0 = Date.now();
      while ((await backgroundUp()) && Date.now() - t0 < IDLE_MS + 10000) await sleep(100);
      expect(await backgroundUp(), 'the background page was suspended while the flow waited').toBe(false);
      hold.release();
      await nav;
      let outcome: unknown = null;
      for (const t1 = Date.now(); Date.now() - t1 < 20000; await sleep(100)) {
        outcome = await ff2.evaluate(tab, `document.querySelector('#result')?.dataset.outcome ?? null`).catch(() => null);
        if (outcome && outcome !== 'pending') break;
      }
      expect(outcome).toBe('connected');
      const url = String(await ff2.evaluate(tab, 'location.href')).split('#')[0];
      const tabIds = (await ff2.evaluate(page, `browser.tabs.query({}).then((ts) => ts.filter((t) => (t.url || '').startsWith(${JSON.stringify(url)})).map((t) => t.id))`)) as number[];
      expect(tabIds).toHaveLength(1);
      let fs: F[] = [];
      for (const t2 = Date.now(); Date.now() - t2 < 8000; await sleep(150)) {
        fs = ((await ff2.evaluate(page, `browser.runtime.sendMessage({ type: 'getFindings', tabId: ${tabIds[0]} })`))?.findings ?? []) as F[];
        if (SCENARIOS.coat.expect.every((id) => fs.some((f) => f.ruleId === id))) break;
      }
      // callback-context-mismatch is raised at the callback, which came after the suspension: the
      // browser's traffic woke the background (a suspended page misses nothing its persistent
      // webRequest listeners are woken for) and it still had the flow's state
      for (const want of SCENARIOS.coat.expect) expect(fs.map((f) => f.ruleId), brief(fs)).toContain(want);
    }
  });

  // Found while writing the test above, and skipped until 2026-12-04: a flow that STARTS while the
  // background page is suspended lost its first hop (COAT: callback-context-mismatch missing in
  // about 1 run of 3). Firefox wakes the page for the first request, then hands over the events it
  // queued meanwhile grouped by event: every hop's onBeforeRequest, then every onBeforeSendHeaders,
  // …, then every onBeforeRedirect (seen with an event log in the background page, Firefox ESR 153).
  // A redirect chain keeps one requestId, so the assembler gave the first hop's redirect to the
  // newest hop; it now matches a later event to the open hop with its URL (src/background/adapter.ts).
  // Firefox suspends an idle page after 30 s by default, so a real user meets this.
  it('a flow that starts while the background page is suspended: COAT found, and every hop of the chain observed (3 runs)', async () => {
    const ff2 = await idling!;
    const base = ff2.extensionBase(addonIdOf(FIREFOX_DIST));
    const page = await ff2.openExtensionPage(`${base}public/icon-16.png`);
    const backgroundUp = () => ff2.evaluate(page, `browser.extension.getViews().some((v) => v.location.pathname === '/_generated_background_page.html')`);
    const ask = (msg: object) => ff2.evaluate(page, `browser.runtime.sendMessage(${JSON.stringify(msg)})`) as Promise<{ findings?: F[]; content?: string }>;
    // the events come grouped in most wake-ups, not all: three flows, each started from a suspended page
    for (let run = 0; run < 3; run++) {
      const t0 = Date.now();
      while ((await backgroundUp()) && Date.now() - t0 < IDLE_MS + 10000) await sleep(100);
      expect(await backgroundUp(), 'the background page is suspended before the flow').toBe(false);
      const seen = lab.requests.length;
      const r = await ff2.playScenario(lab.scenarioUrl('coat'));
      expect(r.outcome).toBe('connected');
      const tabIds = (await ff2.evaluate(page, `browser.tabs.query({}).then((ts) => ts.filter((t) => (t.url || '').startsWith(${JSON.stringify(r.url.split('#')[0])})).map((t) => t.id))`)) as number[];
      const tabId = tabIds.at(-1)!;
      let fs: F[] = [];
      for (const t1 = Date.now(); Date.now() - t1 < 8000; await sleep(150)) {
        fs = (await ask({ type: 'getFindings', tabId })).findings ?? [];
        if (SCENARIOS.coat.expect.every((id) => fs.some((f) => f.ruleId === id))) break;
      }
      for (const want of SCENARIOS.coat.expect) expect(fs.map((f) => f.ruleId), `run ${run}: ${brief(fs)}`).toContain(want);
      // the tab's HAR export has each document request the lab served, in order (the first one is
      // the request that woke the page), each with its own status
      const har = JSON.parse((await ask({ type: 'export', tabId, format: 'har' })).content!) as { log: { entries: { request: { url: string }; response: { status: number } }[] } };
      const path = (u: string) => new URL(u).pathname;
      const served = lab.requests.slice(seen).filter((q) => q.headers['sec-fetch-dest'] === 'document').map((q) => path(q.url));
      expect(har.log.entries.map((e) => path(e.request.url)).filter((p) => served.includes(p)), `run ${run}`).toEqual(served);
      await ff2.evaluate(page, `browser.tabs.remove(${tabId})`);
    }
  });

  it('storage.session holds none of the raw codes, tokens, states, verifiers or nonces the lab issued', async () => {
    const issued = lab.issuedSecrets();
    expect(issued.length).toBeGreaterThan(20); // the flows above really ran
    const [session, local] = (await ff.evaluate(ext, `Promise.all([browser.storage.session.get(null), browser.storage.local.get(null)])`)) as [object, object];
    expect(Object.keys(session).length).toBeGreaterThan(0);
    const dump = JSON.stringify([session, local]);
    const leaked = issued.filter((x) => dump.includes(x));
    expect(leaked.map((x) => `${x.slice(0, 6)}…(${x.length})`)).toEqual([]);
  });

  it('the lab servers saw no request made by the extension itself', () => {
    const browserRequests = lab.requests.filter((r) => r.headers['user-agent'] !== 'coatcheck-lab-backchannel');
    expect(browserRequests.length).toBeGreaterThan(30);
    const fromExtension = browserRequests.filter((r) => [r.headers.origin, r.headers.referer].some((v) => v !== undefined && /^(chrome|moz)-extension:/.test(v)));
    expect(fromExtension).toEqual([]);
    // a request without a site context that is not a top-level navigation was made by the browser
    // or an extension, not by a page: the extension must make none
    const unprompted = browserRequests.filter(
      (r) => r.headers['sec-fetch-site'] === 'none' && !(r.headers['sec-fetch-mode'] === 'navigate' && r.headers['sec-fetch-dest'] === 'document'),
    );
    expect(unprompted.map((r) => `${r.method} ${r.url} ${r.headers['sec-fetch-mode']}/${r.headers['sec-fetch-dest']}`)).toEqual([]);
    expect(lab.errors()).toEqual([]);
  });
});
