/**
 * Captures of real client libraries (test/fixtures/har/libs, recorded by
 * test/e2e/client-libs.e2e.test.ts with COATCHECK_SAVE_CAPTURES; see the README there): each
 * library's own bundle in headless Chromium against oidc-provider shaped like its provider. No
 * request.url has a fragment; keycloak-js and MSAL use response_mode=fragment by default, so their
 * responses are only in the Location of the AS's last redirect.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../src/core/engine';
import { feedHarEntries } from '../src/core/observe/har-feed';

const dir = join(import.meta.dirname, 'fixtures/har/libs');
const MEDIUM_UP = new Set(['critical', 'high', 'medium']);
const entries = (f: string) => (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { log: { entries: { request: { url: string } }[] } }).log.entries;

function scan(f: string) {
  const engine = new Engine();
  feedHarEntries(entries(f), (o) => engine.push(o));
  engine.finish();
  return engine;
}
const ids = (e: Engine) => [...new Set(e.findings.filter((f) => MEDIUM_UP.has(f.severity)).map((f) => f.ruleId))].sort();
const brief = (e: Engine) => e.findings.map((f) => `${f.ruleId}:${f.severity}`).join(', ');

describe('benign logins of real client libraries', () => {
  it.each([
    ['oidc-client-ts-login.har', 'query'],
    ['keycloak-js-login.har', 'fragment'],
    ['auth0-spa-js-login.har', 'query'],
    ['msal-browser-login.har', 'fragment'],
    ['openid-client-login.har', 'query'],
  ])('%s (response_mode=%s): the response is read, nothing at medium or above', (f, mode) => {
    const list = entries(f);
    expect(list.filter((x) => x.request.url.includes('#'))).toEqual([]);
    const e = scan(f);
    const flows = e.flows();
    expect(flows).toHaveLength(1);
    expect(flows[0].responseMode ?? 'query').toBe(mode);
    expect(flows[0].responses).toHaveLength(1);
    expect(ids(e), brief(e)).toEqual([]);
  });
});

/** what the capture must show, so that "nothing found" is about that shape */
const urls = (f: string) => entries(f).map((x) => x.request.url);
describe('what the libraries do next: nothing at medium or above', () => {
  it.each([
    ['oidc-client-ts-renew-logout.har', 'silent renew (prompt=none, hidden iframe), logout with id_token_hint', (f: string) => urls(f).some((u) => /[?&]prompt=none/.test(u)) && urls(f).some((u) => /\/session\/end\?.*id_token_hint=/.test(u))],
    ['keycloak-js-logout.har', 'logout with id_token_hint', (f: string) => urls(f).some((u) => /openid-connect\/logout\?.*id_token_hint=/.test(u))],
    ['auth0-spa-js-web-message.har', 'silent authentication, response_mode=web_message', (f: string) => urls(f).some((u) => /response_mode=web_message/.test(u) && /prompt=none/.test(u))],
    ['auth0-spa-js-login-required.har', 'prompt=none without a session (login_required)', (f: string) => urls(f).some((u) => /prompt=none/.test(u))],
    ['msal-browser-refresh.har', 'a refresh token grant from the page', (f: string) => entries(f).some((x: any) => x.request.method === 'POST' && /grant_type=refresh_token/.test(x.request.postData?.text ?? ''))],
  ])('%s: %s', (f, _what, shows) => {
    expect(shows(f)).toBe(true);
    expect(urls(f).filter((u) => u.includes('#'))).toEqual([]);
    const e = scan(f);
    expect(e.flows().length).toBeGreaterThan(0);
    expect(ids(e), brief(e)).toEqual([]);
  });
});

describe('attacks built on keycloak-js', () => {
  it('COAT in fragment mode: coat-context-switch and callback-context-mismatch', () => {
    const e = scan('keycloak-js-coat.har');
    expect(ids(e), brief(e)).toEqual(expect.arrayContaining(['callback-context-mismatch', 'coat-context-switch']));
  });
  it('mix-up in fragment mode: mixup-as-switch, mixup-iss-mismatch (iss in the fragment), the code at the wrong token endpoint', () => {
    const e = scan('keycloak-js-mixup.har');
    expect(ids(e), brief(e)).toEqual(expect.arrayContaining(['mixup-as-switch', 'mixup-iss-mismatch', 'mixup-code-sent-to-wrong-token-endpoint']));
  });
  it('implicit grant: implicit-grant and token-in-fragment', () => {
    const e = scan('keycloak-js-implicit.har');
    expect(ids(e), brief(e)).toEqual(expect.arrayContaining(['implicit-grant', 'token-in-fragment']));
  });
  it('COAT on the implicit grant (the tokens only in a Location fragment): the COAT rules and the fragment rules', () => {
    const e = scan('keycloak-js-implicit-coat.har');
    expect(ids(e), brief(e)).toEqual(expect.arrayContaining(['callback-context-mismatch', 'coat-context-switch', 'implicit-grant', 'token-in-fragment']));
  });
});

// #12: stateless, PKCE-only, multi-provider apps: Auth.js itself (@auth/core 0.41, its defaults) and
// openid-client 6 shaped like them. No state anywhere; the evil provider relays the code_challenge.
describe.each([
  ['authjs', 'Auth.js (@auth/core)'],
  ['stateless', 'openid-client 6, shaped like Auth.js defaults'],
])('a stateless, PKCE-only, multi-provider app: %s (%s)', (prefix) => {
  it('the benign login: no state anywhere, one flow with its response, nothing at medium or above', () => {
    expect(urls(`${prefix}-login.har`).some((u) => /[?&]state=/.test(u))).toBe(false);
    const e = scan(`${prefix}-login.har`);
    const flows = e.flows();
    expect(flows).toHaveLength(1);
    expect(flows[0].responses).toHaveLength(1);
    expect(ids(e), brief(e)).toEqual([]);
  });
  it('COAT with the code_challenge relayed instead of a state: one flow bound by code_challenge, coat-context-switch and callback-context-mismatch', () => {
    expect(urls(`${prefix}-coat.har`).some((u) => /[?&]state=/.test(u))).toBe(false);
    const e = scan(`${prefix}-coat.har`);
    expect(ids(e), brief(e)).toEqual(expect.arrayContaining(['callback-context-mismatch', 'coat-context-switch', 'mixup-iss-mismatch']));
    const flows = e.flows();
    expect(flows).toHaveLength(1);
    expect(flows[0].requests.map((r) => r.boundBy)).toEqual([undefined, 'code_challenge']);
    expect(flows[0].responses.map((r) => r.boundBy)).toEqual(['redirect_uri']);
    const by = (id: string) => e.findings.find((f) => f.ruleId === id)!;
    expect(by('coat-context-switch')).toMatchObject({ severity: 'critical', confidence: 'strong' });
    expect(by('coat-context-switch').evidence.map((x) => x.param)).toContain('code_challenge');
    // only the tab, the redirect_uri and the timing link a stateless callback: one step less confident
    expect(by('callback-context-mismatch')).toMatchObject({ severity: 'high', confidence: 'heuristic' });
    expect(by('mixup-iss-mismatch').confidence).toBe('heuristic');
  });
});
