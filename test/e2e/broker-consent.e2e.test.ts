/**
 * Shared consent in brokered OAuth (#20 part 4) in real headless Chromium with the built
 * extension, against the live lab: in one tab the platform signs in through the broker, then the
 * marketplace app signs in through the same broker. The attack (one upstream registration, no page)
 * raises broker-consent-shared in that tab; the twins (a separate upstream registration; the
 * broker's consent page naming the app, clicked) raise nothing at medium or above.
 */
import { describe, expect, it } from 'vitest';
import { playScenario } from '../../lab/chromium.mjs';
import { BROKER_SCENARIOS, type BrokerScenarioName } from '../../lab/index.mjs';
import { brief, findingsUntil, MEDIUM_UP, tabOf, useExtensionLab } from './support';

const env = useExtensionLab();

async function play(name: BrokerScenarioName) {
  const s = BROKER_SCENARIOS[name];
  // each scenario on a fresh engine: the chains of an earlier scenario would be a first chain too
  // (a later platform sign-in through the shared registration is itself answered silently)
  expect(await env.ext.evaluate(() => chrome.runtime.sendMessage({ type: 'clear' }))).toEqual({ ok: true });
  // the first chain: the platform through the broker, in a fresh tab
  const page = await playScenario(env.context, env.lab.scenarioUrl(s.first));
  expect(await page.getAttribute('#result', 'data-outcome')).toBe('connected');
  // the second chain, same tab
  await page.goto(env.lab.brokerScenarioUrl(name), { waitUntil: 'load', timeout: 20000 });
  if (s.consentPage) {
    await page.waitForSelector('#allow', { timeout: 20000 });
    expect(await page.textContent('#consent')).toContain('marketplace-app-consent');
    await page.click('#allow');
  }
  await page.waitForSelector('#result[data-outcome]', { timeout: 20000, state: 'attached' });
  expect(new URL(page.url()).pathname).toBe(s.endsAt);
  expect(await page.getAttribute('#result', 'data-outcome')).toBe('connected');
  const tabId = await tabOf(env.ext, page);
  const fs = await findingsUntil(env.ext, tabId, (x) => s.expect.length > 0 && s.expect.every((id) => x.some((f) => f.ruleId === id)), s.quiet ? 2000 : 8000);
  const flows = (await env.ext.evaluate((id: number) => chrome.runtime.sendMessage({ type: 'getFlows', tabId: id }), tabId)) as { flows?: { clientId?: string; children?: string[] }[] };
  return { fs, flows: flows?.flows ?? [] };
}

describe('Chromium + built extension + lab: shared consent in brokered OAuth', () => {
  it('benign twin broker-per-client: both brokered chains followed, nothing at medium or above', async () => {
    const { fs, flows } = await play('broker-per-client');
    expect(flows.filter((f) => (f.children ?? []).length > 0).map((f) => f.clientId)).toEqual(['platform-at-broker', 'marketplace-app-own']);
    expect(brief(fs.filter((f) => f.ruleId === 'broker-consent-shared' || MEDIUM_UP.has(f.severity)))).toBe('');
  });

  it('benign twin broker-consent: the broker names the app on its consent page; nothing at medium or above', async () => {
    const { fs, flows } = await play('broker-consent');
    expect(flows.filter((f) => (f.children ?? []).length > 0).map((f) => f.clientId)).toEqual(['platform-at-broker', 'marketplace-app-consent']);
    expect(brief(fs.filter((f) => f.ruleId === 'broker-consent-shared' || MEDIUM_UP.has(f.severity)))).toBe('');
  });

  it('attack broker-shared: broker-consent-shared (medium) in the tab, citing the WG draft -03 §2.4', async () => {
    const { fs } = await play('broker-shared');
    const hits = fs.filter((f) => f.ruleId === 'broker-consent-shared');
    expect(hits.map((f) => f.severity), brief(fs)).toEqual(['medium']);
    const hit = hits[0];
    expect(hit?.references).toEqual(['draft-ietf-oauth-security-topics-update-03 §2.4 (Shared Consent in Brokered OAuth)']);
    expect(hit?.message).toMatch(/marketplace-app .*broker-upstream/);
    expect(brief(fs.filter((f) => f.ruleId !== 'broker-consent-shared' && MEDIUM_UP.has(f.severity)))).toBe('');
    expect(env.lab.errors()).toEqual([]);
  });
});
