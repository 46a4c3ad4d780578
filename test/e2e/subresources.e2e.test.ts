/**
 * The listeners on scripts and images (#10.3, src/background/registrations.ts: only
 * onBeforeSendHeaders and onCompleted for them, no onBeforeRequest) still observe them: a token in
 * the query of a script and of an image raises token-in-url-query in the tab, with each of them as
 * evidence; the ordinary page of the page-load benchmark (60 subresources, no OAuth) raises nothing
 * of medium or above.
 */
import { describe, expect, it } from 'vitest';
import { getFindings, tabIdFor } from '../../lab/chromium.mjs';
import { findingsUntil, MEDIUM_UP, useExtensionLab, type F } from './support';

const env = useExtensionLab();

async function load(url: string): Promise<number> {
  const page = await env.context.newPage();
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForSelector('#result[data-outcome="loaded"]', { state: 'attached' });
  const id = await tabIdFor(env.ext, url);
  expect(id, `tab id of ${url}`).toBeTypeOf('number');
  return id!;
}

describe('scripts and images through their two listeners (Chromium)', () => {
  it('a token in the query of a script and of an image: token-in-url-query for each', async () => {
    const tabId = await load(`${env.lab.ordinary.origin}/leaky`);
    const kinds = (fs: F[]) => ['/js/lib-1.js', '/img/photo-1.png'].filter((p) => fs.some((f) => f.ruleId === 'token-in-url-query' && (f.evidence ?? []).some((e) => e.url?.includes(p))));
    const fs = await findingsUntil(env.ext, tabId, (x) => kinds(x).length === 2);
    expect(kinds(fs), JSON.stringify(fs.map((f) => [f.ruleId, f.evidence?.map((e) => e.url)]))).toEqual(['/js/lib-1.js', '/img/photo-1.png']);
  });

  it('the ordinary page (60 subresources, no OAuth): nothing at medium or above', async () => {
    const tabId = await load(env.lab.ordinary.url);
    await new Promise((r) => setTimeout(r, 1000));
    const fs = (await getFindings(env.ext, tabId)) as F[];
    expect(fs.filter((f) => MEDIUM_UP.has(f.severity)).map((f) => f.ruleId)).toEqual([]);
  });
});
