import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  buildLauncher,
  chromeIdForPath,
  chromeIdFromBytes,
  hostCommand,
  HOST_NAME,
  manifestDir,
  runHost,
} from '../src/companion/host';
import { encodeFrame, FrameDecoder } from '../src/companion/native-messaging';
import { watchCommand, formatRecord } from '../src/companion/watch';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'coatcheck-host-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (s: string) => void out.push(s), stderr: (s: string) => void err.push(s) } };
}

function frame(m: unknown): Uint8Array {
  const f = encodeFrame(m);
  if (!f.ok) throw new Error('encode');
  return f.bytes;
}

async function* chunks(...parts: Uint8Array[]): AsyncIterable<Uint8Array> {
  for (const p of parts) yield p;
}

function replies(bytes: Uint8Array[]): unknown[] {
  const d = new FrameDecoder();
  const out: unknown[] = [];
  for (const b of bytes) for (const r of d.push(b)) out.push(r.ok ? r.message : r.error);
  return out;
}

const finding = (ruleId: string, severity = 'high') => ({
  ruleId,
  severity,
  confidence: 'strong',
  title: 'T ' + ruleId,
  message: 'state abcd…#1234abcd reappeared',
  references: [],
  flowId: 'f1',
  evidence: [{ requestId: '42', url: 'https://as.example/authorize?state=abcd%E2%80%A6%231234abcd' }],
  context: 'tab:3',
  time: 1,
});

const CHROME_ID = 'a'.repeat(16) + 'p'.repeat(16);

