import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv-draft-04';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ScanIO, scanCommand } from '../src/companion/scan';
import { allRules } from '../src/core/rules/index';
import { har, q, rnd } from './cli-har';

const dir = mkdtempSync(join(tmpdir(), 'coatcheck-scan-'));

function file(name: string, content: string | Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

interface Run {
  code: number;
  out: string;
  err: string;
}

async function scan(argv: string[], io: Partial<ScanIO> = {}): Promise<Run> {
  let out = '';
  let err = '';
  const code = await scanCommand(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t), stderrIsTTY: false, ...io });
  return { code, out, err };
}

const AS = 'https://as.example/authorize';
const CB = 'https://app.example/cb';
const state = rnd(16);
const token = `AT${rnd(30)}`;
// the browser's session cookie on the first navigation, as any browser capture has (without any, the
// scan adds a warning that cookie rules could not judge: test/cli-sanitized.test.ts)
const sessionCookie = { Cookie: `sid=${rnd(12)}` };
const implicitHar = har([
  { url: 'https://app.example/login', requestHeaders: sessionCookie },
  { url: `${AS}?${q({ response_type: 'token', client_id: 'spa-1', redirect_uri: CB, state })}`, location: `${CB}#${q({ access_token: token, token_type: 'Bearer', state })}` },
  { url: CB },
]);
const ropcHar = har([{ url: 'https://as.example/token', form: { grant_type: 'password', username: 'alice', password: 'hunter2', client_id: 'c9' }, resourceType: 'fetch', responseJson: { access_token: rnd(), token_type: 'Bearer', expires_in: 300 } }]);
const cleanHar = har([
  { url: 'https://app.example/', requestHeaders: sessionCookie },
  {
    url: `${AS}?${q({ response_type: 'code', client_id: 'web', redirect_uri: CB, state: rnd(16), code_challenge: rnd(32).slice(0, 43), code_challenge_method: 'S256' })}`,
    location: `${CB}?${q({ code: rnd(20), state: 'x' })}`,
  },
]);

let implicitPath: string;
let ropcPath: string;
let cleanPath: string;
beforeAll(() => {
  implicitPath = file('implicit.har', implicitHar);
  ropcPath = file('ropc.har', ropcHar);
  cleanPath = file('clean.har', cleanHar);
});

