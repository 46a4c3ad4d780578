import { describe, expect, it } from 'vitest';
import { obs, post, q, rand, redirect, resetBuilders, run } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './authz-endpoint-cors';

const AS = 'https://as.example';
const APP = 'https://app.example';
const ACAO = 'Access-Control-Allow-Origin';

const params = (state = rand('s'), extra: Record<string, string> = {}) =>
  q({ response_type: 'code', client_id: 'c1', redirect_uri: `${APP}/cb`, state, code_challenge: rand(`cc${state}`, 43), code_challenge_method: 'S256', ...extra });
const areqUrl = (state?: string, endpoint = `${AS}/authorize`, extra?: Record<string, string>) => `${endpoint}?${params(state, extra)}`;
/** the authorization request answered by the AS's login page (200) with these response headers */
const areq = (responseHeaders?: Record<string, string>, state?: string, endpoint?: string) =>
  obs(areqUrl(state, endpoint), { initiator: APP, responseHeaders: { 'Content-Type': 'text/html', ...responseHeaders } });
/** a whole code flow: AREQ (302 to the callback), callback, token request; headers per leg */
function flow(h: { areq?: Record<string, string>; callback?: Record<string, string>; token?: Record<string, string> } = {}) {
  const s = rand('flow-s');
  const code = rand('flow-c');
  return [
    ...redirect(areqUrl(s), `${APP}/cb?${q({ code, state: s, iss: AS })}`, { initiator: APP, responseHeaders: h.areq }, { initiator: AS, responseHeaders: h.callback }),
    post(`${AS}/token`, { grant_type: 'authorization_code', code, redirect_uri: `${APP}/cb`, client_id: 'c1', code_verifier: rand('flow-v', 43) }, {
      headers: { Origin: APP },
      responseHeaders: h.token,
      responseBody: { access_token: rand('at'), token_type: 'Bearer', expires_in: 3600 },
    }),
  ];
}

