// The live attack lab: one HTTPS server on 127.0.0.1 that dispatches on the Host header to
//   platform.example     the vulnerable integration platform (the OAuth client)
//   honest-as.example    a real oidc-provider 9.x
//   attacker-as.example  a hand-written malicious AS (COAT, mix-up, forged callbacks)
//   broker.example       a hand-written federation broker in front of the honest AS
//   marketplace.example  a second downstream client of the broker (shared consent, #20 part 4)
// Browsers reach the names with Chromium's --host-resolver-rules="MAP *.example 127.0.0.1" or
// Firefox's network.dns.localDomains pref; the certificate is self-signed at start (lab/cert.mjs).
import { randomBytes } from 'node:crypto';
import { listenHttps } from './cert.mjs';
import { createHonestAs } from './honest-as.mjs';
import { createAttackerAs, createBroker, createProviderShapedAs, page } from './hand-as.mjs';
import { createPlatform } from './platform.mjs';
import { createMarketplace } from './marketplace.mjs';
import { createOrdinarySite } from './ordinary.mjs';
import { LAB_HOSTS } from './net.mjs';

export { LAB_HOSTS } from './net.mjs';

/**
 * The scenarios: each is a URL the browser navigates to; every one but `open-redirect` (which ends
 * on the attacker's page the callback redirected to) ends on a platform callback.
 * `expect` lists the rule ids the scenario must raise; `quiet` scenarios must raise nothing at
 * medium or above.
 */
export const SCENARIOS = /** @type {const} */ ({
  clean: { host: 'platform.example', path: '/connect/honest', expect: [], quiet: true, endsAt: '/cb/honest' },
  coat: { host: 'platform.example', path: '/connect/attacker', expect: ['coat-context-switch', 'callback-context-mismatch'], quiet: false, endsAt: '/cb/honest' },
  mixup: { host: 'platform.example', path: '/login/attacker', expect: ['mixup-as-switch', 'mixup-iss-mismatch'], quiet: false, endsAt: '/cb' },
  forged: { host: 'attacker-as.example', path: '/forge?tool=attacker', expect: ['unsolicited-callback'], quiet: false, endsAt: '/cb/attacker' },
  implicit: { host: 'platform.example', path: '/spa/login', expect: ['implicit-grant', 'token-in-fragment'], quiet: false, endsAt: '/spa/cb' },
  // the attacker's link into the SPA login with a return_to on its own site: the callback's redirect
  // carries the access token off the platform in the fragment the browser re-attaches
  'open-redirect': { host: 'attacker-as.example', path: '/lure', expect: ['open-redirect-token-exfil'], quiet: false, endsAt: '/loot' },
  brokered: { host: 'platform.example', path: '/connect/broker', expect: [], quiet: true, endsAt: '/cb/broker' },
  // provider-table scenarios (lab.providerRows() in the extension's settings): GitHub's callback
  // shape since 2026-04-09 (iss = <origin>/login/oauth), Google's without iss, and GitHub's old
  // shape without iss, which the dated table now flags
  github: { host: 'platform.example', path: '/connect/github', expect: [], quiet: true, endsAt: '/cb/github' },
  google: { host: 'platform.example', path: '/connect/google', expect: [], quiet: true, endsAt: '/cb/google' },
  'github-no-iss': { host: 'platform.example', path: '/connect/githubnoiss', expect: ['mixup-iss-missing'], quiet: false, endsAt: '/cb/githubnoiss' },
});

/**
 * Shared consent in brokered OAuth (draft-ietf-oauth-security-topics-update-03 §2.4,
 * broker-consent-shared): each runs the `brokered` scenario first (the platform signs in through
 * the broker with the upstream registration `broker-upstream`), then, in the same browser, the
 * marketplace app signs in through the same broker. Kept apart from SCENARIOS: they are two
 * navigations (and `broker-consent` a click on the broker's page), not one URL.
 * - `broker-shared` (attack): the broker reuses `broker-upstream` and shows no page.
 * - `broker-per-client`: the broker has a separate upstream registration for the marketplace app.
 * - `broker-consent`: the broker reuses `broker-upstream` but shows its consent page naming the app
 *   (`#allow` on `/authorize` must be clicked).
 */
