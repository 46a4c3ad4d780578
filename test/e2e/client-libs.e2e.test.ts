/**
 * Traffic of real client libraries (#8.4): oidc-client-ts, keycloak-js, @auth0/auth0-spa-js and
 * @azure/msal-browser, each loaded from its own browser bundle in a page, and a server-side web app
 * on openid-client, driven in headless Chromium against oidc-provider shaped like the provider it expects (test/lab/libs/server.mjs). Each flow
 * is RECORDED here (Playwright recordHar, as a user would export it: no fragment in any
 * request.url) and scanned as `coatcheck scan` reads a HAR:
 * - the libraries' benign flows raise nothing at medium or above (and were followed: a flow with
 *   its response exists);
 * - attacks built on keycloak-js (fragment response mode by default): a COAT, a mix-up and the
 *   implicit grant are caught from the fragments in Locations alone.
 * The same flows then run live in Chromium with the built extension: the same verdicts per tab.
 * COATCHECK_SAVE_CAPTURES=<dir> keeps the recordings, the bundles' JavaScript bodies emptied
 * (test/fixtures/har/libs was made that way, with COATCHECK_LIBS_PORT=18444).
 */
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/core/engine';
import { getFindings, tabIdFor } from '../../lab/chromium.mjs';
import { startLibLab, type LibLab } from '../lab/libs/server.mjs';
import { mediumIds, recordFlow, scan, useExtension, useRecordingBrowser } from './support';

const MEDIUM_UP = new Set(['critical', 'high', 'medium']);
const env = useRecordingBrowser(() => startLibLab({ port: Number(process.env.COATCHECK_LIBS_PORT ?? 0) }), 'coatcheck-libs-');

/** play a library's flow in a fresh browser context that records a HAR (the bundles' JavaScript left out of a kept capture) */
const record = (name: string, lib: Parameters<LibLab['startUrl']>[0], params: Record<string, string> = {}) => recordFlow(env, name, env.lab.startUrl(lib, params), { stripScripts: true });
const ids = mediumIds;
const brief = (e: Engine) => e.findings.map((f) => `${f.ruleId}:${f.severity}`).join(', ');

/** the benign flows: [capture name, library page, page options, the page's outcome, an authorization response is read] */
const BENIGN = [
  ['oidc-client-ts-login', 'oidc-client-ts', {}, 'connected', true],
  // silent renew in a hidden iframe (prompt=none), then logout with id_token_hint
  ['oidc-client-ts-renew-logout', 'oidc-client-ts', { more: '1' }, 'home', true],
  ['keycloak-js-login', 'keycloak', {}, 'connected', true],
  // logout with id_token_hint after a fragment-mode login
  ['keycloak-js-logout', 'keycloak', { more: '1' }, 'home', true],
  ['auth0-spa-js-login', 'auth0', {}, 'connected', true],
  // silent authentication: prompt=none, response_mode=web_message in a hidden iframe
  ['auth0-spa-js-web-message', 'auth0', { more: '1' }, 'connected', true],
  // no session at the AS: prompt=none answers login_required (G5)
  ['auth0-spa-js-login-required', 'auth0', { silent: '1' }, 'login-required', false],
  ['msal-browser-login', 'msal', {}, 'connected', true],
  // server-side: a confidential client on openid-client, the token request from the server
  ['openid-client-login', 'openid-client', {}, 'connected', true],
  // prompt=consent, then a refresh token grant from the page (rotation)
  ['msal-browser-refresh', 'msal', { more: '1' }, 'connected', true],
] as const;

describe('benign flows of real client libraries: nothing at medium or above', () => {
  it.each(BENIGN)('%s', async (name, lib, params, expectOutcome, responses) => {
    const { outcome, entries } = await record(name, lib, params);
    expect(outcome, env.lab.errors.join('\n')).toBe(expectOutcome);
    expect(entries.filter((e) => e.request.url.includes('#'))).toEqual([]);
    const e = scan(entries);
    const flows = e.flows();
    expect(flows.length).toBeGreaterThan(0);
    if (responses) expect(flows.flatMap((f) => f.responses).length, 'the authorization response was read').toBeGreaterThan(0);
    expect(ids(e), brief(e)).toEqual([]);
  });
});