testRule(rule, {
  valid: [
    { name: 'no response headers known (a navigation seen without its response)', observations: () => [obs(areqUrl(), { initiator: APP })] },
    {
      name: 'an ordinary login page: Set-Cookie, CSP, Vary: Origin, no Access-Control-Allow-Origin',
      observations: () => [areq({ 'Set-Cookie': `sid=${rand('sid')}; Secure; HttpOnly`, 'Content-Security-Policy': "frame-ancestors 'none'", Vary: 'Origin', 'Cache-Control': 'no-store' })],
    },
    { name: 'CORS on the token endpoint only (RFC 9700 §2.6: MAY)', observations: () => flow({ token: { [ACAO]: APP, 'Access-Control-Allow-Credentials': 'true', Vary: 'Origin' } }) },
    {
      name: 'CORS on the metadata and JWKS documents',
      observations: () => [
        obs(`${AS}/.well-known/openid-configuration`, { type: 'fetch', responseHeaders: { [ACAO]: '*' }, responseBody: { issuer: AS, authorization_endpoint: `${AS}/authorize`, token_endpoint: `${AS}/token`, jwks_uri: `${AS}/jwks` } }),
        obs(`${AS}/jwks`, { type: 'fetch', responseHeaders: { [ACAO]: '*' }, responseBody: { keys: [{ kty: 'RSA', kid: 'k1', n: rand('n', 64), e: 'AQAB' }] } }),
        areq(),
      ],
    },
    { name: 'CORS on the client\'s callback (an authorization response, not the endpoint)', observations: () => flow({ callback: { [ACAO]: '*' } }) },
    {
      name: 'the client\'s own login route that redirects to the AS carries the header',
      observations: () => redirect(`${APP}/login?returnTo=%2Fhome`, areqUrl(), { responseHeaders: { [ACAO]: '*' } }, { initiator: APP }),
    },
    {
      name: 'non-OAuth pages and calls with Access-Control-Allow-Origin: *',
      observations: () => [
        obs('https://shop.example/?utm_source=newsletter&id=42', { responseHeaders: { [ACAO]: '*' } }),
        obs(`${APP}/api/items?page=2`, { type: 'xhr', responseHeaders: { [ACAO]: '*' } }),
        obs('https://cdn.example/widget.js?client=abc', { type: 'script', responseHeaders: { [ACAO]: '*' } }),
      ],
    },
    { name: 'Access-Control-Allow-Credentials alone (and other CORS headers without the origin one)', observations: () => [areq({ 'Access-Control-Allow-Credentials': 'true', 'Access-Control-Allow-Methods': 'GET, POST', 'Access-Control-Expose-Headers': 'Location' })] },
    { name: 'the endpoint allows only its own origin (grants nothing a same-origin request lacks)', observations: () => [areq({ [ACAO]: AS })] },
    { name: 'an empty Access-Control-Allow-Origin value (grants nothing)', observations: () => [areq({ [ACAO]: '  ' })] },
    {
      name: 'end-session endpoint with CORS (not an authorization request)',
      observations: () => [obs(`${AS}/logout?${q({ client_id: 'c1', post_logout_redirect_uri: `${APP}/`, state: rand('ls') })}`, { responseHeaders: { [ACAO]: '*' } })],
    },
    {
      name: 'device authorization and registration pages with client_id and CORS (excluded from AREQ)',
      observations: () => [
        obs(`${AS}/device?${q({ client_id: 'c1', redirect_uri: `${APP}/cb` })}`, { responseHeaders: { [ACAO]: '*' } }),
        obs(`${AS}/register?${q({ client_id: 'c1', redirect_uri: `${APP}/cb` })}`, { responseHeaders: { [ACAO]: '*' } }),
      ],
    },
    {
      name: 'a PAR request (back channel) with CORS, then its front-channel request without',
      observations: () => [
        post(`${AS}/par`, { response_type: 'code', client_id: 'c1', redirect_uri: `${APP}/cb`, state: rand('ps'), code_challenge: rand('pcc', 43), code_challenge_method: 'S256' }, {
          headers: { Origin: APP },
          status: 201,
          responseHeaders: { [ACAO]: APP },
          responseBody: { request_uri: 'urn:ietf:params:oauth:request_uri:6esc_11ACC5bwc014ltc14eY22c', expires_in: 60 },
        }),
        obs(`${AS}/authorize?${q({ client_id: 'c1', request_uri: 'urn:ietf:params:oauth:request_uri:6esc_11ACC5bwc014ltc14eY22c' })}`, { initiator: APP }),
      ],
    },
  ],
  invalid: [
    {
      name: 'Access-Control-Allow-Origin: * on the login page answering the authorization request',
      observations: () => [areq({ [ACAO]: '*' })],
      expect: [{ severity: 'low', confidence: 'strong', param: ACAO, message: /https:\/\/as\.example\/authorize answered .*any origin \(\*\).*RFC 9700 §2\.6/ }],
    },
    {
      name: 'a reflected origin with credentials (form POST to the authorization endpoint)',
      observations: () => [
        obs(`${AS}/authorize`, {
          method: 'POST',
          form: { response_type: 'code', client_id: 'c1', redirect_uri: `${APP}/cb`, state: rand('ps2'), code_challenge: rand('pcc2', 43), code_challenge_method: 'S256' },
          headers: { Origin: APP },
          initiator: APP,
          responseHeaders: { [ACAO]: APP, 'Access-Control-Allow-Credentials': 'true', Vary: 'Origin' },
        }),
      ],
      expect: [
        { severity: 'low', param: ACAO, message: /https:\/\/app\.example, the origin of the page that started the request \(likely reflected\), with credentials/ },
        { param: 'Access-Control-Allow-Credentials' },
      ],
    },
    { name: 'on a 302 answer (the AS redirects straight back to the callback)', observations: () => flow({ areq: { [ACAO]: '*' } }), expect: [{ severity: 'low', param: ACAO, count: 1 }] },
    { name: 'header name in lower case (HTTP/2)', observations: () => [areq({ 'access-control-allow-origin': 'https://elsewhere.example' })], expect: [{ param: ACAO, message: /allowing https:\/\/elsewhere\.example:/ }] },
    { name: 'header name in upper case', observations: () => [areq({ 'ACCESS-CONTROL-ALLOW-ORIGIN': '*' })], expect: [{ param: ACAO }] },
    { name: 'the "null" origin', observations: () => [areq({ [ACAO]: 'null' })], expect: [{ message: /"null" origin/ }] },
    {
      name: 'silent renewal (prompt=none in a hidden iframe) is an authorization request too',
      observations: () => [obs(areqUrl(rand('sr'), `${AS}/authorize`, { prompt: 'none' }), { type: 'sub_frame', initiator: APP, responseHeaders: { [ACAO]: APP } })],
      expect: [{ param: ACAO }],
    },
    {
      name: 'a PAR front-channel request (parameters unknown) still reaches the endpoint',
      observations: () => [obs(`${AS}/authorize?${q({ client_id: 'c1', request_uri: 'urn:ietf:params:oauth:request_uri:bwc4JK-ESC0w8acc191e-Y1LTC2' })}`, { initiator: APP, responseHeaders: { [ACAO]: '*' } })],
      expect: [{ param: ACAO }],
    },
    {
      name: 'a command-line client fetching the authorization URL (redirect: manual) sees the header too',
      observations: () => [
        obs(areqUrl(rand('cli')), { type: 'other', context: 'proxy:1', status: 302, location: `http://127.0.0.1:33418/callback?${q({ code: rand('cli-c'), state: rand('cli') })}`, responseHeaders: { [ACAO]: '*' } }),
      ],
      expect: [{ param: ACAO }],
    },
    {
      name: 'one finding per endpoint, not per request: three requests (two flows, one retry) at one endpoint, one at another',
      observations: () => {
        const s1 = rand('one-1');
        return [
          areq({ [ACAO]: '*' }, s1),
          areq({ [ACAO]: '*' }, s1),
          areq({ [ACAO]: APP }, rand('one-2')),
          areq({ [ACAO]: '*' }, rand('one-3'), `${AS}/oauth2/v2/authorize`),
        ];
      },
      expect: [
        { message: /endpoint https:\/\/as\.example\/authorize answered/, count: 1 },
        { message: /endpoint https:\/\/as\.example\/oauth2\/v2\/authorize answered/, count: 1 },
      ],
    },
  ],
});