describe('host install / status / uninstall', () => {
  it('writes a Chrome manifest and an executable launcher under --user-data-dir, reports status, removes both', async () => {
    const udd = tmp();
    const cli = join(tmp(), 'coatcheck.js');
    writeFileSync(cli, '');
    const c = capture();
    const code = await hostCommand(['install', '--browser', 'chromium', '--user-data-dir', udd, '--extension-id', CHROME_ID, '--cli', cli, '--node', '/usr/bin/node'], c.io);
    expect(c.err.join('')).toBe('');
    expect(code).toBe(0);
    const mPath = join(udd, 'NativeMessagingHosts', `${HOST_NAME}.json`);
    const m = JSON.parse(readFileSync(mPath, 'utf8'));
    expect(m).toMatchObject({ name: 'dev.coatcheck.companion', type: 'stdio', allowed_origins: [`chrome-extension://${CHROME_ID}/`] });
    expect(m.allowed_extensions).toBeUndefined();
    expect(statSync(m.path).mode & 0o111).not.toBe(0);
    expect(readFileSync(m.path, 'utf8')).toContain(`'/usr/bin/node' '${cli}' host run "$@"`);

    const s = capture();
    expect(await hostCommand(['status', '--browser', 'chromium', '--user-data-dir', udd, '--json'], s.io)).toBe(0);
    const st = JSON.parse(s.out.join(''));
    expect(st.status[0]).toMatchObject({ browser: 'chromium', installed: true, launcherOk: true, extensions: [`chrome-extension://${CHROME_ID}/`] });

    const u = capture();
    expect(await hostCommand(['uninstall', '--browser', 'chromium', '--user-data-dir', udd], u.io)).toBe(0);
    expect(existsSync(mPath)).toBe(false);
    expect(existsSync(m.path)).toBe(false);
    const s2 = capture();
    expect(await hostCommand(['status', '--browser', 'chromium', '--user-data-dir', udd], s2.io)).toBe(1);
    expect(s2.out.join('')).toContain('chromium: not installed');
  });

  it('writes allowed_extensions for Firefox in native-messaging-hosts', async () => {
    const udd = tmp();
    const cli = join(udd, 'cli.js');
    writeFileSync(cli, '');
    const c = capture();
    expect(await hostCommand(['install', '--browser=firefox', `--user-data-dir=${udd}`, '--extension-id', 'coatcheck@example.dev', '--cli', cli], c.io)).toBe(0);
    const m = JSON.parse(readFileSync(join(udd, 'native-messaging-hosts', `${HOST_NAME}.json`), 'utf8'));
    expect(m.allowed_extensions).toEqual(['coatcheck@example.dev']);
    expect(m.allowed_origins).toBeUndefined();
  });

  it('status reports a manifest whose launcher is gone as not installed', async () => {
    const udd = tmp();
    const cli = join(udd, 'cli.js');
    writeFileSync(cli, '');
    await hostCommand(['install', '--browser', 'chrome', '--user-data-dir', udd, '--extension-id', CHROME_ID, '--cli', cli], capture().io);
    rmSync(join(udd, 'NativeMessagingHosts', `${HOST_NAME}-launcher.sh`));
    const s = capture();
    expect(await hostCommand(['status', '--browser', 'chrome', '--user-data-dir', udd], s.io)).toBe(1);
    expect(s.out.join('')).toMatch(/not installed \(launcher .* missing/);
  });

  it('rejects bad arguments with exit 2', async () => {
    const cli = join(tmp(), 'cli.js');
    writeFileSync(cli, '');
    for (const argv of [
      ['install'],
      ['install', '--browser', 'safari'],
      ['install', '--browser', 'chrome', '--extension-id', 'not-an-id', '--cli', cli, '--user-data-dir', tmp()],
      ['frobnicate', '--browser', 'chrome'],
      ['install', '--browser'],
      ['install', '--browser', 'chrome', '--cli', join(tmp(), 'missing.js')],
    ]) {
      const c = capture();
      expect(await hostCommand(argv, c.io), argv.join(' ')).toBe(2);
      expect(c.err.join('')).not.toBe('');
    }
    const h = capture();
    expect(await hostCommand(['--help'], h.io)).toBe(0);
    expect(h.out.join('')).toContain('Usage: coatcheck host');
  });

  it('uses the per-user default directories', () => {
    const e = { env: {}, home: '/home/u', platform: 'linux' as const };
    expect(manifestDir('chrome', e)).toBe('/home/u/.config/google-chrome/NativeMessagingHosts');
    expect(manifestDir('chromium', e)).toBe('/home/u/.config/chromium/NativeMessagingHosts');
    expect(manifestDir('firefox', e)).toBe('/home/u/.mozilla/native-messaging-hosts');
    expect(manifestDir('chromium', { ...e, env: { XDG_CONFIG_HOME: '/x' } })).toBe('/x/chromium/NativeMessagingHosts');
    expect(manifestDir('chrome', { ...e, platform: 'darwin' })).toBe('/home/u/Library/Application Support/Google/Chrome/NativeMessagingHosts');
  });

  it('computes Chrome ids in the a-p alphabet, one per path', () => {
    const a = chromeIdForPath('/opt/x/dist/chrome');
    expect(a).toMatch(/^[a-p]{32}$/);
    expect(chromeIdForPath('/opt/y/dist/chrome')).not.toBe(a);
    // SHA-256("") starts e3b0c442 98fc1c14 → e=o 3=d b=l 0=a c=m 4=e 4=e 2=c
    expect(chromeIdFromBytes('').slice(0, 8)).toBe('odlameec');
  });
});

describe('launcher', () => {
  it('runs the CLI in host mode with the caller origin and the configured log, quoting odd paths', () => {
    const d = tmp();
    const cli = join(d, "it's a cli.mjs");
    writeFileSync(cli, 'console.log(JSON.stringify({ argv: process.argv.slice(2), log: process.env.COATCHECK_LOG }));\n');
    const launcher = join(d, 'launch.sh');
    writeFileSync(launcher, buildLauncher(process.execPath, cli, join(d, 'log $HOME.jsonl')), { mode: 0o755 });
    const out = execFileSync(launcher, ['chrome-extension://abc/'], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ argv: ['host', 'run', 'chrome-extension://abc/'], log: join(d, 'log $HOME.jsonl') });
  });
});

