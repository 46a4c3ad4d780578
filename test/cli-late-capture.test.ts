/**
 * G6 late capture through the CLI path (`coatcheck scan` of HAR files, detectors.md §0.5 G6,
 * issue #21 item 4): a capture that starts in the middle of a login cannot show where the
 * callback's state was issued (unsolicited-callback low, heuristic, the reason in the evidence);
 * a complete capture with a forged callback keeps high.
 *
 * The HARs are written here in the shape of a Google login recorded late (recording pressed on the
 * consent screen, after the authorization request) and of a complete capture; no real data.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanCommand } from '../src/companion/scan';
import { har, q, rnd } from './cli-har';

const dir = mkdtempSync(join(tmpdir(), 'coatcheck-late-'));
const APP = 'https://app.example';
const CB = `${APP}/login/oauth2/code/google`;
const GOOGLE = 'https://accounts.google.com';

interface Finding {
  ruleId: string;
  severity: string;
  confidence: string;
  message: string;
  evidence: { note?: string; entry?: number }[];
}

async function unsolicited(name: string, content: string): Promise<Finding[]> {
  const path = join(dir, name);
  writeFileSync(path, content);
  let out = '';
  await scanCommand(['--format', 'json', path], { stdout: (t) => (out += t), stderr: () => {}, stderrIsTTY: false });
  return (JSON.parse(out).findings as Finding[]).filter((f) => f.ruleId === 'unsolicited-callback');
}

const callback = (state: string) => `${CB}?${q({ state, code: `4/0A${rnd(40)}`, scope: 'email openid', authuser: '0', prompt: 'consent' })}`;

describe('coatcheck scan: G6 late capture', () => {
  it('recording started on the consent screen (the authorization request is not in the capture) → low, heuristic, G6 in the evidence', async () => {
    const cb = callback(rnd(24));
    const fs = await unsolicited(
      'late-consent.har',
      har([
        { url: `${GOOGLE}/signin/oauth/consent?authuser=0&part=${rnd(20)}`, at: 0 },
        { url: `${GOOGLE}/signin/oauth/consent/approve`, form: { part: rnd(20), approved: 'true' }, location: cb, at: 6 },
        { url: cb, location: `${APP}/`, at: 7 },
        { url: `${APP}/`, at: 8 },
      ]),
    );
    expect(fs.map((f) => [f.severity, f.confidence])).toEqual([['low', 'heuristic']]);
    expect(fs[0].message).toMatch(/G6: the capture begins 7 s before this response .*no authorization request of https:\/\/app\.example/);
    expect(fs[0].evidence.some((e) => /^G6 late capture: /.test(e.note ?? ''))).toBe(true);
  });

  it('the callback is the first entry of the capture → low, and says nothing was captured before it', async () => {
    const fs = await unsolicited('late-callback-first.har', har([{ url: callback(rnd(24)), location: `${APP}/`, at: 0 }, { url: `${APP}/`, at: 1 }]));
    expect(fs.map((f) => f.severity)).toEqual(['low']);
    expect(fs[0].message).toMatch(/nothing in this tab or page was captured before this response/);
  });

  it('a complete capture (the client\'s own login, then an attacker page delivers a forged callback) → high, strong', async () => {
    const S = rnd(24);
    const areq = `${GOOGLE}/o/oauth2/v2/auth?${q({ response_type: 'code', client_id: '1234-web.apps.googleusercontent.com', scope: 'openid email', state: S, redirect_uri: CB, nonce: rnd(24) })}`;
    const own = callback(S);
    const forged = callback(rnd(24));
    const fs = await unsolicited(
      'complete-forged.har',
      har([
        { url: `${APP}/`, at: 0 },
        { url: `${APP}/oauth2/authorization/google`, location: areq, at: 2 },
        { url: areq, at: 3 },
        { url: `${GOOGLE}/signin/oauth/consent/approve`, form: { part: rnd(20), approved: 'true' }, location: own, at: 20 },
        { url: own, location: `${APP}/`, at: 21 },
        { url: `${APP}/`, at: 22 },
        { url: 'https://attacker.example/lure', location: forged, at: 120 },
        { url: forged, location: `${APP}/`, at: 121 },
      ]),
    );
    expect(fs.map((f) => [f.severity, f.confidence])).toEqual([['high', 'strong']]);
    expect(fs[0].evidence.some((e) => /G6/.test(e.note ?? ''))).toBe(false);
  });

  it('a capture that covers the 30 minutes before a forged callback (no request of the client) → high', async () => {
    const forged = callback(rnd(24));
    const fs = await unsolicited(
      'covered-forged.har',
      har([
        { url: 'https://news.example/', at: 0 },
        { url: 'https://news.example/story/1', at: 900 },
        { url: 'https://attacker.example/lure', location: forged, at: 1850 },
        { url: forged, location: `${APP}/`, at: 1851 },
      ]),
    );
    expect(fs.map((f) => f.severity)).toEqual(['high']);
  });
});