export const BROKER_SCENARIOS = /** @type {const} */ ({
  'broker-shared': { first: 'brokered', host: 'marketplace.example', path: '/login?client=marketplace-app', expect: ['broker-consent-shared'], quiet: false, endsAt: '/cb', consentPage: false },
  'broker-per-client': { first: 'brokered', host: 'marketplace.example', path: '/login?client=marketplace-app-own', expect: [], quiet: true, endsAt: '/cb', consentPage: false },
  'broker-consent': { first: 'brokered', host: 'marketplace.example', path: '/login?client=marketplace-app-consent', expect: [], quiet: true, endsAt: '/cb', consentPage: true },
});

/**
 * @typedef {{ time: number, host: string, method: string, url: string, headers: Record<string, string|undefined> }} LabRequest
 * @typedef {{ kind: string, value: unknown, where: string, time: number }} LabRecord
 */

/**
 * Start the lab.
 * @param {{ port?: number, quiet?: boolean }} [opts]
 */
export async function startLab(opts = {}) {
  const { server, port, cert } = await listenHttps({ hosts: [...LAB_HOSTS, 'localhost'], port: opts.port });
  const o = (host) => `https://${host}:${port}`;
  const origins = { platform: o('platform.example'), honest: o('honest-as.example'), attacker: o('attacker-as.example'), broker: o('broker.example'), marketplace: o('marketplace.example') };

  /** @type {LabRequest[]} */
  const requests = [];
  /** @type {LabRecord[]} */
  const records = [];
  const record = (kind, value, where) => void records.push({ kind, value, where, time: Date.now() });

  /** interaction holds: a test can keep the browser waiting at the honest AS */
  /** @type {{ reached: () => void, released: Promise<void> }[]} */
  const holds = [];
  async function interactionGate() {
    const h = holds.shift();
    if (!h) return;
    h.reached();
    await h.released;
  }

  const secrets = Object.fromEntries(
    ['platformHonest', 'platformShared', 'platformAttacker', 'platformBroker', 'brokerUpstream', 'brokerUpstreamMarketplace', 'marketplaceBroker'].map((k) => [k, randomBytes(24).toString('base64url')]),
  );
  const honest = createHonestAs({ issuer: origins.honest, platform: origins.platform, broker: origins.broker, secrets, record, interactionGate });
  const attacker = createAttackerAs({ issuer: origins.attacker, honest: origins.honest, platform: origins.platform, record });
  const broker = createBroker({ issuer: origins.broker, honest: origins.honest, secrets, record, ca: cert });
  // hand-written ASes in GitHub's and Google's callback shapes (provider-table scenarios)
  const providerShaped = { github: createProviderShapedAs({ origin: o('github.example'), shape: 'github', record }), google: createProviderShapedAs({ origin: o('google.example'), shape: 'google', record }) };
  const platform = createPlatform({ ...origins, origin: origins.platform, secrets, record, ca: cert, providerShaped });
  const marketplace = createMarketplace({ origin: origins.marketplace, broker: origins.broker, secrets, record, ca: cert });
  // an ordinary page without OAuth (news.example, its CDN cdn.example): the page-load benchmark's second page
  const ordinary = createOrdinarySite({ origin: o('news.example'), cdn: o('cdn.example') });

  server.on('request', (req, res) => {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    const h = req.headers;
    requests.push({
      time: Date.now(),
      host,
      method: req.method ?? 'GET',
      url: `https://${req.headers.host}${req.url}`,
      headers: {
        origin: h.origin,
        referer: h.referer,
        'user-agent': h['user-agent'],
        'sec-fetch-site': /** @type {string|undefined} */ (h['sec-fetch-site']),
        'sec-fetch-mode': /** @type {string|undefined} */ (h['sec-fetch-mode']),
        'sec-fetch-dest': /** @type {string|undefined} */ (h['sec-fetch-dest']),
      },
    });
    if (requests.length > 5000) requests.splice(0, 1000);
    const fail = (e) => {
      record('lab-error', String(e?.stack ?? e), host);
      if (!res.headersSent) page(res, `<main id="result" data-outcome="lab-error">lab error</main>`, 500);
    };
    try {
      let r;
      if (host === 'platform.example') r = platform.handle(req, res);
      else if (host === 'honest-as.example') r = honest.handle(req, res);
      else if (host === 'attacker-as.example') r = attacker.handle(req, res);
      else if (host === 'broker.example') r = broker.handle(req, res);
      else if (host === 'marketplace.example') r = marketplace.handle(req, res);
      else if (host === 'github.example') r = providerShaped.github.handle(req, res);
      else if (host === 'google.example') r = providerShaped.google.handle(req, res);
      else if (host === 'news.example' || host === 'cdn.example') r = ordinary.handle(req, res);
      else {
        page(res, `<h1>CoatCheck lab</h1><p>Unknown host ${host}. Map *.example to 127.0.0.1.</p>`, 421);
        return;
      }
      if (r && typeof r.then === 'function') r.catch(fail);
    } catch (e) {
      fail(e);
    }
  });

  /** @param {string} kind */
  const issuedOf = (kind) => records.filter((r) => r.kind === kind).map((r) => String(r.value));

  const lab = {
    port,
    origins,
    cert,
    /** every request the lab servers saw (browser and back-channel) */
    requests,
    /** codes, tokens, states, verifiers, nonces the lab issued, attack notes, errors */
    records,
    platform,
    attacker,
    marketplace,
    /** the ordinary page (no OAuth): `ordinary.url`, 60 subresources */
    ordinary,
    /**
     * Provider rows for the lab's GitHub- and Google-shaped hosts, in the extension's settings form
     * (settings.providers, docs/providers.md): GitHub's and Google's rows of CoatCheck's table with
     * the lab origins (the port makes the real rows' endpoints unmatchable).
     */
    providerRows() {
      return [
        { id: 'lab-github', name: 'GitHub (lab)', endpoint: providerShaped.github.authorize, issuer: providerShaped.github.issuer, iss: { kind: 'always', since: '2026-04-09' }, checked: '2026-12-04', source: 'lab: the GitHub row of the provider table on github.example' },
        { id: 'lab-google', name: 'Google (lab)', endpoint: providerShaped.google.authorize, issuer: providerShaped.google.issuer, iss: { kind: 'some-accounts', since: '2026-02-24' }, checked: '2026-12-04', source: 'lab: the Google row of the provider table on google.example' },
      ];
    },
    /** @param {keyof typeof SCENARIOS} name */
    scenarioUrl(name) {
      const s = SCENARIOS[name];
      return `https://${s.host}:${port}${s.path}`;
    },
    /** @param {keyof typeof BROKER_SCENARIOS} name the second navigation of a shared-consent scenario (run `first` before it) */
    brokerScenarioUrl(name) {
      const s = BROKER_SCENARIOS[name];
      return `https://${s.host}:${port}${s.path}`;
    },
    /** every raw secret the lab issued (codes, tokens, states, verifiers, nonces) */
    issuedSecrets() {
      return ['code', 'token', 'state', 'verifier', 'nonce'].flatMap(issuedOf);
    },
    issued: { codes: () => issuedOf('code'), tokens: () => issuedOf('token'), states: () => issuedOf('state') },
    errors() {
      return records.filter((r) => r.kind === 'lab-error' || r.kind === 'as-error');
    },
    /**
     * Hold the next interaction at the honest AS until `release()`; `reached` resolves when the
     * browser is waiting there (the authorization request has been made).
     */
    holdNextInteraction() {
      /** @type {() => void} */
      let reached = () => {};
      /** @type {() => void} */
      let release = () => {};
      const reachedP = new Promise((r) => (reached = () => r(undefined)));
      const released = new Promise((r) => (release = () => r(undefined)));
      holds.push({ reached, released: /** @type {Promise<void>} */ (released) });
      return { reached: reachedP, release };
    },
    async close() {
      for (const h of holds.splice(0)) h.reached();
      server.closeAllConnections?.();
      await new Promise((r) => server.close(() => r(undefined)));
    },
  };
  return lab;
}