describe('host mode', () => {
  it('answers hello, appends valid findings to the JSONL log with the caller origin, rejects malformed ones', async () => {
    const log = join(tmp(), 'state', 'coatcheck', 'findings.jsonl');
    const written: Uint8Array[] = [];
    const code = await runHost({
      input: chunks(frame({ type: 'hello' }), frame({ type: 'findings', tabId: 3, pageUrl: 'https://app.example/', findings: [finding('mixup-iss-mismatch', 'critical'), { ruleId: 'x', severity: 'bogus', message: 'm' }, 'nope', finding('state-weak', 'medium')] })),
      write: (b) => void written.push(b),
      logPath: log,
      origin: 'chrome-extension://abc/',
      now: () => new Date('2026-01-02T03:04:05Z'),
    });
    expect(code).toBe(0);
    expect(replies(written)).toEqual([
      { type: 'hello', host: HOST_NAME, version: 1 },
      { type: 'ack', accepted: 2, rejected: 2 },
    ]);
    const lines = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ v: 1, receivedAt: '2026-01-02T03:04:05.000Z', origin: 'chrome-extension://abc/', tabId: 3, pageUrl: 'https://app.example/', finding: { ruleId: 'mixup-iss-mismatch' } });
    expect(lines[1].finding.ruleId).toBe('state-weak');
    expect(statSync(log).mode & 0o077).toBe(0);
  });

  it('answers a bad JSON frame and an unknown type with errors and keeps going', async () => {
    const bad = new Uint8Array(4 + 3);
    new DataView(bad.buffer).setUint32(0, 3, true);
    bad.set(new TextEncoder().encode('{x}'), 4);
    const written: Uint8Array[] = [];
    const code = await runHost({ input: chunks(bad, frame({ type: 'nope' }), frame({ type: 'hello' })), write: (b) => void written.push(b), logPath: join(tmp(), 'l.jsonl') });
    expect(code).toBe(0);
    expect(replies(written).map((r) => (r as { type?: string; code?: string }).code ?? (r as { type: string }).type)).toEqual(['FRAME_INVALID_JSON', 'UNKNOWN_TYPE', 'hello']);
  });

  it('exits 1 on a truncated frame and on an oversized frame, writing nothing', async () => {
    const log = join(tmp(), 'l.jsonl');
    const f = frame({ type: 'findings', findings: [finding('code-replay')] });
    const errs: string[] = [];
    expect(await runHost({ input: chunks(f.subarray(0, f.length - 1)), write: () => {}, logPath: log, stderr: (s) => void errs.push(s) })).toBe(1);
    expect(errs.join('')).toContain('FRAME_TRUNCATED');
    const huge = new Uint8Array(8);
    new DataView(huge.buffer).setUint32(0, 0x7fffffff, true);
    expect(await runHost({ input: chunks(huge), write: () => {}, logPath: log, stderr: (s) => void errs.push(s) })).toBe(1);
    expect(errs.join('')).toContain('FRAME_TOO_LARGE');
    expect(existsSync(log)).toBe(false);
  });

  it('hostCommand run: the browser-style invocation reads stdin frames and honours COATCHECK_LOG', async () => {
    const log = join(tmp(), 'via-env.jsonl');
    const written: Uint8Array[] = [];
    const c = capture();
    const code = await hostCommand(['chrome-extension://abcdef/', '--parent-window=0'], {
      ...c.io,
      env: { COATCHECK_LOG: log },
      stdin: chunks(frame({ type: 'findings', findings: [finding('pkce-missing')] })),
      writeStdout: (b) => void written.push(b),
    });
    expect(code).toBe(0);
    expect(replies(written)).toEqual([{ type: 'ack', accepted: 1, rejected: 0 }]);
    expect(JSON.parse(readFileSync(log, 'utf8'))).toMatchObject({ origin: 'chrome-extension://abcdef/', finding: { ruleId: 'pkce-missing' } });
  });
});

describe('watch', () => {
  const rec = (ruleId: string, severity: string) => JSON.stringify({ v: 1, receivedAt: '2026-01-02T03:04:05.000Z', tabId: 7, finding: finding(ruleId, severity) }) + '\n';

  it('--once prints the log, filtered by --min-severity, skipping malformed lines', async () => {
    const log = join(tmp(), 'f.jsonl');
    writeFileSync(log, rec('mixup-iss-mismatch', 'critical') + 'garbage\n' + rec('state-weak', 'low'));
    const c = capture();
    expect(await watchCommand(['--log', log, '--once', '--min-severity', 'medium'], c.io)).toBe(0);
    const out = c.out.join('');
    expect(out).toContain('03:04:05 CRITICAL mixup-iss-mismatch');
    expect(out).toContain('tab 7');
    expect(out).not.toContain('state-weak');
    expect(c.err.join('')).toContain('malformed');
  });

  it('prints findings appended after it started, and not the old ones', async () => {
    const log = join(tmp(), 'live.jsonl');
    writeFileSync(log, rec('old-finding', 'high'));
    const c = capture();
    const ac = new AbortController();
    const done = watchCommand(['--log', log, '--interval', '20', '--format', 'json'], { ...c.io, signal: ac.signal });
    await new Promise((r) => setTimeout(r, 60));
    const { appendFileSync } = await import('node:fs');
    appendFileSync(log, rec('new-finding', 'high').slice(0, 30));
    appendFileSync(log, rec('new-finding', 'high').slice(30));
    for (let i = 0; i < 200 && !c.out.join('').includes('new-finding'); i++) await new Promise((r) => setTimeout(r, 20));
    ac.abort();
    expect(await done).toBe(0);
    const lines = c.out.join('').trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]).finding.ruleId).toBe('new-finding');
  });

  it('formats with colour only when asked and rejects bad options', async () => {
    const r = JSON.parse(rec('code-replay', 'high'));
    expect(formatRecord(r, false)).not.toContain('\x1b[');
    expect(formatRecord(r, true)).toContain('\x1b[1;31m');
    const c = capture();
    expect(await watchCommand(['--format', 'xml'], c.io)).toBe(2);
  });
});
