import { post, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './client-secret-in-browser';

const TOKEN = 'https://as.example/oauth/token';
const APP = 'https://app.example';
const code = (extra: Record<string, string>, init: Parameters<typeof post>[2] = {}) =>
  post(TOKEN, { grant_type: 'authorization_code', code: rand('c'), client_id: 'spa', redirect_uri: `${APP}/cb`, ...extra }, { status: 200, responseBody: { access_token: rand('a') }, ...init });
const basic = (id: string, secret: string) => `Basic ${btoa(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`)}`;
/** a back-channel request as a proxy in front of a server-side client records it: no browser headers */
const server = { type: 'other' as const, initiator: undefined, context: 'har:0' };
/** the headers Node's fetch (undici) sends by itself: Sec-Fetch-Mode alone is no browser evidence */
const nodeFetch = { 'content-type': 'application/x-www-form-urlencoded', accept: '*/*', 'accept-language': '*', 'sec-fetch-mode': 'cors', 'user-agent': 'node', 'accept-encoding': 'gzip, deflate' };
/** a command-line client's token request as a HAR recorder writes it (detectors.md, page-originated) */
const cli = (extra: Record<string, string> = {}, init: Parameters<typeof post>[2] = {}) =>
  code({ client_secret: rand('sec') }, { type: 'fetch', context: 'har:0', headers: { ...nodeFetch, ...extra }, ...init });

testRule(rule, {
  valid: [
    {
      name: 'public client with PKCE, no secret',
      observations: () => [code({ code_verifier: rand('v', 64) }, { initiator: APP })],
    },
    {
      name: 'confidential server-side client seen through a proxy HAR (no Origin, Referer, Sec-Fetch, initiator)',
      observations: () => [code({ client_secret: rand('sec') }, server)],
    },
    {
      name: 'server-side client with HTTP Basic seen through a proxy HAR',
      observations: () => [code({}, { ...server, headers: { Authorization: basic('web', rand('sec')) } })],
    },
    {
      name: 'Basic header with an empty secret (public client libraries send client_id:)',
      observations: () => [code({}, { initiator: APP, headers: { Authorization: basic('spa', '') } })],
    },
    {
      name: 'empty client_secret field',
      observations: () => [code({ client_secret: '' }, { initiator: APP })],
    },
    {
      name: 'private_key_jwt assertion from a browser-held key is not a shared secret',
      observations: () => [code({ client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: rand('ca', 200) }, { initiator: APP })],
    },
    {
      name: 'a Bearer Authorization header is not client authentication',
      observations: () => [post('https://as.example/oauth/revoke', { token: rand('t') }, { initiator: APP, headers: { Authorization: `Bearer ${rand('at')}` } })],
    },
    {
      name: "a Node client's token request with a secret and no browser headers (HAR of a command-line client)",
      observations: () => [cli()],
    },
    {
      name: 'a HAR entry whose Chrome _initiator is of type other, without browser headers',
      observations: () => [{ ...cli(), initiatorType: 'other' }],
    },
    {
      name: 'a Referer alone is no browser evidence (a server-side client may forward one)',
      observations: () => [cli({ referer: `${APP}/login` })],
    },
  ],
  invalid: [
    {
      name: "the same Node-shaped token request with an Origin header: a page sent it",
      observations: () => [cli({ origin: APP })],
      expect: [{ severity: 'high', variant: 'client_secret' }],
    },
    {
      name: 'a HAR entry with the Sec-Fetch-Site and Sec-Fetch-Dest a browser adds',
      observations: () => [cli({ 'sec-fetch-site': 'cross-site', 'sec-fetch-dest': 'empty' })],
      expect: [{ severity: 'high', variant: 'client_secret' }],
    },
    {
      name: "a HAR entry started by a page's script (Chrome _initiator type script)",
      observations: () => [{ ...cli(), initiatorType: 'script' }],
      expect: [{ severity: 'high', variant: 'client_secret' }],
    },
    {
      name: 'the extension sees it in a tab: a page sent it, whatever its headers',
      observations: () => [code({ client_secret: rand('sec') }, { type: 'fetch', context: 'tab:4' })],
      expect: [{ severity: 'high', variant: 'client_secret' }],
    },
    {
      name: 'SPA sends client_secret in the token request body (fetch)',
      observations: () => [code({ client_secret: rand('sec') }, { initiator: APP })],
      expect: [{ severity: 'high', variant: 'client_secret', param: 'client_secret' }],
    },
    {
      name: 'SPA authenticates with HTTP Basic',
      observations: () => [code({}, { initiator: APP, headers: { Authorization: basic('spa', rand('sec')) } })],
      expect: [{ severity: 'high', variant: 'basic', param: 'Authorization' }],
    },
    {
      name: 'browser request recognised by its Origin header alone (HAR without _resourceType)',
      observations: () => [code({ client_secret: rand('sec') }, { type: 'other', context: 'har:0', headers: { Origin: APP } })],
      expect: [{ variant: 'client_secret' }],
    },
    {
      name: 'refresh_token grant from the page with client_secret: one finding per secret across refreshes',
      observations: () => [
        post(TOKEN, { grant_type: 'refresh_token', refresh_token: rand('r1'), client_id: 'spa', client_secret: rand('sec') }, { type: 'xhr', status: 200, responseBody: { access_token: rand('a1'), refresh_token: rand('r2') } }),
        post(TOKEN, { grant_type: 'refresh_token', refresh_token: rand('r2'), client_id: 'spa', client_secret: rand('sec') }, { type: 'xhr', status: 200, responseBody: { access_token: rand('a2'), refresh_token: rand('r3') } }),
      ],
      expect: [{ variant: 'client_secret', count: 1 }],
    },
    {
      name: 'revocation request from the page with client_secret',
      observations: () => [post('https://as.example/oauth/revoke', { token: rand('t'), client_id: 'spa', client_secret: rand('sec') }, { initiator: APP })],
      expect: [{ severity: 'high', variant: 'client_secret' }],
    },
    {
      name: 'JSON token request body with client_secret (Auth0 style)',
      observations: () => [
        post(TOKEN, {}, { initiator: APP, form: undefined, body: JSON.stringify({ grant_type: 'authorization_code', client_id: 'spa', client_secret: rand('sec'), code: rand('c') }), headers: { 'Content-Type': 'application/json' }, status: 200, responseBody: { access_token: rand('a') } }),
      ],
      expect: [{ variant: 'client_secret' }],
    },
  ],
});
