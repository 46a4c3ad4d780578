/**
 * Native messaging round trip in real Chromium (and Firefox): `coatcheck host install` into a test user-data-dir,
 * an extension whose background runs src/background/native-link.ts, findings sent through
 * Chrome's native messaging to the launcher → the built CLI in host mode → the JSONL log, which
 * `coatcheck watch --once` prints. Also: the extension id `host install` computes from the
 * unpacked extension's path is the id Chromium gives it, and an uninstalled host stays silent.
 *
 * The extension here is a minimal one built for this test (permissions: nativeMessaging) around
 * the same module the product background calls, so the round trip does not depend on the
 * background's wiring.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, playScenario } from '../../lab/chromium.mjs';
import { CHROME_DIST, readManifest } from '../../lab/extension.mjs';
import { startLab } from '../../lab/index.mjs';
import { FIREFOX_PATH, launchFirefox } from '../lab/firefox.mjs';
import { chromeIdForPath } from '../../src/companion/host';

const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const BIN = join(ROOT, 'bin', 'coatcheck.js');
let work: string;
let extDir: string;

function cli(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
}

async function waitFor<T>(fn: () => T | undefined, ms: number): Promise<T | undefined> {
  const t0 = Date.now();
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() - t0 > ms) return undefined;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const finding = (ruleId: string, severity: string) => ({
  ruleId,
  severity,
  confidence: 'strong',
  title: `title of ${ruleId}`,
  message: `state abcd…#1234abcd seen in ${ruleId}`,
  references: ['RFC 9700 §4.4'],
  flowId: 'f1',
  evidence: [{ requestId: '7', url: 'https://honest-as.example/authorize?state=abcd%E2%80%A6%231234abcd' }],
  context: 'tab:5',
  time: 1,
});

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'coatcheck.js'))) {
    const r = spawnSync(process.execPath, ['scripts/build.mjs', 'cli'], { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('CLI build failed');
  }
  work = mkdtempSync(join(tmpdir(), 'coatcheck-native-e2e-'));
  extDir = join(work, 'ext');
  // the test extension: native-link.ts bundled as an ES module for a module service worker
  const { build } = await import('vite');
  await build({
    configFile: false,
    root: ROOT,
    logLevel: 'warn',
    build: { outDir: extDir, emptyOutDir: true, minify: false, lib: { entry: join(ROOT, 'src/background/native-link.ts'), formats: ['es'], fileName: () => 'native-link.js' } },
  });
  writeFileSync(
    join(extDir, 'manifest.json'),
    JSON.stringify({ manifest_version: 3, name: 'CoatCheck native link test', version: '0.0.1', permissions: ['nativeMessaging'], background: { service_worker: 'background.js', type: 'module' } }),
  );
  writeFileSync(
    join(extDir, 'background.js'),
    `import { startNativeLink } from './native-link.js';
let emit;
const link = startNativeLink((l) => { emit = l; }, { retryMs: 0 });
globalThis.sendFindings = (batch) => emit(batch);
globalThis.linkStatus = () => link.status();
globalThis.__coatcheckReady = true;
`,
  );
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('native messaging host in Chromium', () => {
  it('delivers findings from the extension to the JSONL log through the installed host', async () => {
    const udd = join(work, 'udd');
    const log = join(work, 'state', 'findings.jsonl');
    const expectedId = chromeIdForPath(extDir);
    const inst = cli(['host', 'install', '--browser', 'chromium', '--user-data-dir', udd, '--extension-dir', extDir, '--log', log]);
    expect(inst.stderr).toBe('');
    expect(inst.status).toBe(0);
    expect(cli(['host', 'status', '--browser', 'chromium', '--user-data-dir', udd]).status).toBe(0);

    const b = await launchChromium({ extensionDir: extDir, userDataDir: udd });
    try {
      expect(b.extensionId).toBe(expectedId);
      const w = b.worker!;
      await w.evaluate((batch) => (globalThis as unknown as { sendFindings(b: unknown): void }).sendFindings(batch), {
        findings: [finding('mixup-iss-mismatch', 'critical'), finding('state-weak', 'medium')],
        tabId: 5,
        pageUrl: 'https://platform.example/cb',
      });
      const lines = await waitFor(() => {
        if (!existsSync(log)) return undefined;
        const l = readFileSync(log, 'utf8').trim().split('\n').filter(Boolean);
        return l.length >= 2 ? l : undefined;
      }, 15000);
      expect(lines, 'findings reached the log').toBeDefined();
      const recs = lines!.map((l) => JSON.parse(l));
      expect(recs.map((r) => r.finding.ruleId)).toEqual(['mixup-iss-mismatch', 'state-weak']);
      expect(recs[0]).toMatchObject({ v: 1, origin: `chrome-extension://${expectedId}/`, tabId: 5, pageUrl: 'https://platform.example/cb' });
      const st = await w.evaluate(() => (globalThis as unknown as { linkStatus(): { state: string; sent: number; acked: number } }).linkStatus());
      expect(st.sent).toBe(2);
      // watch prints them
      const watch = cli(['watch', '--once', '--log', log]);
      expect(watch.status).toBe(0);
      expect(watch.stdout).toContain('CRITICAL mixup-iss-mismatch');
      expect(watch.stdout).toContain('tab 5');
    } finally {
      await b.close();
    }
  });

  it('stays silent when the host is not installed', async () => {
    const udd = join(work, 'udd-empty');
    const b = await launchChromium({ extensionDir: extDir, userDataDir: udd });
    try {
      const w = b.worker!;
      await w.evaluate(() => (globalThis as unknown as { sendFindings(b: unknown): void }).sendFindings({ findings: [{ ruleId: 'code-replay', severity: 'high', message: 'm', evidence: [] }] }));
      let state = '';
      for (let i = 0; i < 50 && state !== 'unavailable'; i++) {
        state = (await w.evaluate(() => (globalThis as unknown as { linkStatus(): { state: string } }).linkStatus())).state;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(state).toBe('unavailable');
    } finally {
      await b.close();
    }
  });
});

describe('the product extension and the companion', () => {
  it('forwards the findings of a real lab attack through the native host (nativeMessaging granted)', async (ctx) => {
    const m = readManifest(CHROME_DIST);
    const perms: string[] = [...(m?.permissions ?? []), ...(m?.optional_permissions ?? [])];
    if (!m || !perms.includes('nativeMessaging')) {
      ctx.skip(); // no product build (or it does not declare the permission)
      return;
    }
    // the product build with nativeMessaging granted up front: a headless browser cannot answer
    // the optional-permission prompt, so the copy declares it as required
    const { cpSync } = await import('node:fs');
    const prod = join(work, 'product-ext');
    cpSync(CHROME_DIST, prod, { recursive: true });
    const man = JSON.parse(readFileSync(join(prod, 'manifest.json'), 'utf8'));
    man.permissions = [...new Set([...(man.permissions ?? []), 'nativeMessaging'])];
    man.optional_permissions = (man.optional_permissions ?? []).filter((p: string) => p !== 'nativeMessaging');
    writeFileSync(join(prod, 'manifest.json'), JSON.stringify(man));
    const udd = join(work, 'udd-product');
    const log = join(work, 'product-state', 'findings.jsonl');
    const inst = cli(['host', 'install', '--browser', 'chromium', '--user-data-dir', udd, '--extension-dir', prod, '--log', log]);
    expect(inst.status).toBe(0);

    const lab = await startLab();
    const b = await launchChromium({ extensionDir: prod, userDataDir: udd });
    try {
      expect(b.extensionId).toBe(chromeIdForPath(prod));
      const page = await playScenario(b.context, lab.scenarioUrl('implicit'));
      expect(await page.getAttribute('#result', 'data-outcome')).toBe('connected');
      const recs = await waitFor(() => {
        if (!existsSync(log)) return undefined;
        const r = readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
        return r.some((x) => x.finding.ruleId === 'implicit-grant') ? r : undefined;
      }, 15000);
      expect(recs, 'implicit-grant reached the log').toBeDefined();
      expect(recs![0].origin).toBe(`chrome-extension://${b.extensionId}/`);
      expect(typeof recs![0].tabId).toBe('number');
      // the extension redacts by default: no issued token appears in the log
      const text = readFileSync(log, 'utf8');
      for (const t of lab.issued.tokens()) expect(text).not.toContain(t);
    } finally {
      await b.close();
      await lab.close();
    }
  });
});

describe('native messaging host in Firefox', () => {
  it('delivers findings from a Firefox add-on to the JSONL log (allowed_extensions, per-user manifest under $HOME)', async (ctx) => {
    if (!existsSync(FIREFOX_PATH)) {
      ctx.skip();
      return;
    }
    const home = join(work, 'ff-home');
    const log = join(work, 'ff-state', 'findings.jsonl');
    const addonId = 'native-test@coatcheck.dev';
    const inst = cli(['host', 'install', '--browser', 'firefox', '--extension-id', addonId, '--log', log], { HOME: home });
    expect(inst.stderr).toBe('');
    expect(inst.status).toBe(0);
    const manifest = JSON.parse(readFileSync(join(home, '.mozilla', 'native-messaging-hosts', 'dev.coatcheck.companion.json'), 'utf8'));
    expect(manifest.allowed_extensions).toEqual([addonId]);

    const ffExt = join(work, 'ff-ext');
    const { cpSync, mkdirSync } = await import('node:fs');
    mkdirSync(ffExt, { recursive: true });
    cpSync(join(extDir, 'native-link.js'), join(ffExt, 'native-link.js'));
    writeFileSync(
      join(ffExt, 'manifest.json'),
      JSON.stringify({
        manifest_version: 3,
        name: 'CoatCheck native link test',
        version: '0.0.1',
        permissions: ['nativeMessaging'],
        background: { scripts: ['background.js'], type: 'module' },
        browser_specific_settings: { gecko: { id: addonId, strict_min_version: '128.0' } },
      }),
    );
    writeFileSync(
      join(ffExt, 'background.js'),
      `import { startNativeLink } from './native-link.js';
const link = startNativeLink(undefined, { retryMs: 0 });
let tries = 0;
const t = setInterval(() => {
  if (link.status().sent > 0 || ++tries > 40) return clearInterval(t);
  link.send({ findings: [${JSON.stringify(finding('code-replay', 'high'))}], tabId: 9 });
}, 250);
`,
    );
    // Firefox reads per-user native manifests from $HOME/.mozilla: start it with the test's HOME
    const savedHome = process.env.HOME;
    process.env.HOME = home;
    let ff: Awaited<ReturnType<typeof launchFirefox>> | undefined;
    try {
      ff = await launchFirefox();
    } finally {
      process.env.HOME = savedHome;
    }
    try {
      expect(await ff.installExtension(ffExt)).toBe(addonId);
      const lines = await waitFor(() => {
        if (!existsSync(log)) return undefined;
        const l = readFileSync(log, 'utf8').trim().split('\n').filter(Boolean);
        return l.length >= 1 ? l : undefined;
      }, 20000);
      expect(lines, 'findings reached the log').toBeDefined();
      const rec = JSON.parse(lines![0]);
      expect(rec).toMatchObject({ v: 1, origin: addonId, tabId: 9, finding: { ruleId: 'code-replay' } });
    } finally {
      await ff.close();
    }
  });
});
