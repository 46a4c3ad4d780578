// The MCP client side of the MCP e2e: the official SDK's client (Client + StreamableHTTPClientTransport
// with an OAuthClientProvider) running in Node, its authorization redirect played in Chromium.
// Every request the SDK makes goes through `recordingFetch`: lab hosts only (*.example → 127.0.0.1,
// the lab certificate trusted), anything else refused BEFORE a connection is made (the private
// discovery URL is never fetched), and each exchange kept as a HAR 1.2 entry — what a proxy in front
// of the client would record.
import { randomBytes } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { labRequest } from '../../../lab/net.mjs';

/**
 * @param {{ ca: string }} o
 * @returns {{ fetch: typeof fetch, entries: any[], refused: string[] }}
 */
export function recordingFetch({ ca }) {
  /** @type {any[]} */
  const entries = [];
  /** @type {string[]} */
  const refused = [];
  /** @type {typeof fetch} */
  const f = async (input, init = {}) => {
    const req = input instanceof Request ? input : undefined;
    const url = new URL(req ? req.url : String(input));
    if (!/\.example$/i.test(url.hostname) || url.protocol !== 'https:') {
      refused.push(url.href);
      throw new TypeError(`lab fetch refuses ${url.href} (not a lab host)`);
    }
    const method = (init.method ?? req?.method ?? 'GET').toUpperCase();
    /** @type {Record<string,string>} */
    const headers = {};
    new Headers(init.headers ?? req?.headers).forEach((v, k) => (headers[k] = v));
    headers['user-agent'] ??= 'mcp-lab-client (node)';
    const body = init.body === undefined || init.body === null ? undefined : typeof init.body === 'string' ? init.body : init.body instanceof URLSearchParams ? init.body.toString() : String(init.body);
    const started = new Date();
    const r = await labRequest(url.href, { method, headers, body, ca });
    const respHeaders = new Headers();
    for (const [k, v] of r.headers) respHeaders.append(k, v);
    entries.push({
      startedDateTime: started.toISOString(),
      time: Date.now() - started.getTime(),
      request: {
        method,
        url: url.href,
        httpVersion: 'HTTP/1.1',
        headers: Object.entries(headers).map(([name, value]) => ({ name, value })),
        queryString: [],
        cookies: [],
        headersSize: -1,
        bodySize: body?.length ?? 0,
        ...(body !== undefined ? { postData: { mimeType: headers['content-type'] ?? 'application/octet-stream', text: body } } : {}),
      },
      response: {
        status: r.status,
        statusText: '',
        httpVersion: 'HTTP/1.1',
        headers: r.headers.map(([name, value]) => ({ name, value })),
        cookies: [],
        content: { size: r.body.length, mimeType: respHeaders.get('content-type') ?? '', text: r.body },
        redirectURL: respHeaders.get('location') ?? '',
        headersSize: -1,
        bodySize: r.body.length,
      },
      cache: {},
      timings: { send: 0, wait: 0, receive: 0 },
    });
    const nullBody = r.status === 204 || r.status === 304 || method === 'HEAD';
    return new Response(nullBody ? null : r.body, { status: r.status, headers: respHeaders });
  };
  return { fetch: f, entries, refused };
}

/**
 * An in-memory OAuthClientProvider. `keepIssuer: false` stores tokens and client information
 * without the `issuer` stamp the SDK adds (a provider that keeps only the fields it knows): the SDK
 * then uses them as-is at whatever AS discovery names — the SEP-2352 flaw. `dropResource` makes the
 * client send no RFC 8707 `resource`.
 * @param {{ redirectUrl: string, onRedirect: (url: URL) => Promise<void> | void, keepIssuer?: boolean, dropResource?: boolean, authMethod?: string, state?: () => string }} o
 */
export function labProvider(o) {
  /** @type {any} */
  let info;
  /** @type {any} */
  let tokens;
  let verifier = '';
  const strip = (/** @type {any} */ x) => {
    if (!x || o.keepIssuer !== false) return x;
    const { issuer: _drop, ...rest } = x;
    return rest;
  };
  /** @type {import('@modelcontextprotocol/sdk/client/auth.js').OAuthClientProvider} */
  const provider = {
    get redirectUrl() {
      return o.redirectUrl;
    },
    get clientMetadata() {
      return { client_name: 'CoatCheck lab MCP client', redirect_uris: [o.redirectUrl], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: o.authMethod ?? 'client_secret_post', application_type: 'web', scope: 'mcp' };
    },
    state: o.state ?? (() => randomBytes(24).toString('base64url')),
    clientInformation: () => info,
    saveClientInformation: (x) => {
      info = strip(x);
    },
    tokens: () => tokens,
    saveTokens: (x) => {
      tokens = strip(x);
    },
    redirectToAuthorization: (url) => o.onRedirect(url),
    saveCodeVerifier: (v) => {
      verifier = v;
    },
    codeVerifier: () => verifier,
    ...(o.dropResource ? { validateResourceURL: async () => undefined } : {}),
  };
  return { provider, get info() { return info; }, get tokens() { return tokens; } };
}

/**
 * Connect an SDK client to `serverUrl`: on 401 the SDK discovers, registers and redirects (the
 * provider's onRedirect plays it in the browser); `waitCode` gives the code the callback received;
 * then the transport finishes authorization and the client connects again and lists the tools.
 * @param {{ serverUrl: string, provider: any, fetch: typeof fetch, waitCode: () => Promise<string|undefined> }} o
 * @returns {Promise<{ outcome: 'connected' | 'error', tools?: string[], error?: string }>}
 */
export async function connectMcp(o) {
  const make = () => new StreamableHTTPClientTransport(new URL(o.serverUrl), { authProvider: o.provider, fetch: o.fetch });
  const client = new Client({ name: 'coatcheck-lab', version: '1.0.0' });
  let transport = make();
  try {
    try {
      await client.connect(transport);
    } catch (e) {
      if (!(e instanceof UnauthorizedError)) throw e;
      const code = await o.waitCode();
      if (!code) throw new Error('no code at the callback');
      await transport.finishAuth(code);
      transport = make();
      await client.connect(transport);
    }
    const { tools } = await client.listTools();
    return { outcome: 'connected', tools: tools.map((t) => t.name) };
  } catch (e) {
    return { outcome: 'error', error: e instanceof Error ? e.message : String(e) };
  } finally {
    await client.close().catch(() => undefined);
  }
}
