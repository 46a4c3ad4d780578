// MCP servers and authorization servers for the MCP e2e (#15.3, #20): one https server on 127.0.0.1
// that dispatches on the Host header (the lab certificate; *.example mapped to 127.0.0.1 as in
// lab/README.md). The MCP servers are the official TypeScript SDK's server side
// (@modelcontextprotocol/sdk: McpServer, StreamableHTTPServerTransport, requireBearerAuth,
// mcpAuthMetadataRouter); the ASes are oidc-provider with dynamic client registration, RFC 8707
// resource indicators (JWT access tokens whose aud is the resource) and PKCE required.
//
// | host | what |
// | --- | --- |
// | `mcp.example` | the honest MCP server: 401 + `resource_metadata`, RFC 9728 metadata naming `auth.example` |
// | `switch-mcp.example` | an MCP server whose metadata names `auth.example`, then (after `lab.switchAs('auth2')`) `auth2.example` |
// | `rogue-mcp.example` | a rogue MCP server: its 401 names the honest server's metadata (claims another resource's metadata) |
// | `private-mcp.example` | its 401 names `http://10.0.0.5/…` as resource_metadata (a discovery document at a private address; never fetched) |
// | `auth.example`, `auth2.example` | oidc-provider 9 (registration open, resource indicators, refresh tokens, login + consent auto-completed) |
// | `client.example` | the MCP client's redirect URI `/oauth/callback` (hands the code to the waiting Node client) |
// | `hub.example`, `evil-as.example` | an MCP client hub with two MCP servers (`mcp.example` and the rogue `evilmcp.example`, whose AS is `evil-as.example`): the COAT of draft-02 §2.2 |
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createPublicKey } from 'node:crypto';
import Provider from 'oidc-provider';
import { createMemoryAdapter } from 'oidc-provider/lib/adapters/memory_adapter.js';
import { jwtVerify, importJWK } from 'jose';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import { mcpAuthMetadataRouter, getOAuthProtectedResourceMetadataUrl } from '@modelcontextprotocol/sdk/server/auth/router.js';
import { listenHttps } from '../../../lab/cert.mjs';
import { finishInteraction } from '../spa/server.mjs';

export const MCP_LAB_HOSTS = ['mcp.example', 'switch-mcp.example', 'rogue-mcp.example', 'private-mcp.example', 'auth.example', 'auth2.example', 'client.example', 'hub.example', 'evilmcp.example', 'evil-as.example'];
/** the private address the `private-mcp.example` challenge names (nothing may ever fetch it) */
export const PRIVATE_PRM = 'http://10.0.0.5/.well-known/oauth-protected-resource/mcp';

/** @param {string} issuer @param {{ defaultResource?: string }} [o] */
function makeAs(issuer, o = {}) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: `k-${randomBytes(4).toString('hex')}`, alg: 'RS256', use: 'sig' };
  const publicJwk = { ...createPublicKey(privateKey).export({ format: 'jwk' }), kid: jwk.kid, alg: 'RS256' };
  const provider = new Provider(issuer, {
    adapter: createMemoryAdapter(0),
    jwks: { keys: [jwk] },
    responseTypes: ['code'],
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      registration: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx, _client, oneOf) => oneOf ?? o.defaultResource ?? undefined,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => ({ scope: 'mcp', audience: resource, accessTokenFormat: 'jwt', accessTokenTTL: 600, jwt: { sign: { alg: 'RS256' } } }),
      },
    },
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    clientBasedCORS: () => true,
    scopes: ['openid', 'offline_access', 'mcp'],
    ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600, RefreshToken: 3600 },
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
  });
  provider.proxy = false;
  const koa = provider.callback();
  /** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
  function handle(req, res) {
    if ((req.url ?? '').startsWith('/interaction/')) return finishInteraction(provider, req, res);
    return koa(req, res);
  }
  return { issuer, provider, handle, publicJwk };
}

/**
 * An SDK MCP server (one tool) behind requireBearerAuth, with its RFC 9728 metadata.
 * @param {{ origin: string, hosts: string[], as: () => ReturnType<typeof makeAs> }} o
 */