describe('scan --format json', () => {
  it('reports the schema of companion-cli.md, redacted by default', async () => {
    const r = await scan(['--format', 'json', implicitPath]);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    expect(j.version).toBe(1);
    expect(j.tool).toEqual({ name: 'coatcheck', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    expect(j.inputs).toEqual([{ path: implicitPath, entries: 3, pages: 1 }]);
    const f = j.findings.find((x: { ruleId: string }) => x.ruleId === 'implicit-grant');
    expect(f).toMatchObject({ severity: 'high', confidence: expect.any(String), title: expect.any(String), references: expect.any(Array) });
    expect(f.evidence[0]).toMatchObject({ input: 0, entry: 1 });
    expect(f.flowId).toEqual(expect.any(String));
    const flow = j.flows.find((x: { id: string }) => x.id === f.flowId);
    expect(flow).toMatchObject({ issuer: 'https://as.example', clientId: 'spa-1', redirectUri: CB });
    expect(flow.steps[0]).toEqual({ input: 0, entry: 1, kind: 'authorization-request' });
    // no secret in full anywhere
    expect(r.out).not.toContain(state);
    expect(r.out).not.toContain(token);
    expect(r.err).toBe('');
  });

  it('shows secrets with --reveal', async () => {
    const r = await scan(['--format=json', '--reveal', implicitPath]);
    expect(r.out).toContain(state);
  });

  it('gives input indexes per file and counts entries', async () => {
    const r = await scan(['--format', 'json', cleanPath, ropcPath]);
    const j = JSON.parse(r.out);
    expect(j.inputs.map((i: { entries: number }) => i.entries)).toEqual([2, 1]);
    const ropc = j.findings.find((x: { ruleId: string }) => x.ruleId === 'ropc-grant');
    expect(ropc.evidence[0]).toMatchObject({ input: 1, entry: 0 });
    expect(r.out).not.toContain('hunter2');
  });
});

describe('scan exit codes and filters', () => {
  it('exits 1 at the default --fail-on high, 0 above it or with none', async () => {
    expect((await scan(['--format', 'json', '--rules', 'implicit-grant', implicitPath])).code).toBe(1);
    expect((await scan(['--format', 'json', '--rules', 'implicit-grant', '--fail-on', 'critical', implicitPath])).code).toBe(0);
    expect((await scan(['--format', 'json', '--fail-on', 'none', implicitPath])).code).toBe(0);
  });

  it('--rules and --disable select rules; unknown ids are a usage error', async () => {
    const only = JSON.parse((await scan(['--format', 'json', '--rules', 'ropc-grant', implicitPath])).out);
    expect(only.findings).toEqual([]);
    const off = JSON.parse((await scan(['--format', 'json', '--disable', 'implicit-grant', implicitPath])).out);
    expect(off.findings.map((f: { ruleId: string }) => f.ruleId)).not.toContain('implicit-grant');
    const bad = await scan(['--rules', 'no-such-rule', implicitPath]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/unknown rule id 'no-such-rule'/);
    expect(bad.out).toBe('');
  });

  it('--min-severity hides lower findings and they no longer fail the run', async () => {
    const r = await scan(['--format', 'json', '--rules', 'implicit-grant', '--min-severity', 'critical', implicitPath]);
    expect(JSON.parse(r.out).findings).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('rejects bad arguments with exit 2 and a hint', async () => {
    for (const argv of [[], ['--format', 'xml', implicitPath], ['--fail-on', 'severe', implicitPath], ['--bogus', implicitPath], ['--output'], ['-', '-']]) {
      const r = await scan(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toMatch(/^coatcheck scan: /);
    }
  });

  it('--help prints usage and exits 0', async () => {
    const r = await scan(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Usage: coatcheck scan/);
  });

  it('--output writes the report to a file and nothing to stdout', async () => {
    const out = join(dir, 'report.json');
    const r = await scan(['--format', 'json', '--output', out, implicitPath]);
    expect(r.out).toBe('');
    expect(JSON.parse(readFileSync(out, 'utf8')).version).toBe(1);
  });
});

describe('scan --format sarif', () => {
  const schema = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures/vectors/sarif/sarif-schema-2.1.0.json'), 'utf8'));
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addFormat('uri', (s: string) => {
    try {
      return Boolean(new URL(s));
    } catch {
      return false;
    }
  });
  ajv.addFormat('uri-reference', (s: string) => {
    try {
      return Boolean(new URL(s, 'http://base.invalid/'));
    } catch {
      return false;
    }
  });
  ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)));
  const validate = ajv.compile(schema);

  it('is valid SARIF 2.1.0 with the rule catalogue and located results', async () => {
    const r = await scan(['--format', 'sarif', implicitPath, ropcPath]);
    const s = JSON.parse(r.out);
    expect(validate(s), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const run = s.runs[0];
    expect(run.tool.driver.rules.map((x: { id: string }) => x.id)).toEqual(allRules.map((x) => x.meta.id));
    for (const rule of run.tool.driver.rules) expect(rule.helpUri).toMatch(new RegExp(`/docs/rules/${rule.id}\\.md$`));
    const res = run.results.find((x: { ruleId: string }) => x.ruleId === 'implicit-grant');
    expect(res.level).toBe('error');
    expect(run.tool.driver.rules[res.ruleIndex].id).toBe('implicit-grant');
    const loc = res.locations[0];
    expect(loc.physicalLocation.artifactLocation.uri).toMatch(/^file:\/\/\/.*implicit\.har$/);
    expect(loc.logicalLocations[0].fullyQualifiedName).toBe('log.entries[1]');
    // the region is the entry's exact bytes
    const bytes = readFileSync(implicitPath);
    const { byteOffset, byteLength } = loc.physicalLocation.region;
    const entry = JSON.parse(bytes.subarray(byteOffset, byteOffset + byteLength).toString('utf8'));
    expect(entry).toEqual(JSON.parse(implicitHar).log.entries[1]);
    const ropc = run.results.find((x: { ruleId: string }) => x.ruleId === 'ropc-grant');
    expect(ropc.locations[0].physicalLocation.artifactLocation.index).toBe(1);
  });

  it('is valid with no findings at all', async () => {
    const r = await scan(['--format', 'sarif', '--rules', 'ropc-grant', cleanPath]);
    const s = JSON.parse(r.out);
    expect(validate(s)).toBe(true);
    expect(s.runs[0].results).toEqual([]);
  });
});

describe('scan text report', () => {
  it('groups findings under their flow, plain when not coloured', async () => {
    const r = await scan([implicitPath], { color: false });
    expect(r.out).toMatch(/^Flow f\d+ {2}issuer https:\/\/as\.example · client_id spa-1/m);
    expect(r.out).toMatch(/HIGH implicit-grant/);
    expect(r.out).toMatch(/implicit\.har entry 1/);
    expect(r.out).toMatch(/finding.*· 1 OAuth flow · 3 entries in 1 file\n$/);
    expect(r.out).not.toContain('\u001b[');
    expect(r.out).not.toContain(state);
  });

  it('uses ANSI colour when asked, never in a file', async () => {
    expect((await scan([implicitPath], { color: true })).out).toContain('\u001b[');
    const out = join(dir, 'report.txt');
    await scan(['-o', out, implicitPath], { color: true });
    expect(readFileSync(out, 'utf8')).not.toContain('\u001b[');
  });

  it('says so when there is nothing', async () => {
    const r = await scan(['--rules', 'ropc-grant', cleanPath]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^No findings · 1 OAuth flow · 2 entries in 1 file\n$/);
  });
});

describe('scan input errors: exit 2, the file named, no stack trace', () => {
  const cases: [string, string | Uint8Array, RegExp][] = [
    ['not-json.har', '<html><body>login</body></html>', /not-json\.har: not JSON: unexpected '<' at byte 0/],
    ['empty.har', '', /empty\.har: not JSON: the file is empty/],
    ['truncated.har', implicitHar.slice(0, implicitHar.indexOf('"entries"') + 900), /truncated\.har: truncated at byte \d+, inside entry 1 .*after entry 0 \(1 complete entry\)/],
    ['no-entries.har', JSON.stringify({ log: { version: '1.2', creator: { name: 'x', version: '1' } } }), /no-entries\.har: not a HAR: log has no "entries" array/],
    ['no-log.har', JSON.stringify({ foo: 1 }), /no-log\.har: not a HAR: the top-level object has no "log" member/],
  ];
  // an unusable entry in a readable file is skipped with a warning, not exit 2 (#9.6; more in cli-bad-entries.test.ts)
  for (const [name, content, message] of [
    ['missing-fields.har', JSON.stringify({ log: { entries: [JSON.parse(cleanHar).log.entries[0], { startedDateTime: '2026-01-15T10:00:00Z', request: { method: 'GET' } }] } }), /missing-fields\.har: entry 1 skipped: request\.url: .*\(bytes \d+–\d+\)/],
    ['huge-url.har', har([{ url: `https://app.example/?q=${'a'.repeat(10 * 1024 * 1024)}` }]), /huge-url\.har: entry 0 skipped: request\.url is 10\.0 MB long, over the 2 MiB URL limit/],
  ] as const) {
    it(`${name}: the entry is skipped with a warning, the scan goes on`, async () => {
      const j = await scan(['--format', 'json', file(name, content)]);
      expect(j.code).toBe(0);
      expect(j.err).toMatch(message);
      expect(JSON.parse(j.out).notifications[0].message).toMatch(/skipped/);
    });
  }
  for (const [name, content, message] of cases) {
    it(name, async () => {
      const p = file(name, content);
      const r = await scan([p]);
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toMatch(message);
      expect(r.err).not.toMatch(/\n\s+at /);
      const j = await scan(['--format', 'json', p]);
      expect(j.code).toBe(2);
      expect(JSON.parse(j.out)).toEqual({ error: { message: expect.stringMatching(message) } });
    });
  }

  it('a missing file', async () => {
    const r = await scan([join(dir, 'nope.har')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/nope\.har: no such file/);
    expect(r.out).toBe('');
  });

  it('a directory', async () => {
    const r = await scan([dir]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/is a directory/);
  });

  it('broken percent-encoding is scanned, not fatal: browsers record such URLs as sent', async () => {
    const p = file('percent.har', har([{ url: `${AS}?${q({ response_type: 'token', client_id: 'c', redirect_uri: CB })}&state=%E0%A4%A&x=%zz%` }, { url: 'https://app.example/%%%/%C0%AF?code=%FF' }]));
    const r = await scan(['--format', 'json', p]);
    expect([0, 1]).toContain(r.code);
    const j = JSON.parse(r.out);
    expect(j.inputs[0].entries).toBe(2);
    expect(j.findings.map((f: { ruleId: string }) => f.ruleId)).toContain('implicit-grant');
  });

  it('reads standard input with -', async () => {
    const r = await scan(['--format', 'json', '-'], {
      openInput: (path) => {
        expect(path).toBe('-');
        const bytes = new TextEncoder().encode(implicitHar);
        return (async function* () {
          for (let i = 0; i < bytes.length; i += 7) yield bytes.subarray(i, i + 7);
        })();
      },
    });
    const j = JSON.parse(r.out);
    expect(j.inputs).toEqual([{ path: '-', entries: 3, pages: 1 }]);
    expect(r.code).toBe(1);
  });

  it('draws progress on a terminal and clears it', async () => {
    const r = await scan(['--format', 'json', implicitPath], { stderrIsTTY: true });
    expect(r.err).toMatch(/\r\u001b\[K$/);
  });
});
