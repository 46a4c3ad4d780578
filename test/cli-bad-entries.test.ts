/**
 * One bad entry does not sink a capture (#9.6): a HAR whose file reads fine but one entry is
 * unusable (not an object, a 2+ MiB URL, a header that is not a string) is scanned; the entry is
 * skipped with a warning naming it (stderr, `notifications` and `inputs[].warnings` in the JSON
 * report, `invocations[0].toolExecutionNotifications` in SARIF) and the exit code follows the
 * findings. What cannot be read at all (not JSON, truncated, no log.entries) stays exit 2.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv-draft-04';
import { describe, expect, it } from 'vitest';
import { scanCommand, type ScanIO } from '../src/companion/scan';
import { har, q, rnd } from './cli-har';

const dir = mkdtempSync(join(tmpdir(), 'coatcheck-bad-'));
const file = (name: string, content: string) => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};
async function scan(argv: string[], io: Partial<ScanIO> = {}) {
  let out = '';
  let err = '';
  const code = await scanCommand(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t), stderrIsTTY: false, ...io });
  return { code, out, err };
}

// an implicit-grant flow (a high finding) with three unusable entries slipped in
const state = rnd(16);
const CB = 'https://app.example/cb';
const base = JSON.parse(
  har([
    // the browser's session cookie, as any browser capture has (else a warning that the cookie rules could not judge)
    { url: 'https://app.example/login', requestHeaders: { Cookie: `sid=${rnd(12)}` } },
    { url: `https://as.example/authorize?${q({ response_type: 'token', client_id: 'spa-1', redirect_uri: CB, state })}`, location: `${CB}#${q({ access_token: `AT${rnd(30)}`, token_type: 'Bearer', state })}` },
    { url: CB },
  ]),
) as { log: { entries: Record<string, unknown>[] } };
const good = base.log.entries;
const longUrl = structuredClone(good[0]) as { request: { url: string } };
longUrl.request.url = `https://app.example/?x=${'a'.repeat(2_200_000)}`;
const badHeader = structuredClone(good[0]) as { request: { headers: unknown[] } };
badHeader.request.headers = [{ name: 'X-Count', value: 5 }];
const mixed = { log: { ...base.log, entries: [good[0], 42, longUrl, good[1], badHeader, good[2]] } };
const path = file('mixed.har', JSON.stringify(mixed));

describe('coatcheck scan: unusable entries are skipped and named', () => {
  it('text: exit follows the findings (1 for the implicit grant); the report names each skipped entry, and stderr does when the report goes elsewhere', async () => {
    const r = await scan([path]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('implicit-grant');
    expect(r.out.split('\n').filter((l) => l.includes('skipped'))).toHaveLength(3);
    const j = await scan(['--format', 'json', path]);
    const warnings = j.err.split('\n').filter((l) => l.includes('skipped'));
    expect(warnings).toEqual([
      expect.stringMatching(/^coatcheck scan: warning: .*mixed\.har: entry 1 skipped: not a HAR entry: .*expected object.* \(bytes \d+–\d+\)$/),
      expect.stringMatching(/entry 2 skipped: request\.url is 2\.1 MB long, over the 2 MiB URL limit/),
      expect.stringMatching(/entry 4 skipped: request\.headers\.0\.value: .*expected string/),
    ]);
  });

  it('JSON: the same findings as without the bad entries, and notifications naming them', async () => {
    const r = await scan(['--format', 'json', path]);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    const clean = JSON.parse((await scan(['--format', 'json', file('clean.har', JSON.stringify(base))])).out);
    expect(j.findings.map((f: { ruleId: string }) => f.ruleId).sort()).toEqual(clean.findings.map((f: { ruleId: string }) => f.ruleId).sort());
    expect(j.inputs[0].entries).toBe(6);
    expect(j.notifications.map((n: { message: string }) => n.message.match(/^entry \d+ skipped/)?.[0])).toEqual(['entry 1 skipped', 'entry 2 skipped', 'entry 4 skipped']);
    expect(j.notifications.every((n: { level: string; input: number }) => n.level === 'warning' && n.input === 0)).toBe(true);
    expect(j.inputs[0].warnings).toHaveLength(3);
  });

  it('SARIF: toolExecutionNotifications name them, and the log stays schema-valid', async () => {
    const r = await scan(['--format', 'sarif', path]);
    expect(r.code).toBe(1);
    const sarif = JSON.parse(r.out);
    const notes = sarif.runs[0].invocations[0].toolExecutionNotifications as { level: string; message: { text: string } }[];
    expect(notes.filter((n) => /entry \d+ skipped/.test(n.message.text)).map((n) => n.level)).toEqual(['warning', 'warning', 'warning']);
    const schema = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures/vectors/sarif/sarif-schema-2.1.0.json'), 'utf8'));
    const validate = new Ajv({ allErrors: true, strict: false, validateFormats: false }).compile(schema);
    expect(validate(sarif), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
  });

  it('what cannot be read at all is still exit 2 with where it breaks', async () => {
    const truncated = await scan([file('trunc.har', JSON.stringify(mixed).slice(0, 3000))]);
    expect(truncated.code).toBe(2);
    expect(truncated.err).toMatch(/truncated at byte/);
    expect((await scan([file('notjson.har', 'hello')])).code).toBe(2);
    expect((await scan([file('noentries.har', '{"log":{"version":"1.2"}}')])).code).toBe(2);
  });
});
