import { obs, post, q, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './callback-without-browser-binding';

const C = 'https://app.example';
const AS = 'https://as.example';
const areq = (state: string, extra: Record<string, string | undefined> = {}) =>
  `${AS}/authorize?${q({ client_id: 'c', response_type: 'code', redirect_uri: `${C}/cb`, state, scope: 'openid', nonce: rand('nn'), ...extra })}`;
/** the client's page, then a click on "Connect" that redirects to the AS: the usual start */
const start = (state: string, extra: Record<string, string | undefined> = {}) => [
  obs(`${C}/settings`, { headers: { Cookie: `app_session=${rand('own', 40)}` } }),
  obs(`${C}/connect`, { headers: { Cookie: `app_session=${rand('own', 40)}` }, referer: `${C}/settings`, location: areq(state, extra) }),
  obs(areq(state, extra)),
];
const cb = (state: string, code = rand('code')) => `${C}/cb?${q({ code, state })}`;
const newSession = { 'Set-Cookie': `app_session=${rand('new', 40)}; Path=/; HttpOnly; Secure` };

testRule(rule, {
  valid: [
    {
      name: 'the callback carries the client session cookie',
      observations: () => { const s = rand('s1'); return [...start(s), obs(cb(s), { referer: `${AS}/`, headers: { Cookie: `app_session=${rand('own', 40)}` }, location: `${C}/home`, responseHeaders: newSession })]; },
    },
    {
      name: 'a broker answering its upstream callback with its own authorization response to its client (G1): judged at the next callback',
      observations: () => {
        const s = rand('brk');
        return [...start(s), obs(cb(s), { referer: `${AS}/`, location: `https://tool.example/oauth/callback?${q({ code: rand('bc'), state: rand('ts') })}` })];
      },
    },
    {
      name: 'no Cookie header before the callback, only after it (a capture that starts cookie-less): insufficient evidence',
      observations: () => {
        const s = rand('late');
        return [obs(`${C}/login`, { location: areq(s) }), obs(areq(s), { referer: `${C}/` }), obs(cb(s), { referer: `${AS}/`, location: `${C}/home`, responseHeaders: newSession }), obs(`${C}/home`, { headers: { Cookie: `app_session=${rand('n', 40)}` } })];
      },
    },
    {
      name: 'a sanitized HAR export: no Cookie and no Set-Cookie anywhere in the exchange (insufficient evidence)',
      observations: () => { const s = rand('s2'); return [obs(`${C}/connect`, { location: areq(s) }), obs(areq(s)), obs(cb(s), { referer: `${AS}/`, location: `${C}/home` })]; },
    },
    {
      name: 'form_post: a cross-site POST withholds SameSite=Lax cookies',
      observations: () => { const s = rand('s3'); return [...start(s, { response_mode: 'form_post' }), obs(`${C}/cb`, { form: { code: rand('c'), state: s }, referer: `${AS}/`, location: `${C}/home`, responseHeaders: newSession })]; },
    },
    {
      name: 'a code in the fragment (the server never sees it)',
      observations: () => { const s = rand('s4'); return [...start(s, { response_mode: 'fragment' }), obs(`${AS}/login`, { location: `${C}/cb#${q({ code: rand('c'), state: s })}`, responseHeaders: { 'Set-Cookie': `as=${rand('a', 30)}` } })]; },
    },
    {
      name: 'an SPA: 200 with a session cookie on a PKCE flow, then the page redeems the code with its verifier',
      observations: () => {
        const s = rand('s5'); const code = rand('spa');
        return [...start(s, { code_challenge: rand('cc', 43), code_challenge_method: 'S256' }), obs(cb(s, code), { referer: `${AS}/`, responseHeaders: { 'Set-Cookie': `session_hint=${rand('h', 40)}` } }),
          post(`${AS}/token`, { grant_type: 'authorization_code', code, code_verifier: rand('v', 43), redirect_uri: `${C}/cb`, client_id: 'c' }, { initiator: C })];
      },
    },
    {
      name: 'SameSite=Strict bounce: the cookie-less callback redirects to itself with the code',
      observations: () => { const s = rand('s6'); const u = cb(s); return [...start(s), obs(u, { referer: `${AS}/`, status: 303, location: u.replace('/cb?', '/cb/resume?'), responseHeaders: { 'Set-Cookie': 'bounce=1' } })]; },
    },
    {
      name: 'SameSite=Strict bounce: a 200 page (meta refresh) without a session cookie',
      observations: () => { const s = rand('s7'); return [...start(s), obs(cb(s), { referer: `${AS}/`, responseHeaders: { 'Set-Cookie': `AWSALB=${rand('lb', 40)}` } })]; },
    },
    {
      name: 'the cookie-less callback is sent to an error page',
      observations: () => { const s = rand('s8'); return [...start(s), obs(cb(s), { referer: `${AS}/`, location: `${C}/auth/error`, responseHeaders: { 'Set-Cookie': 'oauth_state=; Max-Age=0' } })]; },
    },
    {
      name: 'the cookie-less callback is sent back to the login page',
      observations: () => { const s = rand('s9'); return [...start(s), obs(cb(s), { referer: `${AS}/`, location: `${C}/login`, responseHeaders: { 'Set-Cookie': 'oauth_state=; Max-Age=0' } })]; },
    },
    {
      name: 'the client answers 403',
      observations: () => { const s = rand('s10'); return [...start(s), obs(cb(s), { referer: `${AS}/`, status: 403, responseHeaders: newSession })]; },
    },
    {
      name: 'the cookie-less callback is sent home with an error parameter',
      observations: () => { const s = rand('s10b'); return [...start(s), obs(cb(s), { referer: `${AS}/`, location: `${C}/?error=invalid_state`, responseHeaders: { 'Set-Cookie': 'oauth_state=; Max-Age=0' } })]; },
    },
    {
      name: 'an error response',
      observations: () => { const s = rand('s11'); return [...start(s), obs(`${C}/cb?${q({ error: 'access_denied', state: s })}`, { referer: `${AS}/`, location: `${C}/home`, responseHeaders: newSession })]; },
    },
    {
      name: '§3 GitHub shape, started from the client, callback with cookies',
      observations: () => {
        const s = rand('gh');
        const a = `https://github.com/login/oauth/authorize?${q({ client_id: 'Iv1.8a61f9b3a7aba766', redirect_uri: `${C}/auth/github/callback`, scope: 'read:user', state: s, code_challenge: rand('ghc', 43), code_challenge_method: 'S256' })}`;
        return [obs(`${C}/auth/github`, { headers: { Cookie: `sid=${rand('o', 32)}` }, location: a }), obs(a, { referer: `${C}/` }), obs(`${C}/auth/github/callback?${q({ code: rand('ghcode', 20), state: s })}`, { referer: 'https://github.com/', headers: { Cookie: `sid=${rand('o', 32)}` }, location: `${C}/`, responseHeaders: newSession })];
      },
    },
    {
      name: 'a capture that starts at the authorization request (G6): no flow-not-started-here',
      observations: () => { const s = rand('s12'); return [obs(areq(s)), obs(cb(s), { referer: `${AS}/`, headers: { Cookie: 'app_session=x' }, location: `${C}/home` })]; },
    },
    {
      name: 'a reload of a completed callback (G3) is not judged again',
      observations: () => { const s = rand('s13'); const u = cb(s); return [...start(s), obs(u, { referer: `${AS}/`, headers: { Cookie: 'app_session=x' }, location: `${C}/home` }), obs(u, { transition: { type: 'reload', qualifiers: [] }, location: `${C}/home`, responseHeaders: newSession })]; },
    },
  ],
  invalid: [
    {
      name: 'no cookie, the client redirects to its dashboard (clearing an oauth_state cookie it never received)',
      observations: () => { const s = rand('i1'); return [...start(s), obs(cb(s), { referer: `${AS}/`, location: `${C}/dashboard`, responseHeaders: { 'Set-Cookie': 'oauth_state=; Max-Age=0; Path=/' } })]; },
      expect: [{ severity: 'high', param: 'Location', count: 1 }],
    },
    {
      name: 'no cookie, 200 with a new session cookie (no PKCE: nothing left for a page to redeem)',
      observations: () => { const s = rand('i2'); return [...start(s), obs(cb(s), { referer: `${AS}/`, responseHeaders: newSession })]; },
      expect: [{ severity: 'high', param: 'Set-Cookie' }],
    },
    {
      name: 'no cookie, a PKCE flow redirected to a page with a new session cookie (the code left the URL: not an SPA)',
      observations: () => { const s = rand('i3'); return [...start(s, { code_challenge: rand('cc3', 43), code_challenge_method: 'S256' }), obs(cb(s), { referer: `${AS}/`, status: 303, location: `${C}/integrations?connected=1`, responseHeaders: newSession })]; },
      expect: [{ severity: 'high', message: /sets a new app_session cookie/ }],
    },
    {
      name: 'the connection link opened directly in another browser (draft-02 §2.3): info flow-not-started-here plus high',
      observations: () => {
        const s = rand('i4');
        // the other browser sends cookies to the sites it knows: cookie headers are captured
        return [obs('https://mail.example/inbox', { headers: { Cookie: 'webmail=1' } }), obs(areq(s)), obs(cb(s), { referer: `${AS}/`, location: `${C}/settings?connected=github`, responseHeaders: { 'Set-Cookie': 'flash=connected; Path=/' } })];
      },
      expect: [{ severity: 'info', variant: 'flow-not-started-here', count: 1 }, { severity: 'high' }],
    },
    {
      name: 'an authorization request opened directly, completed with the client cookies: info only',
      observations: () => { const s = rand('i5'); return [obs('https://chat.example/room'), obs(areq(s)), obs(cb(s), { referer: `${AS}/`, headers: { Cookie: 'app_session=x' }, location: `${C}/home` })]; },
      expect: [{ severity: 'info', variant: 'flow-not-started-here' }, { count: 1 }],
    },
  ],
});
