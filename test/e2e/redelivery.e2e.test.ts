/**
 * Live, in the built Chrome extension against the lab (#8.1, #8.2):
 * - a code re-delivered by a link on a third-party site (the identical callback URL, same code and
 *   state, seconds after the AS delivered it) raises code-replay (high);
 * - the same callback reloaded, then back and forward: nothing at medium or above;
 * - an implicit-grant response (tokens only in the fragment of the AS's Location and the committed
 *   URL) is reported once, not once per source.
 */
import { describe, expect, it } from 'vitest';
import { getFindings, playScenario } from '../../lab/chromium.mjs';
import { brief, findingsUntil, flowsIn, MEDIUM_UP, tabOf, useExtensionLab, type F } from './support';

const env = useExtensionLab();

describe('re-delivery, reloads and fragments, live in Chromium', () => {
  it('a link on a third-party site to the same callback URL (same code, same state): code-replay, high', async () => {
    const page = await playScenario(env.context, env.lab.scenarioUrl('clean'));
    const callback = page.url();
    expect(callback).toMatch(/\/cb\/honest\?code=/);
    const tabId = await tabOf(env.ext, page);
    expect(await flowsIn(env.ext, tabId)).toBeGreaterThan(0);
    await page.waitForTimeout(3000);
    await page.goto(`https://attacker-as.example:${env.lab.port}/link?to=${encodeURIComponent(callback)}`, { waitUntil: 'load' });
    await page.click('#go');
    await page.waitForURL(callback);
    const fs = await findingsUntil(env.ext, tabId, (x) => x.some((f) => f.ruleId === 'code-replay'));
    const replay = fs.filter((f) => f.ruleId === 'code-replay');
    expect(replay.map((f) => f.severity), brief(fs)).toEqual(['high']);
    await page.close();
  });

  it('the callback reloaded, then back and forward: nothing at medium or above', async () => {
    // from the platform's index (a Referer, as a user's click has): the flow, then reload, back, forward
    const p = await env.context.newPage();
    await p.goto(`https://platform.example:${env.lab.port}/`, { waitUntil: 'load' });
    await p.click('#clean');
    await p.waitForSelector('#result[data-outcome]', { state: 'attached' });
    const tabId = await tabOf(env.ext, p);
    expect(await flowsIn(env.ext, tabId)).toBeGreaterThan(0);
    await p.reload({ waitUntil: 'load' });
    await p.goBack({ waitUntil: 'load' });
    await p.goForward({ waitUntil: 'load' });
    await p.waitForTimeout(1500);
    const fs = (await getFindings(env.ext, tabId)) as F[];
    expect(fs.filter((f) => MEDIUM_UP.has(f.severity)), brief(fs)).toEqual([]);
    await p.close();
  });

  it('implicit: the fragment response is reported once (token-in-fragment, implicit-grant)', async () => {
    const page = await playScenario(env.context, env.lab.scenarioUrl('implicit'));
    const tabId = await tabOf(env.ext, page);
    const fs = await findingsUntil(env.ext, tabId, (x) => x.some((f) => f.ruleId === 'token-in-fragment') && x.some((f) => f.ruleId === 'implicit-grant'));
    await page.waitForTimeout(1000);
    const all = (await getFindings(env.ext, tabId)) as F[];
    expect(all.filter((f) => f.ruleId === 'token-in-fragment'), brief(fs)).toHaveLength(1);
    expect(all.filter((f) => MEDIUM_UP.has(f.severity)).map((f) => f.ruleId).sort(), brief(all)).toEqual(['implicit-grant', 'token-in-fragment']);
    await page.close();
  });
});
