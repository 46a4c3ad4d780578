/**
 * The subresource listeners of #10.3 step 2 (src/background/registrations.ts, tab-watch.ts) in
 * Firefox, whose match patterns compare the query literally (hence its extra `%5F`/`%5f` patterns)
 * and whose listeners filtered by tabId are added and removed through webextension-polyfill:
 * - tokens in the query of a stylesheet, a script, an image, (name `access%5Ftoken`) an image, a
 *   srcset image (Firefox's type imageset), an <object>, a WebSocket handshake and a beacon
 *   (Firefox's type beacon, a POST): token-in-url-query for each;
 * - on the lab's callback page, a third-party script and a full-URL Referer to a third party:
 *   referer-leak, both variants (the image goes to another origin of the same site,
 *   cdn.platform.example: Firefox trims a cross-site Referer to the origin whatever the
 *   referrerpolicy, network.http.referer.disallowCrossSiteRelaxingDefault); the ordinary page
 *   raises nothing of medium or above.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIREFOX_DIST, popupPath } from '../../lab/extension.mjs';
import { addonIdOf, launchFirefox, type Firefox } from '../lab/firefox.mjs';
import { startLab, type Lab } from '../../lab/index.mjs';

type F = { ruleId: string; severity: string; variant?: string; evidence?: { url?: string }[] };

let lab: Lab;
let ff: Firefox;
let ext: string;
let cdn: string;

beforeAll(async () => {
  lab = await startLab({ quiet: true });
  ff = await launchFirefox({ extensions: [FIREFOX_DIST] });
  ext = await ff.openExtensionPage(`${ff.extensionBase(addonIdOf(FIREFOX_DIST))}${popupPath(FIREFOX_DIST)}`);
  await ff.waitForBackground(ext);
  cdn = lab.ordinary.origin.replace('news.example', 'cdn.example');
});
afterAll(async () => {
  await ff?.close();
  await lab?.close();
});

const ask = (msg: object) => ff.evaluate(ext, `browser.runtime.sendMessage(${JSON.stringify(msg)})`) as Promise<{ findings?: F[] }>;
const tabAt = async (prefix: string) => ((await ff.evaluate(ext, `browser.tabs.query({}).then((ts) => ts.filter((t) => (t.url || '').startsWith(${JSON.stringify(prefix)})).map((t) => t.id))`)) as number[]).pop();

async function findingsWhen(tabId: number, done: (fs: F[]) => boolean): Promise<F[]> {
  let fs: F[] = [];
  const t0 = Date.now();
  do {
    fs = (await ask({ type: 'getFindings', tabId })).findings ?? [];
    if (done(fs)) break;
    await new Promise((r) => setTimeout(r, 150));
  } while (Date.now() - t0 < 8000);
  return fs;
}
const show = (fs: F[]) => JSON.stringify(fs.map((f) => [f.ruleId, f.severity, f.variant, f.evidence?.map((e) => e.url?.replace(/\?.*/, '?…'))]));

describe('subresources by URL and per tab (Firefox)', () => {
  it('tokens in the query of a stylesheet, a script, an image, under an encoded name, a srcset image (imageset), an <object>, a WebSocket handshake and a beacon (type beacon): token-in-url-query', async () => {
    const tab = await ff.newTab();
    const url = `${lab.ordinary.origin}/leaky`;
    await ff.navigate(tab, url);
    const tabId = (await tabAt(url))!;
    const paths = ['/css/site-1.css', '/js/lib-1.js', '/img/photo-1.png', '/img/photo-2.png', '/img/photo-3.png', '/img/photo-4.png', '/socket', '/beacon'];
    const hit = (fs: F[]) => paths.filter((p) => fs.some((f) => f.ruleId === 'token-in-url-query' && (f.evidence ?? []).some((e) => e.url?.includes(p))));
    const fs = await findingsWhen(tabId, (x) => hit(x).length === paths.length);
    expect(hit(fs), show(fs)).toEqual(paths);
    await ff.bidi.send('browsingContext.close', { context: tab });
  });

  it('the callback page: a third-party script and a full-URL Referer to a third party raise referer-leak', async () => {
    const r = await ff.playScenario(lab.scenarioUrl('clean'));
    expect(r.outcome).toBe('connected');
    expect(r.url).toMatch(/\/cb\/honest\?.*code=/);
    const tabId = (await tabAt(r.url.split('?')[0]))!;
    await ff.evaluate(
      r.context,
      `(async () => {
        const load = (el) => new Promise((res) => { el.onload = res; el.onerror = res; });
        const s = document.createElement('script'); s.src = ${JSON.stringify(`${cdn}/js/lib-5.js`)};
        const i = document.createElement('img'); i.referrerPolicy = 'unsafe-url'; i.src = ${JSON.stringify(`${cdn.replace('cdn.example', 'cdn.platform.example')}/img/photo-5.png`)};
        const done = Promise.all([load(s), load(i)]);
        document.head.append(s); document.body.append(i);
        await done;
        return true;
      })()`,
    );
    const leaks = (fs: F[]) => [...new Set(fs.filter((f) => f.ruleId === 'referer-leak').map((f) => `${f.severity}:${f.variant ?? 'referer'}`))].sort();
    const fs = await findingsWhen(tabId, (x) => leaks(x).length === 2);
    expect(leaks(fs), show(fs)).toEqual(['high:referer', 'low:third-party-script']);
    await ff.bidi.send('browsingContext.close', { context: r.context });
  });

  it('the ordinary page: nothing at medium or above', async () => {
    const tab = await ff.newTab();
    await ff.navigate(tab, lab.ordinary.url);
    const tabId = (await tabAt(lab.ordinary.url))!;
    await new Promise((r) => setTimeout(r, 1000));
    const fs = (await ask({ type: 'getFindings', tabId })).findings ?? [];
    expect(fs.filter((f) => ['critical', 'high', 'medium'].includes(f.severity)).map((f) => f.ruleId)).toEqual([]);
    await ff.bidi.send('browsingContext.close', { context: tab });
  });
});
