/**
 * SARIF partialFingerprints stay stable across runs (#14): GitHub code scanning matches alerts
 * between uploads on them, so two captures of the same flow — fresh states, codes and PKCE values,
 * other traffic around it — must give the same fingerprints, and different flaws different ones.
 */
import { describe, expect, it } from 'vitest';
import { createScanner } from '../src/lib/index';
import { har, q, rnd } from './cli-har';

function coatCapture(noise: number): unknown[] {
  const state = rnd(16);
  const challenge = rnd(32);
  const code = rnd(20);
  const txn = rnd(18);
  const cb = (tool: string) => `https://platform.example/oauth/${tool}-cb`;
  const areq = (as: string, client: string, tool: string) => `${as}?${q({ response_type: 'code', client_id: client, redirect_uri: cb(tool), state, code_challenge: challenge, code_challenge_method: 'S256' })}`;
  const entries = [
    ...Array.from({ length: noise }, (_, i) => ({ url: `https://platform.example/assets/app-${rnd(6)}.js?v=${i}`, resourceType: 'script' })),
    { url: 'https://platform.example/settings/tools' },
    { url: `https://platform.example/connect/charts?txn=${txn}`, location: areq('https://attacker-as.example/oauth/authorize', 'attacker-client', 'attack') },
    { url: areq('https://attacker-as.example/oauth/authorize', 'attacker-client', 'attack'), location: areq('https://honest-as.example/authorize', 'honest-client', 'honest') },
    { url: areq('https://honest-as.example/authorize', 'honest-client', 'honest'), location: `${cb('honest')}?${q({ code, state })}` },
    { url: `${cb('honest')}?${q({ code, state })}` },
  ];
  return (JSON.parse(har(entries)) as { log: { entries: unknown[] } }).log.entries;
}

function fingerprints(entries: unknown[]): string[] {
  const s = createScanner();
  for (const e of entries) s.pushHarEntry(e);
  const sarif = s.sarif() as { runs: { results: { ruleId: string; partialFingerprints: Record<string, string> }[] }[] };
  return sarif.runs[0].results.map((r) => r.partialFingerprints['coatcheck/v2']).sort();
}

describe('SARIF partialFingerprints', () => {
  it('two captures of the same COAT flow, with new random values and more traffic before it, give the same fingerprints', () => {
    const a = fingerprints(coatCapture(0));
    const b = fingerprints(coatCapture(7));
    expect(a.length).toBeGreaterThanOrEqual(2);
    expect(a.some((f) => f.startsWith('coat-context-switch|'))).toBe(true);
    expect(b).toEqual(a);
    // no value of the capture is in them (they are not secrets, and not random)
    for (const f of a) expect(f).not.toMatch(/state=|code=/);
  });

  it('different findings get different fingerprints', () => {
    const a = fingerprints(coatCapture(0));
    expect(new Set(a).size).toBe(a.length);
  });
});
