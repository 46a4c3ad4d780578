// The honest authorization server: a real oidc-provider 9.x. Confidential clients for the platform
// (one per tool connection, each with its own redirect URI, plus one for the shared-redirect-URI
// login used by the mix-up scenario), a confidential client for the broker, and a public SPA client
// for the implicit scenario (`id_token token`: oidc-provider refuses a bare `token`). PKCE S256 is
// required for every code flow; RFC 9207 `iss` is sent on every response that has no ID token.
// Login and consent are auto-completed by a tiny interaction route (a fixed test user), which can
// be held open so a test can act while the browser waits at the AS.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';
// the lab's state is meant to live in memory: name the memory adapter explicitly (no start-up warning)
import { createMemoryAdapter } from 'oidc-provider/lib/adapters/memory_adapter.js';

export const TEST_USER = 'alice';

/**
 * @param {{ issuer: string, platform: string, broker: string, secrets: Record<string,string>, record: (kind: string, value: unknown, where: string) => void, interactionGate: () => Promise<void> }} o
 */
export function createHonestAs({ issuer, platform, broker, secrets, record, interactionGate }) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'lab-rs256', alg: 'RS256', use: 'sig' };

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'platform-tool-honest',
        client_secret: secrets.platformHonest,
        redirect_uris: [`${platform}/cb/honest`],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
      {
        client_id: 'platform-shared',
        client_secret: secrets.platformShared,
        redirect_uris: [`${platform}/cb`],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
      {
        client_id: 'broker-upstream',
        client_secret: secrets.brokerUpstream,
        redirect_uris: [`${broker}/broker/endpoint`],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
      {
        // the broker's separate upstream registration for its marketplace client (#20 part 4)
        client_id: 'broker-upstream-marketplace',
        client_secret: secrets.brokerUpstreamMarketplace,
        redirect_uris: [`${broker}/broker/endpoint`],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
      {
        client_id: 'platform-spa',
        redirect_uris: [`${platform}/spa/cb`],
        response_types: ['id_token token'],
        grant_types: ['implicit'],
        token_endpoint_auth_method: 'none',
      },
    ],
    adapter: createMemoryAdapter(0),
    jwks: { keys: [jwk] },
    responseTypes: ['code', 'id_token token'],
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    // no remembered consent: every authorization request goes through the interaction route once,
    // so flows have the same shape in a fresh and in a used browser, and a test can hold them there
    loadExistingGrant: async (ctx) => {
      const grantId = ctx.oidc.result?.consent?.grantId;
      return grantId ? ctx.oidc.provider.Grant.find(grantId) : undefined;
    },
    ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
    scopes: ['openid', 'email'],
    claims: { openid: ['sub'], email: ['email'] },
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub, email: `${sub}@lab.example` }) }),
    // keep the lab quiet and deterministic
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = `<!doctype html><title>AS error</title><main id="result" data-outcome="as-error"><h1>${escapeHtml(out.error)}</h1><p>${escapeHtml(out.error_description ?? '')}</p></main>`;
    },
  });
  provider.proxy = false;

  provider.on('authorization.success', (_ctx, out) => {
    if (out.code) record('code', out.code, 'honest-as');
    if (out.access_token) record('token', out.access_token, 'honest-as');
    if (out.id_token) record('token', out.id_token, 'honest-as');
  });
  provider.on('grant.success', (ctx) => {
    const b = /** @type {any} */ (ctx.body) ?? {};
    for (const k of ['access_token', 'id_token', 'refresh_token']) if (b[k]) record('token', b[k], 'honest-as');
  });
  for (const ev of ['server_error', 'authorization.error', 'grant.error']) {
    provider.on(ev, (_ctx, err) => record('as-error', `${ev}: ${err?.message} ${err?.error_description ?? ''}`, 'honest-as'));
  }

  const koaCallback = provider.callback();

  /** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
  async function interaction(req, res) {
    try {
      const details = await provider.interactionDetails(req, res);
      await interactionGate();
      const { prompt, params, session } = details;
      /** @type {any} */
      let result;
      if (prompt.name === 'login') {
        result = { login: { accountId: TEST_USER } };
      } else if (prompt.name === 'consent') {
        const grant = details.grantId
          ? await provider.Grant.find(details.grantId)
          : new provider.Grant({ accountId: session?.accountId ?? TEST_USER, clientId: String(params.client_id) });
        const d = /** @type {any} */ (prompt.details);
        if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
        if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
        if (d.missingResourceScopes) for (const [ind, sc] of Object.entries(d.missingResourceScopes)) grant.addResourceScope(ind, /** @type {string[]} */ (sc).join(' '));
        result = { consent: { grantId: await grant.save() } };
      } else {
        result = { error: 'access_denied', error_description: `lab cannot complete prompt ${prompt.name}` };
      }
      await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: true });
    } catch (e) {
      res.statusCode = 400;
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><main id="result" data-outcome="as-error">interaction failed: ${escapeHtml(String(/** @type {any} */ (e)?.message ?? e))}</main>`);
    }
  }

  return {
    provider,
    /** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
    handle(req, res) {
      if (req.url?.startsWith('/interaction/')) return void interaction(req, res);
      return koaCallback(req, res);
    },
  };
}

/** @param {unknown} s */
export function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}