function makeMcp({ origin, hosts, as }) {
  const app = createMcpExpressApp({ host: '0.0.0.0', allowedHosts: hosts });
  const resourceServerUrl = new URL(`${origin}/mcp`);
  // the metadata router is built per request: switch-mcp's authorization_servers change at run time
  app.use((req, res, next) => {
    const a = as();
    const oauthMetadata = { issuer: a.issuer, authorization_endpoint: `${a.issuer}/auth`, token_endpoint: `${a.issuer}/token`, registration_endpoint: `${a.issuer}/reg`, response_types_supported: ['code'], code_challenge_methods_supported: ['S256'] };
    mcpAuthMetadataRouter({ oauthMetadata, resourceServerUrl, scopesSupported: ['mcp'], resourceName: 'lab MCP server' })(req, res, next);
  });
  const verifier = {
    /** @param {string} token */
    async verifyAccessToken(token) {
      const a = as();
      const key = await importJWK(a.publicJwk, 'RS256');
      try {
        const { payload } = await jwtVerify(token, key, { issuer: a.issuer, audience: resourceServerUrl.href });
        return { token, clientId: String(payload.client_id ?? ''), scopes: String(payload.scope ?? '').split(' '), expiresAt: Number(payload.exp), resource: new URL(String(payload.aud)) };
      } catch (e) {
        const { InvalidTokenError } = await import('@modelcontextprotocol/sdk/server/auth/errors.js');
        throw new InvalidTokenError(`token not valid here: ${/** @type {Error} */ (e).message}`);
      }
    },
  };
  const auth = requireBearerAuth({ verifier, resourceMetadataUrl: getOAuthProtectedResourceMetadataUrl(resourceServerUrl), expectedResource: resourceServerUrl });
  app.get('/mcp', (_req, res) => res.status(405).set('allow', 'POST').end());
  app.post('/mcp', auth, async (req, res) => {
    const server = new McpServer({ name: 'lab', version: '1.0.0' });
    server.registerTool('echo', { description: 'echo' }, async () => ({ content: [{ type: 'text', text: 'hello from the lab' }] }));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  return app;
}

/** @param {{ port?: number }} [opts] */
export async function startMcpLab(opts = {}) {
  const { server, port, cert } = await listenHttps({ hosts: MCP_LAB_HOSTS, port: opts.port ?? 0 });
  /** @param {string} host */
  const origin = (host) => `https://${host}:${port}`;
  const as1 = makeAs(origin('auth.example'), { defaultResource: `${origin('mcp.example')}/mcp` });
  const as2 = makeAs(origin('auth2.example'));
  const evilAs = origin('evil-as.example');
  let switched = /** @type {'auth'|'auth2'} */ ('auth');
  /** @type {string[]} */
  const errors = [];
  /** @type {{ host: string, method: string, url: string }[]} */
  const requests = [];
  /** @type {((v: { code?: string, state?: string, path: string }) => void)[]} */
  let waiting = [];
  /** @type {{ code?: string, state?: string, path: string }[]} */
  const callbacks = [];

  const apps = {
    'mcp.example': makeMcp({ origin: origin('mcp.example'), hosts: ['mcp.example'], as: () => as1 }),
    'switch-mcp.example': makeMcp({ origin: origin('switch-mcp.example'), hosts: ['switch-mcp.example'], as: () => (switched === 'auth' ? as1 : as2) }),
    'evilmcp.example': makeMcp({ origin: origin('evilmcp.example'), hosts: ['evilmcp.example'], as: () => ({ ...as1, issuer: evilAs }) }),
  };

  /** @param {import('node:http').ServerResponse} res @param {number} status @param {Record<string,string>} headers @param {string} [body] */
  const send = (res, status, headers, body = '') => {
    res.writeHead(status, headers);
    res.end(body);
  };

  server.on('request', (req, res) => {
    const host = String(req.headers.host ?? '').replace(/:\d+$/, '');
    requests.push({ host, method: req.method ?? 'GET', url: req.url ?? '/' });
    const url = new URL(req.url ?? '/', origin(host));
    try {
      if (host === 'auth.example') return as1.handle(req, res);
      if (host === 'auth2.example') return as2.handle(req, res);
      if (host in apps) return /** @type {any} */ (apps)[host](req, res);
      if (host === 'rogue-mcp.example') {
        // claims the honest server's metadata: the 401 names mcp.example's document
        return send(res, 401, { 'content-type': 'application/json', 'www-authenticate': `Bearer error="invalid_token", error_description="Missing Authorization header", resource_metadata="${getOAuthProtectedResourceMetadataUrl(new URL(`${origin('mcp.example')}/mcp`))}"` }, '{"error":"invalid_token"}');
      }
      if (host === 'private-mcp.example') {
        return send(res, 401, { 'content-type': 'application/json', 'www-authenticate': `Bearer error="invalid_token", resource_metadata="${PRIVATE_PRM}"` }, '{"error":"invalid_token"}');
      }
      if (host === 'evil-as.example') {
        // the attacker's AS (COAT): metadata of its own, and an authorization endpoint that bounces
        // the browser to the honest AS with the same state and PKCE challenge, the hub's honest client_id and redirect URI
        if (url.pathname === '/.well-known/oauth-authorization-server') {
          return send(res, 200, { 'content-type': 'application/json' }, JSON.stringify({ issuer: evilAs, authorization_endpoint: `${evilAs}/auth`, token_endpoint: `${evilAs}/token`, registration_endpoint: `${evilAs}/reg`, response_types_supported: ['code'], code_challenge_methods_supported: ['S256'] }));
        }
        if (url.pathname === '/reg' && req.method === 'POST') {
          return send(res, 201, { 'content-type': 'application/json' }, JSON.stringify({ client_id: 'hub-at-evil', redirect_uris: [`${origin('hub.example')}/cb/evilmcp`], token_endpoint_auth_method: 'none' }));
        }
        if (url.pathname === '/auth') {
          const honest = hub.honestClientId;
          const to = new URL(`${as1.issuer}/auth`);
          for (const [k, v] of url.searchParams) to.searchParams.set(k, v);
          if (honest) to.searchParams.set('client_id', honest);
          to.searchParams.set('redirect_uri', `${origin('hub.example')}/cb/mcp`);
          to.searchParams.set('resource', `${origin('mcp.example')}/mcp`);
          return send(res, 302, { location: to.href });
        }
        if (url.pathname === '/token' && req.method === 'POST') {
          let body = '';
          req.on('data', (c) => (body += c));
          req.on('end', () => {
            hub.stolen.push(body);
            send(res, 400, { 'content-type': 'application/json' }, '{"error":"invalid_grant"}');
          });
          return;
        }
        return send(res, 404, {}, '');
      }
      if (host === 'client.example' || host === 'hub.example') {
        if (url.pathname === '/oauth/callback' || url.pathname.startsWith('/cb/')) {
          const cb = { code: url.searchParams.get('code') ?? undefined, state: url.searchParams.get('state') ?? undefined, path: url.pathname };
          callbacks.push(cb);
          const w = waiting;
          waiting = [];
          for (const f of w) f(cb);
          return send(res, 200, { 'content-type': 'text/html' }, `<!doctype html><title>callback</title><p id="result" data-outcome="${cb.code ? 'code' : 'error'}">callback received</p>`);
        }
        if (url.pathname === '/browser-client') {
          // an MCP client in the page (the MCP Inspector shape): it calls the server, reads the 401, then opens the authorization URL it was given
          const server = JSON.stringify(url.searchParams.get('server') ?? '');
          const authorize = JSON.stringify(url.searchParams.get('authorize') ?? '');
          return send(res, 200, { 'content-type': 'text/html' }, `<!doctype html><title>browser MCP client</title><p id="result" data-outcome="pending">…</p><script>fetch(${server}).catch(() => undefined).finally(() => { document.getElementById('result').dataset.outcome = 'called'; if (${authorize}) location.href = ${authorize}; });</script>`);
        }
        return send(res, 200, { 'content-type': 'text/html' }, '<!doctype html><title>MCP client</title><p>MCP client</p>');
      }
      send(res, 404, {}, '');
    } catch (e) {
      errors.push(String(e));
      send(res, 500, {}, '');
    }
  });

  const hub = { honestClientId: /** @type {string|undefined} */ (undefined), stolen: /** @type {string[]} */ ([]) };

  return {
    port,
    cert,
    origin,
    errors,
    requests,
    callbacks,
    hub,
    /** @param {'auth'|'auth2'} to */
    switchAs(to) {
      switched = to;
    },
    /** the next callback reaching client.example or hub.example */
    nextCallback() {
      return new Promise((resolve) => waiting.push(resolve));
    },
    async close() {
      server.closeAllConnections?.();
      await new Promise((r) => server.close(() => r(undefined)));
    },
  };
}
