/**
 * False-positive guard on realistic benign traffic: the benchmark's synthetic browsing (pages with
 * static assets, API calls with JSON bodies that carry the app's latest access token as a bearer
 * JWT, analytics beacons, and every sixth visit a PKCE + state + nonce + iss login at one of three
 * authorization servers, an SPA token exchange and refresh grants) and its OAuth-dense capture must
 * raise no finding at all. Every new rule runs over them. The token responses' and the API calls'
 * JWTs carry JSON claims, and the rules read them: the same traffic with one claim changed is
 * reported.
 */
import { describe, expect, it } from 'vitest';
import { harEntries } from '../bench/synth.mjs';
import { Engine } from '../src/core/engine';
import { observationFromHarEntry } from '../src/core/observe/from-har';
import type { HarEntry } from '../src/core/observe/from-har';

function run(entries: Iterator<unknown>, n: number, edit?: (e: HarEntry) => void): Engine {
  const e = new Engine();
  for (let i = 0; i < n; i++) {
    const entry = entries.next().value as HarEntry;
    edit?.(entry);
    e.push(observationFromHarEntry(entry, { input: 0, entry: i }));
  }
  e.finish();
  return e;
}

const b64json = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

/** rewrite one claim of the ID token in a token response */
function idTokenClaim(name: string, value: unknown) {
  return (entry: HarEntry) => {
    const content = entry.response?.content;
    if (!content?.text?.includes('"id_token"')) return;
    const body = JSON.parse(content.text) as { id_token: string };
    const [h, p, s] = body.id_token.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    body.id_token = `${h}.${b64json({ ...claims, [name]: value })}.${s}`;
    content.text = JSON.stringify(body);
  };
}

/** rewrite the header and claims of the bearer access token an API call carries */
function bearerToken(edit: (header: Record<string, unknown>, claims: Record<string, unknown>) => void) {
  const part = (p: string) => JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
  return (entry: HarEntry) => {
    for (const h of entry.request?.headers ?? []) {
      if (h.name !== 'authorization') continue;
      const [hd, p, s] = h.value.slice('Bearer '.length).split('.');
      const header = part(hd);
      const claims = part(p);
      edit(header, claims);
      h.value = `Bearer ${b64json(header)}.${b64json(claims)}.${s}`;
    }
  };
}

const ruleIds = (e: Engine) => [...new Set(e.findings.map((f) => f.ruleId))];

describe('synthetic benign browsing', () => {
  it('6 000 events (about 60 logins) raise no finding', () => {
    let bearerCalls = 0;
    const e = run(harEntries(7), 6000, (entry) => {
      if (entry.request?.headers?.some((h) => h.name === 'authorization' && h.value.startsWith('Bearer ey'))) bearerCalls += 1;
    });
    expect(bearerCalls).toBeGreaterThan(1000);
    expect(e.errors).toEqual([]);
    expect(e.flows().length).toBeGreaterThan(20);
    expect(e.findings.map((f) => `${f.ruleId}:${f.severity}: ${f.message}`)).toEqual([]);
  });

  it('the OAuth-dense capture (3 000 entries) raises no finding', () => {
    const e = run(harEntries(7, { oauthDense: true }), 3000);
    expect(e.errors).toEqual([]);
    expect(e.flows().length).toBeGreaterThan(400);
    expect(e.findings.map((f) => `${f.ruleId}:${f.severity}: ${f.message}`)).toEqual([]);
  });

  it('its ID tokens are read: another audience or nonce is reported', () => {
    expect(ruleIds(run(harEntries(7), 3000, idTokenClaim('aud', 'another-client')))).toEqual(['id-token-aud-mismatch']);
    expect(ruleIds(run(harEntries(7), 3000, idTokenClaim('nonce', 'another-nonce')))).toEqual(['nonce-reused-or-mismatch']);
  });

  it("its API calls' bearer tokens are read: another audience, or an ID token's nonce, is reported", () => {
    const otherAudience = bearerToken((_, c) => void (c.aud = 'https://elsewhere.example/api'));
    expect(ruleIds(run(harEntries(7), 3000, otherAudience))).toEqual(['bearer-audience-mismatch']);
    const idToken = bearerToken((h, c) => void ((h.typ = 'JWT'), (c.nonce = 'n-1')));
    expect(ruleIds(run(harEntries(7), 3000, idToken))).toEqual(['id-token-as-bearer']);
  });
});
