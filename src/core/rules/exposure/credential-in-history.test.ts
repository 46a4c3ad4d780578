import { obs, q, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './credential-in-history';

const AS = 'https://as.example';
const APP = 'https://app.example';
const CB = `${APP}/cb`;

/** a login whose callback document renders at second 10 (or redirects to `location`); returns its URL and the observations */
function login(opts: { location?: string; responseMode?: string; fragment?: boolean; name?: string; context?: string } = {}) {
  const state = rand('s');
  const name = opts.name ?? 'code';
  const value = rand(name);
  const params = q({ [name]: value, state, iss: AS });
  const url = opts.fragment ? CB : `${CB}?${params}`;
  const areq = obs(
    `${AS}/authorize?${q({ response_type: name === 'code' ? 'code' : 'token', client_id: 'c1', redirect_uri: CB, state, code_challenge: rand('cc', 43), code_challenge_method: 'S256', ...(opts.responseMode ? { response_mode: opts.responseMode } : {}) })}`,
    { initiator: APP, at: 9, context: opts.context, location: opts.responseMode === 'form_post' ? undefined : opts.fragment ? `${CB}#${params}` : url },
  );
  const cb =
    opts.responseMode === 'form_post'
      ? obs(CB, { method: 'POST', form: { code: value, state }, at: 10, initiator: AS, context: opts.context })
      : obs(url, { at: 10, location: opts.location, context: opts.context });
  return { url, value, list: [areq, cb] };
}

testRule(rule, {
  valid: [
    {
      name: 'the callback redirects: the code never stays in the history',
      observations: () => {
        const l = login({ location: `${APP}/home` });
        return [...l.list, obs(`${APP}/home`, { at: 10.2 }), obs(`${APP}/api/me`, { type: 'xhr', referer: `${APP}/home`, at: 20 })];
      },
    },
    {
      name: 'subresources the callback page loads at once (within 5 s)',
      observations: () => {
        const l = login();
        return [...l.list, obs(`${APP}/app.js`, { type: 'script', referer: l.url, at: 10.3 }), obs(`${APP}/api/me`, { type: 'xhr', referer: l.url, at: 14 })];
      },
    },
    {
      name: 'the page removed the code with history.replaceState: later requests send the clean URL',
      observations: () => {
        const l = login();
        return [...l.list, obs(`${APP}/api/me`, { type: 'xhr', referer: CB, at: 20 })];
      },
    },
    {
      name: 'a later request to another origin carries the origin only (strict-origin-when-cross-origin)',
      observations: () => {
        const l = login();
        return [...l.list, obs('https://api.other.example/v1/items', { type: 'xhr', referer: `${APP}/`, at: 30 })];
      },
    },
    {
      name: 'tokens in the fragment (no Referer ever carries a fragment)',
      observations: () => {
        const l = login({ name: 'access_token', fragment: true });
        return [...l.list, obs(`${APP}/api/me`, { type: 'xhr', referer: CB, at: 30 })];
      },
    },
    {
      name: 'form_post: the code is in the body, not the URL',
      observations: () => {
        const l = login({ responseMode: 'form_post' });
        return [...l.list, obs(`${APP}/dashboard`, { referer: CB, at: 30 })];
      },
    },
    {
      name: 'a Referer with the callback URL in another tab (a copied link), not from the callback document',
      observations: () => {
        const l = login();
        return [...l.list, obs(`${APP}/dashboard`, { referer: l.url, at: 30, context: 'tab:2' })];
      },
    },
    {
      name: 'the user left the callback page within 5 s: the next document\'s requests do not count',
      observations: () => {
        const l = login();
        return [...l.list, obs(`${APP}/dashboard`, { referer: l.url, at: 12 }), obs(`${APP}/api/me`, { type: 'xhr', referer: l.url, at: 30 })];
      },
    },
    {
      name: 'an error response in the callback URL',
      observations: () => {
        const state = rand('s');
        const url = `${CB}?${q({ error: 'access_denied', state })}`;
        return [obs(`${AS}/authorize?${q({ response_type: 'code', client_id: 'c1', redirect_uri: CB, state })}`, { location: url, at: 9 }), obs(url, { at: 10 }), obs(`${APP}/home`, { referer: url, at: 30 })];
      },
    },
    {
      name: 'a Referer on the callback path with another code (another login)',
      observations: () => {
        const l = login();
        return [...l.list, obs(`${APP}/api/me`, { type: 'xhr', referer: `${CB}?${q({ code: rand('other'), state: rand('s2') })}`, at: 30 })];
      },
    },
  ],
  invalid: [
    {
      name: 'a server-rendered callback: the user follows a link from it 8 s later, the Referer still has the code',
      observations: () => {
        const l = login();
        return [...l.list, obs(`${APP}/dashboard`, { referer: l.url, at: 18 })];
      },
      expect: [{ severity: 'low', param: 'Referer', message: /8 s after the authorization response.*authorization code/ }],
    },
    {
      name: 'an API call of the callback document 6 s later (same origin: the full URL is the Referer)',
      observations: () => {
        const l = login();
        return [...l.list, obs(`${APP}/api/me`, { type: 'xhr', referer: l.url, at: 16 })];
      },
      expect: [{ severity: 'low', param: 'code' }],
    },
    {
      name: 'an access token in the query of the callback URL',
      observations: () => {
        const l = login({ name: 'access_token' });
        return [...l.list, obs(`${APP}/api/me`, { type: 'xhr', referer: l.url, at: 40 })];
      },
      expect: [{ severity: 'low', message: /access token/ }],
    },
    {
      name: 'several later requests from the same document: one finding',
      observations: () => {
        const l = login();
        return [...l.list, obs(`${APP}/a.png`, { type: 'image', referer: l.url, at: 20 }), obs(`${APP}/api/me`, { type: 'xhr', referer: l.url, at: 25 })];
      },
      expect: [{ severity: 'low', count: 1 }],
    },
  ],
});
