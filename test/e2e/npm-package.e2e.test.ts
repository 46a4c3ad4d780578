/**
 * The published artefacts as a user gets them (#9.5):
 * - `npm pack`, installed into an empty folder, gives a working `coatcheck` (scan, inspect,
 *   metadata, host, watch) with its rule docs. Tests send nothing over the network: the package's
 *   runtime dependencies (the closure of `dependencies`) are packed from node_modules beside it and
 *   npm installs all the tarballs --offline, as it would resolve them from the registry;
 * - `npm run package` makes the store zips: the Chrome zip, unpacked, loads into Chromium (its
 *   service worker starts and answers), the Firefox zip passes `web-ext lint` with no error.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import AdmZip from 'adm-zip';
import { launchChromium } from '../../lab/chromium.mjs';

const root = join(import.meta.dirname, '../..');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
const work = mkdtempSync(join(tmpdir(), 'coatcheck-pack-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The runtime dependency closure: `dependencies`, and theirs, as installed in node_modules. */
function runtimeDeps(): string[] {
  const seen = new Set<string>();
  const visit = (pkgJson: string) => {
    const deps = Object.keys((JSON.parse(readFileSync(pkgJson, 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {});
    for (const d of deps) {
      if (seen.has(d)) continue;
      seen.add(d);
      visit(join(root, 'node_modules', d, 'package.json'));
    }
  };
  visit(join(root, 'package.json'));
  return [...seen];
}

function sh(cmd: string, args: string[], cwd: string, input?: string) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', input, timeout: 120_000, env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('npm package: pack, install into an empty folder, run', () => {
  let app = '';
  beforeAll(() => {
    for (const [target, file] of [['cli', 'dist/cli/coatcheck.js'], ['lib', 'dist/lib/index.js']]) if (!existsSync(join(root, file))) expect(sh(process.execPath, ['scripts/build.mjs', target], root).code).toBe(0);
    const pack = sh('npm', ['pack', '--pack-destination', work, '--json'], root);
    expect(pack.code, pack.err).toBe(0);
    const [info] = JSON.parse(pack.out) as { filename: string; files: { path: string }[] }[];
    expect(info.filename).toBe(`coatcheck-${version}.tgz`);
    const paths = info.files.map((f) => f.path);
    // what a user gets: the shim, the built CLI, the rule docs; nothing of the sources or tests
    expect(paths).toEqual(expect.arrayContaining(['bin/coatcheck.js', 'dist/cli/coatcheck.js', 'dist/lib/index.js', 'dist/lib/index.cjs', 'dist/lib/playwright.js', 'dist/lib/types/lib/index.d.ts', 'docs/rules/README.md', 'docs/rules/mixup-iss-mismatch.md', 'README.md', 'package.json']));
    expect(paths.filter((p) => /^(src|test|lab|node_modules|dist\/(chrome|firefox))\//.test(p))).toEqual([]);
    const deps = runtimeDeps();
    expect(deps).toEqual(expect.arrayContaining(['jose', 'preact', 'zod']));
    // the consumer's own Playwright (the optional peer dependency of coatcheck/playwright)
    deps.push('@playwright/test', 'playwright', 'playwright-core', '@types/node', 'undici-types');
    for (const d of deps) {
      const r = sh('npm', ['pack', '--ignore-scripts', '--pack-destination', work], join(root, 'node_modules', d));
      expect(r.code, `${d}: ${r.err}`).toBe(0);
    }
    app = join(work, 'app');
    sh('mkdir', ['-p', app], work);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    const tarballs = readdirSync(work).filter((f) => f.endsWith('.tgz')).map((f) => join(work, f));
    const inst = sh('npm', ['install', '--offline', '--no-audit', '--no-fund', ...tarballs], app);
    expect(inst.code, inst.err).toBe(0);
  }, 180_000);

  const coatcheck = (args: string[], input?: string) => sh(join(app, 'node_modules/.bin/coatcheck'), args, app, input);

  it('scan: the example COAT capture is found (exit 1) and the clean one is not (exit 0), JSON and SARIF', () => {
    const attack = coatcheck(['scan', '--format', 'json', join(root, 'examples/coat-attack.har')]);
    expect(attack.code, attack.err).toBe(1);
    const ids = (JSON.parse(attack.out) as { findings: { ruleId: string }[] }).findings.map((f) => f.ruleId);
    expect(ids).toContain('coat-context-switch');
    const clean = coatcheck(['scan', join(root, 'examples/clean-flow.har')]);
    expect(clean.code, clean.out + clean.err).toBe(0);
    const sarif = JSON.parse(coatcheck(['scan', '--format', 'sarif', join(root, 'examples/coat-attack.har')]).out);
    expect(sarif.version).toBe('2.1.0');
    // helpUri points at the rule docs shipped in the package
    const rule = sarif.runs[0].tool.driver.rules.find((r: { id: string }) => r.id === 'coat-context-switch');
    expect(rule.helpUri).toMatch(/docs\/rules\/coat-context-switch\.md$/);
    expect(existsSync(join(app, 'node_modules/coatcheck/docs/rules/coat-context-switch.md'))).toBe(true);
  });

  it('the library: ESM import and CommonJS require of coatcheck and coatcheck/playwright, with types', () => {
    const coatHar = join(root, 'examples/coat-attack.har');
    const esm = sh(process.execPath, ['--input-type=module', '-e', `
      import { scanHar, createScanner } from 'coatcheck';
      import * as pw from 'coatcheck/playwright';
      const r = await scanHar(${JSON.stringify(coatHar)});
      const s = createScanner({ failOn: 'none' });
      console.log(JSON.stringify({ failed: r.failed, ids: r.findings.map((f) => f.ruleId), scanner: s.failed, pw: [typeof pw.test, typeof pw.expect, typeof pw.OAuthRecorder] }));`], app);
    expect(esm.code, esm.err).toBe(0);
    const e = JSON.parse(esm.out);
    expect(e.failed).toBe(true);
    expect(e.ids).toContain('coat-context-switch');
    expect(e.scanner).toBe(false);
    expect(e.pw).toEqual(['function', 'function', 'function']);
    const cjs = sh(process.execPath, ['-e', `
      const { scanHar } = require('coatcheck');
      const pw = require('coatcheck/playwright');
      scanHar(${JSON.stringify(coatHar)}).then((r) => console.log(JSON.stringify({ failed: r.failed, n: r.findings.length, pw: typeof pw.test })));`], app);
    expect(cjs.code, cjs.err).toBe(0);
    expect(JSON.parse(cjs.out)).toMatchObject({ failed: true, pw: 'function' });
    writeFileSync(join(app, 'check.ts'), `
      import { createScanner, scanHar, type JsonReport, type ScanOptions } from 'coatcheck';
      import { test, expect } from 'coatcheck/playwright';
      const opts: ScanOptions = { failOn: 'medium', disable: ['token-lifetime-long'] };
      const r: JsonReport = createScanner(opts).report();
      const p: Promise<JsonReport & { failed: boolean }> = scanHar('x.har');
      test('t', async ({ page, coatcheck }) => { await expect(page).toHaveNoOAuthFindings({ atLeast: 'high', ignore: ['state-weak'] }); await coatcheck.report(); });
      // @ts-expect-error: not a severity (an unused directive here means the types did not resolve)
      createScanner({ failOn: 'severe' });
      export { r, p };
    `);
    const tsc = sh(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', 'check.ts'], app);
    expect(tsc.code, tsc.out + tsc.err).toBe(0);
  });

  it('inspect, metadata, host, watch run from the installed package', () => {
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const none = `${b64({ alg: 'none' })}.${b64({ iss: 'https://as.example', sub: 'a' })}.`;
    const i = coatcheck(['inspect', '--format', 'json', none]);
    expect(i.code).toBe(1);
    expect(i.out).toContain('jwt-alg-none');
    writeFileSync(join(app, 'md.json'), JSON.stringify({ issuer: 'https://as.example', authorization_endpoint: 'https://as.example/authorize', token_endpoint: 'https://as.example/token', code_challenge_methods_supported: ['S256'], authorization_response_iss_parameter_supported: true }));
    const m = coatcheck(['metadata', '--format', 'json', 'md.json']);
    expect(m.code, m.err).toBe(0);
    expect(JSON.parse(m.out).metadata.issuer).toBe('https://as.example');
    for (const cmd of ['host', 'watch']) {
      const h = coatcheck([cmd, '--help']);
      expect(h.code, `${cmd}: ${h.err}`).toBe(0);
      expect(h.out).toMatch(new RegExp(`Usage: coatcheck ${cmd}`));
    }
    const st = coatcheck(['host', 'status']);
    expect(st.err).not.toMatch(/Cannot find (module|package)/);
  });
});

describe('store zips (npm run package)', () => {
  beforeAll(() => {
    const r = sh('npm', ['run', '-s', 'package'], root);
    expect(r.code, r.err).toBe(0);
  }, 180_000);

  it('the Chrome zip, unpacked, loads into Chromium and its worker answers', async () => {
    const dir = join(work, 'chrome');
    new AdmZip(join(root, `dist/coatcheck-chrome-${version}.zip`)).extractAllTo(dir, true);
    expect(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).background.service_worker).toBeTruthy();
    const b = await launchChromium({ extensionDir: dir });
    try {
      expect(b.extensionId).toMatch(/^[a-p]{32}$/);
      expect(typeof b.readyMs).toBe('number');
    } finally {
      await b.close();
    }
  }, 60_000);

  it('the Firefox zip passes web-ext lint with no error', () => {
    const zip = join(root, `dist/coatcheck-firefox-${version}.zip`);
    const dir = join(work, 'firefox');
    new AdmZip(zip).extractAllTo(dir, true);
    expect(readdirSync(dir)).toContain('manifest.json');
    const r = sh(join(root, 'node_modules/.bin/web-ext'), ['lint', '--source-dir', dir, '--output', 'json', '--no-input'], root);
    const report = JSON.parse(r.out.slice(r.out.indexOf('{')));
    expect(report.summary.errors, JSON.stringify(report.errors, null, 1)).toBe(0);
  }, 120_000);
});
