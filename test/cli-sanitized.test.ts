/**
 * A sanitized export (Chrome DevTools' "Export HAR (sanitized)" drops Cookie and Set-Cookie) looks
 * clean to the rules that read cookies: the scan says they could not judge it (insufficient
 * evidence, detectors.md §0.1), in the JSON report's inputs[].warnings and on stderr. Tested on a
 * real capture (Playwright recordHar in Chromium, the lab's clean flow) and the same capture with
 * its cookie headers removed, as a sanitizing exporter leaves it.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanCommand } from '../src/companion/scan';
import { COOKIE_RULES } from '../src/core/observe/coverage';

const real = join(import.meta.dirname, 'fixtures/har/lab-chromium-history.har');
type Header = { name: string; value: string };
type Entry = { request: { headers: Header[]; cookies?: unknown[] }; response: { headers: Header[]; cookies?: unknown[] } };

async function scanJson(path: string) {
  let out = '';
  let err = '';
  const code = await scanCommand(['--format', 'json', '--fail-on', 'none', path], { stdout: (t) => (out += t), stderr: (t) => (err += t), stderrIsTTY: false });
  return { code, json: JSON.parse(out) as { inputs: { warnings?: string[] }[] }, err };
}

describe('coatcheck scan: a capture without cookies says which rules could not judge it', () => {
  it('the real capture (cookies present): no such warning', async () => {
    const har = JSON.parse(readFileSync(real, 'utf8')) as { log: { entries: Entry[] } };
    // the capture does carry cookies (the AS's session, the platform's)
    expect(har.log.entries.some((e) => e.request.headers.some((h) => /^cookie$/i.test(h.name)) || e.response.headers.some((h) => /^set-cookie$/i.test(h.name)))).toBe(true);
    const r = await scanJson(real);
    expect(r.code).toBe(0);
    expect((r.json.inputs[0].warnings ?? []).filter((w) => w.includes('Cookie'))).toEqual([]);
  });

  it('the same capture sanitized (Cookie and Set-Cookie removed): one warning naming the cookie rules, on stderr too', async () => {
    const har = JSON.parse(readFileSync(real, 'utf8')) as { log: { entries: Entry[] } };
    for (const e of har.log.entries) {
      e.request.headers = e.request.headers.filter((h) => !/^cookie$/i.test(h.name));
      e.response.headers = e.response.headers.filter((h) => !/^set-cookie$/i.test(h.name));
      e.request.cookies = [];
      e.response.cookies = [];
    }
    const path = join(mkdtempSync(join(tmpdir(), 'coatcheck-sanitized-')), 'sanitized.har');
    writeFileSync(path, JSON.stringify(har));
    const r = await scanJson(path);
    const w = (r.json.inputs[0].warnings ?? []).filter((x) => x.includes('Cookie'));
    expect(w).toHaveLength(1);
    for (const id of COOKIE_RULES) expect(w[0]).toContain(id);
    expect(r.err).toContain('insufficient evidence');
  });
});