describe('attacks built on keycloak-js (fragment response mode): caught from a HAR', () => {
  it('COAT: the attacker AS bounces to the honest realm with the honest connection redirect URI', async () => {
    const { entries } = await record('keycloak-js-coat', 'keycloak', { as: 'coat' });
    const e = scan(entries);
    expect(ids(e), brief(e)).toEqual(expect.arrayContaining(['callback-context-mismatch', 'coat-context-switch']));
  });

  it('mix-up: the attacker AS bounces to the honest realm with the redirect URI both share', async () => {
    const { entries } = await record('keycloak-js-mixup', 'keycloak', { as: 'mixup' });
    const e = scan(entries);
    // the honest realm's iss is in the fragment only
    expect(ids(e), brief(e)).toEqual(expect.arrayContaining(['mixup-as-switch', 'mixup-iss-mismatch']));
  });

  it('COAT on the implicit grant: the tokens only in the fragment of the realm Location', async () => {
    const { entries } = await record('keycloak-js-implicit-coat', 'keycloak', { as: 'coat', flow: 'implicit' });
    expect(entries.filter((x) => x.request.url.includes('#'))).toEqual([]);
    const e = scan(entries);
    expect(ids(e), brief(e)).toEqual(expect.arrayContaining(['callback-context-mismatch', 'coat-context-switch', 'implicit-grant', 'token-in-fragment']));
  });

  it('implicit grant: tokens in the fragment', async () => {
    const { outcome, entries } = await record('keycloak-js-implicit', 'keycloak', { flow: 'implicit' });
    expect(outcome).toBe('connected');
    expect(entries.filter((x) => x.request.url.includes('#'))).toEqual([]);
    const e = scan(entries);
    expect(ids(e), brief(e)).toEqual(expect.arrayContaining(['implicit-grant', 'token-in-fragment']));
  });
});

describe('the same flows live, in Chromium with the built extension', () => {
  const ext = useExtension();

  async function live(lib: Parameters<LibLab['startUrl']>[0], params: Record<string, string>, expectIds: string[]) {
    const page = await ext.browser.context.newPage();
    await page.goto(env.lab.startUrl(lib, params));
    await page.waitForSelector('#result[data-outcome]:not([data-outcome="pending"])', { state: 'attached', timeout: 20000 });
    const tabId = await tabIdFor(ext.popup, page.url().split('#')[0].split('?')[0]);
    expect(tabId).toBeTypeOf('number');
    const t0 = Date.now();
    let fs: { ruleId: string; severity: string }[] = [];
    do {
      await new Promise((r) => setTimeout(r, 200));
      fs = await getFindings(ext.popup, tabId);
    } while (Date.now() - t0 < (expectIds.length > 0 ? 8000 : 1500) && !(expectIds.length > 0 && expectIds.every((id) => fs.some((f) => f.ruleId === id))));
    const flows = (await ext.popup.evaluate((id) => chrome.runtime.sendMessage({ type: 'getFlows', tabId: id }), tabId)) as { flows?: unknown[] };
    await page.close();
    return { ids: [...new Set(fs.filter((f) => MEDIUM_UP.has(f.severity)).map((f) => f.ruleId))].sort(), brief: fs.map((f) => `${f.ruleId}:${f.severity}`).join(', '), flows: flows?.flows?.length ?? 0 };
  }

  it.each(BENIGN)('%s: nothing at medium or above', async (_name, lib, params) => {
    const r = await live(lib, params, []);
    expect(r.flows, 'the extension followed the flow').toBeGreaterThan(0);
    expect(r.ids, r.brief).toEqual([]);
  });

  it('keycloak-js COAT, mix-up, implicit grant and COAT on the implicit grant are caught', async () => {
    const coat = await live('keycloak', { as: 'coat' }, ['callback-context-mismatch', 'coat-context-switch']);
    expect(coat.ids, coat.brief).toEqual(expect.arrayContaining(['callback-context-mismatch', 'coat-context-switch']));
    const mixup = await live('keycloak', { as: 'mixup' }, ['mixup-as-switch', 'mixup-iss-mismatch']);
    expect(mixup.ids, mixup.brief).toEqual(expect.arrayContaining(['mixup-as-switch', 'mixup-iss-mismatch']));
    const implicit = await live('keycloak', { flow: 'implicit' }, ['implicit-grant', 'token-in-fragment']);
    expect(implicit.ids, implicit.brief).toEqual(expect.arrayContaining(['implicit-grant', 'token-in-fragment']));
    const want = ['callback-context-mismatch', 'coat-context-switch', 'implicit-grant', 'token-in-fragment'];
    const implicitCoat = await live('keycloak', { as: 'coat', flow: 'implicit' }, want);
    expect(implicitCoat.ids, implicitCoat.brief).toEqual(expect.arrayContaining(want));
  });
});
