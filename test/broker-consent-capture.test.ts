/**
 * Shared consent in brokered OAuth (#20 part 4, broker-consent-shared) through the live lab, at
 * the HAR level: the platform signs in through the broker (upstream registration broker-upstream
 * at the real oidc-provider), then the marketplace app signs in through the same broker in the
 * same browser (one cookie jar, one page). Every hop is a HAR entry; the core Engine scans the
 * JSON round-tripped capture. The attack shares the upstream registration with no page; the benign
 * twins register per client, or show the broker's consent page naming the second client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar, navigateAndRecord, toHar, type HarEntryLike } from './lab/capture.mjs';
import { BROKER_SCENARIOS, startLab, type BrokerScenarioName, type Lab } from '../lab/index.mjs';
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

async function capture(name: BrokerScenarioName) {
  const jar = new CookieJar();
  const pageref = `page_${name}`;
  const s = BROKER_SCENARIOS[name];
  const first = await navigateAndRecord(lab.scenarioUrl(s.first), { pageref, ca: lab.cert, jar });
  const entries = [...first.entries];
  let nav = await navigateAndRecord(lab.brokerScenarioUrl(name), { pageref, ca: lab.cert, jar });
  entries.push(...nav.entries);
  let consentShown = false;
  if (s.consentPage) {
    // the broker's consent page names the client; the user clicks Allow (a link)
    const allow = /id="allow" href="([^"]+)"/.exec(nav.body)?.[1];
    expect(allow, 'the broker showed its consent page').toBeDefined();
    consentShown = nav.body.includes('marketplace-app-consent');
    nav = await navigateAndRecord(new URL(allow!, nav.finalUrl).href, { pageref, ca: lab.cert, jar });
    entries.push(...nav.entries);
  }
  const har = toHar([{ id: pageref, title: name, startedDateTime: entries[0].startedDateTime }], entries);
  const roundTripped = (JSON.parse(JSON.stringify(har)) as typeof har).log.entries;
  const engine = new Engine();
  const findings: Finding[] = [];
  roundTripped.forEach((e: HarEntryLike, i: number) => findings.push(...engine.push(observationFromHarEntry(e, { input: 0, entry: i }))));
  findings.push(...engine.finish());
  return { first, nav, engine, findings, consentShown, entries: roundTripped };
}

const summary = (fs: Finding[]) => fs.map((f) => `${f.ruleId}:${f.severity}`);

describe('shared consent in brokered OAuth, live lab captured as HAR', () => {
  it('attack: the broker answers the marketplace app through the platform\'s upstream registration with no page: broker-consent-shared (medium)', async () => {
    const { first, nav, engine, findings, entries } = await capture('broker-shared');
    expect(first.body).toContain('data-outcome="connected"');
    expect(nav.body).toContain('data-outcome="connected"');
    expect(new URL(nav.finalUrl).pathname).toBe(BROKER_SCENARIOS['broker-shared'].endsAt);
    // both chains went to the honest AS with the same upstream client_id
    const upstream = entries.filter((e: HarEntryLike) => new URL(e.request.url).host.startsWith('honest-as.example') && new URL(e.request.url).pathname === '/auth');
    expect(upstream.map((e: HarEntryLike) => new URL(e.request.url).searchParams.get('client_id'))).toEqual(['broker-upstream', 'broker-upstream']);
    expect(engine.errors).toEqual([]);
    const hits = findings.filter((f) => f.ruleId === 'broker-consent-shared');
    expect(hits.map((f) => f.severity), summary(findings).join(', ')).toEqual(['medium']);
    expect(hits[0].message).toMatch(/marketplace-app.*broker-upstream.*platform-at-broker/);
    expect(hits[0].references).toEqual(['draft-ietf-oauth-security-topics-update-03 §2.4 (Shared Consent in Brokered OAuth)']);
    // nothing else at medium or above: the flows themselves are clean
    expect(summary(findings.filter((f) => atLeast(f.severity, 'medium') && f.ruleId !== 'broker-consent-shared'))).toEqual([]);
  });

  it('benign twin: a separate upstream registration for the marketplace app raises nothing', async () => {
    const { nav, engine, findings, entries } = await capture('broker-per-client');
    expect(nav.body).toContain('data-outcome="connected"');
    const upstream = entries.filter((e: HarEntryLike) => new URL(e.request.url).pathname === '/auth');
    expect(upstream.map((e: HarEntryLike) => new URL(e.request.url).searchParams.get('client_id'))).toEqual(['broker-upstream', 'broker-upstream-marketplace']);
    // the engine followed both brokered chains (so silence means something)
    expect(engine.flows().filter((f) => f.children.length > 0).map((f) => f.clientId)).toEqual(['platform-at-broker', 'marketplace-app-own']);
    expect(summary(findings.filter((f) => f.ruleId === 'broker-consent-shared' || atLeast(f.severity, 'medium')))).toEqual([]);
  });

  it('benign twin: the broker shows its consent page naming the marketplace app before going upstream; nothing raised', async () => {
    const { nav, engine, findings, consentShown, entries } = await capture('broker-consent');
    expect(consentShown).toBe(true);
    expect(nav.body).toContain('data-outcome="connected"');
    const upstream = entries.filter((e: HarEntryLike) => new URL(e.request.url).pathname === '/auth');
    expect(upstream.map((e: HarEntryLike) => new URL(e.request.url).searchParams.get('client_id'))).toEqual(['broker-upstream', 'broker-upstream']);
    expect(engine.flows().filter((f) => f.children.length > 0).map((f) => f.clientId)).toEqual(['platform-at-broker', 'marketplace-app-consent']);
    expect(summary(findings.filter((f) => f.ruleId === 'broker-consent-shared' || atLeast(f.severity, 'medium')))).toEqual([]);
  });

  it('the lab issued no error on the way', () => {
    expect(lab.errors()).toEqual([]);
    expect(lab.marketplace.outcomes.map((o) => `${o.client}:${o.outcome}`)).toEqual(['marketplace-app:connected', 'marketplace-app-own:connected', 'marketplace-app-consent:connected']);
  });
});