describe('authz-endpoint-cors evidence', () => {
  it('names the authorization request and the header with its value', () => {
    resetBuilders();
    const state = rand('ev');
    const { findings } = run([areq({ [ACAO]: '*' }, state)]);
    const mine = findings.filter((f) => f.ruleId === rule.meta.id);
    expect(mine).toHaveLength(1);
    expect(mine[0].evidence).toHaveLength(1);
    const [ev] = mine[0].evidence;
    expect(ev.url).toContain(`${AS}/authorize?`);
    expect(ev.param).toBe(ACAO);
    expect(ev.note).toContain(`${ACAO}: *`);
    expect(ev.note).toContain('(200)');
    expect(mine[0].fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(mine[0].fingerprint).not.toContain('as.example');
  });
  it('keeps the same fingerprint whatever the query, and another one for another path', () => {
    resetBuilders();
    const { findings } = run([areq({ [ACAO]: '*' }, rand('fp-1')), obs(areqUrl(rand('fp-2')), { context: 'tab:2', initiator: APP, responseHeaders: { [ACAO]: '*' } }), areq({ [ACAO]: '*' }, rand('fp-3'), `${AS}/authorize2`)]);
    const fps = findings.filter((f) => f.ruleId === rule.meta.id).map((f) => f.fingerprint);
    expect(fps).toHaveLength(3);
    expect(fps[0]).toBe(fps[1]);
    expect(fps[2]).not.toBe(fps[0]);
  });
});
