import { obs, q, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './open-redirect-token-exfil';

const AS = 'https://as.example';
const APP = 'https://app.example';
const CB = `${APP}/cb`;
const EVIL = 'https://evil.example';

/** the authorization request, answered at once with a redirect to the callback (a silent login) */
const areq = (state: string, callback: string, extra: Record<string, string> = {}) =>
  obs(`${AS}/authorize?${q({ response_type: 'code', client_id: 'c1', redirect_uri: CB, state, code_challenge: rand('cc', 43), code_challenge_method: 'S256', ...extra })}`, {
    initiator: APP,
    location: callback,
  });

/**
 * A query-mode login whose callback answers with `location` (then, if given, the request that
 * follows it, answered with `next`): the HAR's entries, request URLs without fragments.
 */
function codeLogin(location: (code: string, state: string) => string, next?: (code: string, state: string) => string | undefined, nextStatus = 302) {
  const state = rand('s');
  const code = rand('c');
  const first = location(code, state);
  const list = [areq(state, `${CB}?${q({ code, state, iss: AS })}`), obs(`${CB}?${q({ code, state, iss: AS })}`, { location: first })];
  if (next) {
    const second = next(code, state);
    list.push(obs(new URL(first, CB).href.split('#')[0], second ? { location: second } : { status: nextStatus }));
  }
  return list;
}

/** An implicit / fragment-mode login: the token rides in the fragment of the AS's Location only. */
function fragmentLogin(name: 'access_token' | 'id_token' | 'code', location: string, next?: string | null) {
  const state = rand('s');
  const value = rand(name);
  const fragment = q({ [name]: value, state, token_type: name === 'access_token' ? 'Bearer' : undefined });
  const list = [
    areq(state, `${CB}#${fragment}`, { response_type: name === 'access_token' ? 'token' : name === 'id_token' ? 'id_token' : 'code', response_mode: 'fragment', nonce: rand('n') }),
    obs(CB, { location }),
  ];
  if (next !== undefined) list.push(obs(new URL(location, CB).href.split('#')[0], next === null ? { status: 200 } : { location: next }));
  return list;
}

testRule(rule, {
  valid: [
    {
      name: 'the callback redirects to the app on its own origin',
      observations: () => codeLogin(() => `${APP}/home`),
    },
    {
      name: 'a query-mode callback redirects to another site without the code (the browser carries no query along)',
      observations: () => codeLogin(() => 'https://news.other.example/welcome'),
    },
    {
      name: 'a fragment callback redirects on its own origin (the re-attached fragment stays with the client), and that page renders',
      observations: () => fragmentLogin('access_token', `${APP}/app`, null),
    },
    {
      name: 'a fragment callback redirects to another site with a fragment of its own (it replaces the token\'s)',
      observations: () => fragmentLogin('access_token', `${EVIL}/welcome#/home`),
    },
    {
      name: 'an error response redirected to another site carries no credential',
      observations: () => {
        const state = rand('s');
        const cb = `${CB}?${q({ error: 'access_denied', state, iss: AS })}`;
        return [areq(state, cb), obs(cb, { location: `https://help.other.example/?${q({ error: 'access_denied', state })}` })];
      },
    },
    {
      name: 'two hops on the client\'s origin carrying the code, then a page',
      observations: () => codeLogin((code) => `${APP}/next?${q({ code })}`, () => `${APP}/done`),
    },
    {
      name: 'a broker\'s callback sends the browser on to its downstream client with a code of its own',
      observations: () => codeLogin(() => `https://shop.example/callback?${q({ code: rand('downstream'), state: rand('ds') })}`),
    },
    {
      name: 'a callback that sends the browser to the authorization server\'s logout, carrying nothing',
      observations: () => codeLogin(() => `${AS}/logout?${q({ post_logout_redirect_uri: APP })}`),
    },
    {
      name: 'the chain ends with the page that rendered: a later redirect elsewhere carries no re-attached fragment',
      observations: () => [
        ...fragmentLogin('access_token', `${APP}/app`, null),
        obs(`${APP}/login`, { location: 'https://sso.other.example/start', at: 100 }),
      ],
    },
    {
      name: 'a short code value that appears by chance inside another value of the target',
      observations: () => {
        const state = rand('s');
        const cb = `${CB}?${q({ code: 'ab12', state, iss: AS })}`;
        return [areq(state, cb), obs(cb, { location: `${EVIL}/page?ref=xab12y` })];
      },
    },
  ],
  invalid: [
    {
      name: 'the callback redirects to another site with the code in the query',
      observations: () => codeLogin((code) => `${EVIL}/collect?${q({ c: code })}`),
      expect: [{ severity: 'critical', variant: 'other-site-url', param: 'Location', message: /^The callback redirected to another site \(https:\/\/evil\.example\), carrying the authorization code in the URL/ }],
    },
    {
      name: 'an implicit callback redirects to another site without a fragment: the browser re-attaches the access token',
      observations: () => fragmentLogin('access_token', `${EVIL}/land`),
      expect: [{ severity: 'critical', variant: 'other-site-reattached', param: 'access_token', message: /re-attaches/ }],
    },
    {
      name: 'a hybrid response (code in the query, ID token in the fragment) whose redirect keeps only the fragment: the evidence names the ID token',
      observations: () => {
        const state = rand('s');
        const code = rand('c');
        const idToken = rand('id_token');
        const cb = `${CB}?${q({ code, state })}`;
        return [areq(state, `${cb}#${q({ id_token: idToken })}`, { response_type: 'code id_token', nonce: rand('n') }), obs(cb, { location: `${EVIL}/land` })];
      },
      expect: [{ severity: 'critical', variant: 'other-site-reattached', param: 'id_token', message: /ID token/ }],
    },
    {
      name: 'second hop: the callback passes the code to its own /next, which redirects to another site with it',
      observations: () => codeLogin((code, state) => `${APP}/next?${q({ code, state })}`, (code) => `${EVIL}/?${q({ code })}`),
      expect: [{ severity: 'critical', variant: 'other-site-url', message: /^The page the callback redirected to/, count: 1 }],
    },
    {
      name: 'second hop: an ID token in the fragment re-attached twice, to /continue and then to another site',
      observations: () => fragmentLogin('id_token', `${APP}/continue`, `${EVIL}/`),
      expect: [{ severity: 'critical', variant: 'other-site-reattached', message: /ID token/ }],
    },
    {
      name: 'the code inside a percent-encoded URL of the target\'s query',
      observations: () => codeLogin((code) => `${EVIL}/r?${q({ next: `${APP}/x?${q({ code })}` })}`),
      expect: [{ severity: 'critical', variant: 'other-site-url' }],
    },
    {
      name: 'second hop: the code rides nested in a return URL on the client\'s origin, then reaches another site',
      observations: () => codeLogin((code) => `${APP}/go?${q({ u: `${EVIL}/?${q({ code })}` })}`, (code) => `${EVIL}/?${q({ code })}`),
      expect: [{ severity: 'critical', message: /^The page the callback redirected to/ }],
    },
    {
      name: 'another origin of the client\'s own site receives the code',
      observations: () => codeLogin((code) => `https://static.app.example/?${q({ code })}`),
      expect: [{ severity: 'medium', variant: 'same-site-url' }],
    },
    {
      name: 'a fragment callback redirects to the authorization server without a fragment',
      observations: () => fragmentLogin('access_token', `${AS}/logout`),
      expect: [{ severity: 'low', variant: 'as-reattached' }],
    },
    {
      name: 'a form_post callback answered 303 to another site with the code',
      observations: () => {
        const state = rand('s');
        const code = rand('c');
        return [
          obs(`${AS}/authorize?${q({ response_type: 'code', response_mode: 'form_post', client_id: 'c1', redirect_uri: CB, state, code_challenge: rand('cc', 43), code_challenge_method: 'S256' })}`, { initiator: APP }),
          obs(CB, { method: 'POST', form: { code, state, iss: AS }, status: 303, location: `${EVIL}/?${q({ code })}`, initiator: AS }),
        ];
      },
      expect: [{ severity: 'critical', variant: 'other-site-url', param: 'code' }],
    },
    {
      name: 'the same callback delivered twice (a reload) is one finding',
      observations: () => {
        const list = codeLogin((code) => `${EVIL}/collect?${q({ c: code })}`);
        return [...list, { ...list[1], id: 'again', time: list[1].time + 2000 }];
      },
      expect: [{ severity: 'critical', count: 1 }],
    },
  ],
});
