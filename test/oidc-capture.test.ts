/**
 * Real OAuth flows through the lab (a real oidc-provider, a hand-written attacker AS and broker, a
 * vulnerable platform), driven by a Node client that follows redirects by hand with a cookie jar.
 * Every hop is recorded as a HAR 1.2 entry and scanned by the core Engine, one entry at a time.
 * This is the ground truth the rules must meet: no browser, no fixtures written by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { navigateAndRecord, toHar, type HarEntryLike } from './lab/capture.mjs';
import { SCENARIOS, startLab, type Lab, type ScenarioName } from '../lab/index.mjs';
import { Engine } from '../src/core/engine';
import { observationFromHarEntry } from '../src/core/observe/from-har';
import { atLeast, type Finding } from '../src/core/report/finding';

let lab: Lab;
beforeAll(async () => {
  lab = await startLab();
});
afterAll(async () => {
  await lab?.close();
});

async function capture(name: ScenarioName) {
  const nav = await navigateAndRecord(lab.scenarioUrl(name), { pageref: `page_${name}`, ca: lab.cert });
  const har = toHar([{ id: `page_${name}`, title: name, startedDateTime: nav.entries[0].startedDateTime }], nav.entries);
  // round-trip through JSON, as a HAR file would
  const entries = (JSON.parse(JSON.stringify(har)) as typeof har).log.entries;
  const engine = new Engine();
  const findings: Finding[] = [];
  entries.forEach((e: HarEntryLike, i: number) => findings.push(...engine.push(observationFromHarEntry(e, { input: 0, entry: i }))));
  findings.push(...engine.finish());
  return { nav, entries, findings, engine };
}

const summary = (fs: Finding[]) => fs.map((f) => `${f.ruleId}:${f.severity}`);

describe('lab flows captured as HAR and scanned by the engine', () => {
  it('clean flow (platform → honest AS → /cb/honest): connects, and no finding at medium or above', async () => {
    const { nav, findings, engine, entries } = await capture('clean');
    expect(new URL(nav.finalUrl).pathname).toBe('/cb/honest');
    expect(nav.body).toContain('data-outcome="connected"');
    expect(lab.platform.outcomes.at(-1)).toMatchObject({ context: 'tool:honest', outcome: 'connected' });
    // the capture is a real chain: AREQ with PKCE and state, code + iss on the callback
    expect(entries.length).toBeGreaterThanOrEqual(5);
    expect(entries.at(-1)!.request.url).toMatch(/[?&]iss=/);
    expect(engine.flows().length).toBeGreaterThanOrEqual(1);
    expect(engine.errors).toEqual([]);
    expect(summary(findings.filter((f) => atLeast(f.severity, 'medium')))).toEqual([]);
  });

  it('COAT (attacker tool AS bounces to the honest AS with the same state): coat-context-switch and callback-context-mismatch', async () => {
    const stolenBefore = lab.attacker.stolen.length;
    const { nav, findings, engine } = await capture('coat');
    // the attack really happened: the honest code came back through /cb/honest and the platform
    // handed it to the attacker's token endpoint
    expect(new URL(nav.finalUrl).pathname).toBe('/cb/honest');
    expect(lab.platform.outcomes.at(-1)).toMatchObject({ path: '/cb/honest', context: 'tool:attacker' });
    expect(lab.attacker.stolen.length).toBe(stolenBefore + 1);
    expect(engine.errors).toEqual([]);
    const ids = findings.map((f) => f.ruleId);
    expect(ids).toContain('coat-context-switch');
    expect(ids).toContain('callback-context-mismatch');
    expect(findings.find((f) => f.ruleId === 'coat-context-switch')!.severity).toBe('critical');
    // secrets are redacted in what the engine reports
    const text = JSON.stringify(findings);
    for (const s of lab.issuedSecrets()) expect(text).not.toContain(s);
  });

  for (const name of ['mixup', 'forged', 'implicit', 'brokered', 'open-redirect'] as const) {
    const sc = SCENARIOS[name];
    const what = sc.quiet ? 'no finding at medium or above' : sc.expect.join(' and ');
    it(`${name}: ${what}`, async () => {
      const { nav, findings, engine } = await capture(name);
      expect(new URL(nav.finalUrl).pathname).toBe(sc.endsAt);
      expect(engine.errors).toEqual([]);
      if (sc.quiet) expect(summary(findings.filter((f) => atLeast(f.severity, 'medium'))), JSON.stringify(findings.filter((f) => atLeast(f.severity, 'medium')).map((f) => [f.message, f.evidence]), null, 1)).toEqual([]);
      const ids = findings.map((f) => f.ruleId);
      for (const id of sc.expect) expect(ids, `${name} findings: ${summary(findings).join(', ')}`).toContain(id);
    });
  }

  it('the lab itself reported no server or AS errors', () => {
    expect(lab.errors()).toEqual([]);
  });
});
