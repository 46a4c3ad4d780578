/**
 * The built CLI as a user runs it: `node bin/coatcheck.js …` after `node scripts/build.mjs cli`.
 * Builds once if dist/cli is missing or older than the sources.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { har, q, rnd } from './cli-har';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'bin/coatcheck.js');
const built = join(root, 'dist/cli/coatcheck.js');

function newest(dir: string): number {
  let t = 0;
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, d.name);
    t = Math.max(t, d.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

function cli(args: string[], opts: { input?: string; env?: Record<string, string> } = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, input: opts.input, encoding: 'utf8', env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '', ...opts.env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(() => {
  if (!existsSync(built) || statSync(built).mtimeMs < Math.max(newest(join(root, 'src/core')), newest(join(root, 'src/companion')))) {
    const b = spawnSync(process.execPath, ['scripts/build.mjs', 'cli'], { cwd: root, encoding: 'utf8' });
    if (b.status !== 0) throw new Error(`build failed: ${b.stderr}`);
  }
}, 120_000);

describe('coatcheck (built)', () => {
  it('--version prints the package version', () => {
    const pkg = JSON.parse(spawnSync(process.execPath, ['-p', 'JSON.stringify(require("./package.json"))'], { cwd: root, encoding: 'utf8' }).stdout);
    const r = cli(['--version']);
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe(pkg.version);
  });

  it('--help lists the commands; an unknown command exits 2', () => {
    const r = cli(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['scan', 'inspect', 'metadata', 'host', 'watch']) expect(r.out).toContain(`  ${c} `);
    const bad = cli(['frobnicate']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/unknown command 'frobnicate'/);
    expect(cli([]).code).toBe(2);
  });

  it('scan --help', () => {
    const r = cli(['scan', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/--fail-on/);
  });

  it('scans a file and standard input; piped output has no colour', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coatcheck-bin-'));
    const text = har([{ url: `https://as.example/authorize?${q({ response_type: 'token', client_id: 'c', redirect_uri: 'https://app.example/cb', state: rnd() })}` }]);
    const p = join(dir, 'implicit.har');
    writeFileSync(p, text);
    const r = cli(['scan', p]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/HIGH implicit-grant/);
    expect(r.out).not.toContain('\u001b[');
    const s = cli(['scan', '--format', 'json', '-'], { input: text });
    expect(s.code).toBe(1);
    expect(JSON.parse(s.out).inputs).toEqual([{ path: '-', entries: 1, pages: 1 }]);
    const forced = cli(['scan', p], { env: { FORCE_COLOR: '1' } });
    expect(forced.out).toContain('\u001b[');
    expect(cli(['scan', p], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } }).out).not.toContain('\u001b[');
  });

  it('exits 2 with a one-line message and no stack trace on a broken file', () => {
    const r = cli(['scan', '--format', 'json', join(root, 'package.json')]);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out)).toEqual({ error: { message: expect.stringMatching(/package\.json: not a HAR/) } });
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('scans the examples: clean exits 0', () => {
    const r = cli(['scan', 'examples/clean-flow.har']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^No findings/);
  });
});
