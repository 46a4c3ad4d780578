import { obs, q, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './session-fixation-state-carries-session';

const C = 'https://platform.example';
const AS = 'https://as.example';
const areqUrl = (state: string, extra: Record<string, string> = {}) =>
  `${AS}/authorize?${q({ client_id: 'c', response_type: 'code', redirect_uri: `${C}/cb`, state, code_challenge: rand('cc', 43), code_challenge_method: 'S256', ...extra })}`;
const b64 = (o: object) => btoa(JSON.stringify(o)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const jwt = (o: object) => `eyJhbGciOiJIUzI1NiJ9.${b64(o)}.${rand('sg', 43)}`;
const cbUrl = (state: string) => `${C}/cb?${q({ code: rand('code'), state })}`;

testRule(rule, {
  valid: [
    {
      name: '§3 Google: a structured state with security_token and url',
      observations: () => {
        const s = 'security_token=138r5719ru3e1&url=https://oauth2-login-demo.example.com/myHome';
        return [obs(`https://accounts.google.com/o/oauth2/v2/auth?${q({ response_type: 'code', client_id: '424911365001.apps.googleusercontent.com', scope: 'openid email', redirect_uri: 'https://oauth2.example.com/code', state: s, nonce: '0394852-3190485-2490358' })}`),
          obs(`https://oauth2.example.com/code?${q({ state: s, iss: 'https://accounts.google.com', code: rand('g') })}`, { referer: 'https://accounts.google.com/' })];
      },
    },
    {
      name: '§3 Keycloak: a UUID state, callback with session_state',
      observations: () => { const s = '7fc0f404-2eb8-4393-8dd0-1e7e2bf03625'; return [obs(areqUrl(s)), obs(`${C}/cb?${q({ state: s, session_state: 'f55fda9e-6b3c-4a3e-9a0e-2c1f1e3c5d7b', code: rand('kc') })}`, { status: 302, location: `${C}/home`, responseHeaders: { 'Set-Cookie': `app_session=${rand('as', 40)}` } })]; },
    },
    {
      name: 'double-submit: the pre-authorization response sets oauth_state to the state',
      observations: () => { const s = rand('ds', 32); return [obs(`${C}/login`, { headers: { Cookie: `session=${rand('sess', 32)}` }, location: areqUrl(s), responseHeaders: { 'Set-Cookie': `oauth_state=${s}; HttpOnly` } })]; },
    },
    {
      name: 'double-submit under a meaningless cookie name (the fresh cookie is the whole state)',
      observations: () => { const s = rand('ds2', 32); return [obs(`${C}/login`, { location: areqUrl(s), responseHeaders: { 'Set-Cookie': `st=${s}` } })]; },
    },
    {
      name: 'a session cookie set next to a state whose random field holds the same value (fresh binding)',
      observations: () => { const n = rand('fresh', 32); return [obs(`${C}/login`, { location: areqUrl(b64({ returnTo: '/x', nonce: n })), responseHeaders: { 'Set-Cookie': `sid=${n}` } })]; },
    },
    {
      name: 'an SPA backend that forwards the state chosen by its own front-end (?state=)',
      observations: () => { const s = rand('fw', 32); return [obs(`${C}/api/authorize?${q({ state: s, redirect: '/dashboard' })}`, { location: areqUrl(s) })]; },
    },
    {
      name: 'a return URL parameter copied into the state',
      observations: () => { const r = 'https://platform.example/projects/settings/integrations'; return [obs(`${C}/login?${q({ returnTo: r })}`, { location: areqUrl(b64({ returnTo: r, nonce: rand('n') })) })]; },
    },
    {
      name: 'the client session cookie is sent but the state is random',
      observations: () => [obs(`${C}/connect`, { headers: { Cookie: `session=${rand('s1', 40)}` }, location: areqUrl(rand('st', 32)) })],
    },
    {
      name: 'a short cookie value that happens to occur in the state',
      observations: () => [obs(`${C}/connect`, { headers: { Cookie: 'lang=en; theme=dark' }, location: areqUrl(`en${rand('x', 30)}`) })],
    },
    {
      name: 'a click tracker on a third site whose sid parameter is in the state (not a hop of the client)',
      observations: () => { const v = rand('trk', 32); return [obs(`https://click.mailer.example/l?${q({ sid: v })}`, { location: areqUrl(b64({ sid: v, nonce: rand('n') })) })]; },
    },
    {
      name: 'LTI-like tool id next to a random nonce, client cookies sent: low only',
      observations: () => { const t = rand('tool', 32); return [obs(`${C}/launch?${q({ tool_id: t })}`, { headers: { Cookie: `app=${rand('ck', 32)}` }, location: areqUrl(b64({ tool_id: t, nonce: rand('n') })) })]; },
      allow: ['low'],
    },
    {
      name: 'a tenant next to a random nonce at a callback with the client cookies: low only',
      observations: () => { const s = b64({ tenant: 'acme', nonce: rand('tn') }); return [obs(areqUrl(s)), obs(cbUrl(s), { headers: { Cookie: `app_session=${rand('c2', 32)}` }, referer: `${AS}/` })]; },
      allow: ['low'],
    },
    {
      name: 'a session state whose flow ends in an error, not a code',
      observations: () => { const s = b64({ sid: rand('e', 24), nonce: rand('n') }); return [obs(areqUrl(s)), obs(`${C}/cb?${q({ error: 'access_denied', state: s })}`, { referer: `${AS}/` })]; },
    },
  ],
  invalid: [
    {
      name: 'a reload of the callback (G3) reports once',
      observations: () => { const s = b64({ sid: rand('rl', 24), nonce: rand('n') }); const u = cbUrl(s); return [obs(areqUrl(s)), obs(u, { referer: `${AS}/`, headers: { Cookie: 'a=1' } }), obs(u, { transition: { type: 'reload', qualifiers: [] }, headers: { Cookie: 'a=1' } })]; },
      expect: [{ severity: 'medium', count: 1 }],
    },
    {
      name: 'a base64url JSON state with sid, callback with client cookies: medium',
      observations: () => { const s = b64({ sid: rand('v1', 24), nonce: rand('n') }); return [obs(areqUrl(s)), obs(cbUrl(s), { referer: `${AS}/`, headers: { Cookie: `app_session=${rand('c3', 32)}` } })]; },
      expect: [{ severity: 'medium', variant: 'state-fields', param: 'state', count: 1 }],
    },
    {
      name: 'a delimited state (sid:…|nonce:…): medium',
      observations: () => { const s = `sid:${rand('dl', 24)}|nonce:${rand('n', 24)}`; return [obs(areqUrl(s)), obs(cbUrl(s), { referer: `${AS}/` })]; },
      expect: [{ severity: 'medium', variant: 'state-fields' }],
    },
    {
      name: 'a JWT state with user_id, callback completed with no cookie (302 to a page, Set-Cookie visible): high',
      observations: () => { const s = jwt({ user_id: 'u-829', jti: rand('j') }); return [obs(areqUrl(s)), obs(cbUrl(s), { referer: `${AS}/`, status: 302, location: `${C}/settings/integrations?connected=github`, responseHeaders: { 'Set-Cookie': 'flash=connected; Path=/' } })]; },
      expect: [{ severity: 'high', message: /no cookie of its own/ }],
    },
    {
      name: 'a session state, callback with no cookie answered with a new session cookie: high',
      observations: () => { const s = b64({ auth_session_id: rand('as2', 24), nonce: rand('n') }); return [obs(areqUrl(s)), obs(cbUrl(s), { referer: `${AS}/`, responseHeaders: { 'Set-Cookie': `app_session=${rand('new', 40)}; HttpOnly` } })]; },
      expect: [{ severity: 'high' }],
    },
    {
      name: 'no cookie and a 302, but the capture shows no cookie headers (sanitized export): medium, not high',
      observations: () => { const s = b64({ sid: rand('san', 24), nonce: rand('n') }); return [obs(areqUrl(s)), obs(cbUrl(s), { referer: `${AS}/`, status: 302, location: `${C}/home` })]; },
      expect: [{ severity: 'medium' }],
    },
    {
      name: 'no cookie, but the callback redirects to an error page: medium',
      observations: () => { const s = b64({ sid: rand('err', 24), nonce: rand('n') }); return [obs(areqUrl(s)), obs(cbUrl(s), { referer: `${AS}/`, location: `${C}/oauth/error?reason=state`, responseHeaders: { 'Set-Cookie': 'flash=x' } })]; },
      expect: [{ severity: 'medium' }],
    },
    {
      name: 'a session state delivered by form_post (cookies withheld cross-site): medium, not high',
      observations: () => { const s = b64({ session: rand('fp', 24), nonce: rand('n') }); return [obs(areqUrl(s, { response_mode: 'form_post' })), obs(`${C}/cb`, { form: { code: rand('c'), state: s }, referer: `${AS}/`, status: 302, location: `${C}/home`, responseHeaders: { 'Set-Cookie': `app_session=${rand('fpc', 40)}` } })]; },
      expect: [{ severity: 'medium' }],
    },
    {
      name: 'draft-02 §2.3: GET /oauth?auth_session_id=X → 303 to an authorization request whose state carries X',
      observations: () => { const v = rand('fx', 32); return [obs(`${C}/oauth?${q({ auth_session_id: v })}`, { status: 303, location: areqUrl(b64({ auth_session_id: v, nonce: rand('n') })), responseHeaders: { 'Set-Cookie': `auth_session_id=${v}` } })]; },
      expect: [{ severity: 'medium', variant: 'state-carries-parameter', param: 'auth_session_id' }],
    },
    {
      name: 'a plain GET /connect whose state contains the connect.sid cookie value',
      observations: () => { const sid = rand('csid', 32); return [obs(`${C}/connect/github`, { headers: { Cookie: `theme=dark; connect.sid=${sid}` }, location: areqUrl(`${sid}.${rand('n', 16)}`) })]; },
      expect: [{ severity: 'medium', variant: 'state-carries-cookie', param: 'Cookie' }],
    },
    {
      name: 'the state is the session cookie itself',
      observations: () => { const sid = rand('whole', 40); return [obs(`${C}/auth/start`, { headers: { Cookie: `PHPSESSID=${sid}` }, location: areqUrl(sid) })]; },
      expect: [{ severity: 'medium', variant: 'state-carries-cookie' }],
    },
    {
      name: 'a session cookie set on the redirect and carried as a sid field beside a nonce',
      observations: () => { const sid = rand('setc', 32); return [obs(`${C}/login`, { location: areqUrl(b64({ sid, nonce: rand('n') })), responseHeaders: { 'Set-Cookie': `session_id=${sid}; HttpOnly` } })]; },
      expect: [{ severity: 'medium', param: 'Set-Cookie' }],
    },
    {
      name: 'a tool id next to a nonce without any client cookie: medium (the FP needs the cookies)',
      observations: () => { const t = rand('tool2', 32); return [obs(`${C}/launch?${q({ tool_id: t })}`, { location: areqUrl(b64({ tool_id: t, nonce: rand('n') })) })]; },
      expect: [{ severity: 'medium', param: 'tool_id' }],
    },
    {
      name: 'a JAR request object (request=<JWS>) whose state carries the link_token from the URL',
      observations: () => { const v = rand('jar', 32); return [obs(`${C}/link?${q({ link_token: v })}`, { location: `${AS}/authorize?${q({ client_id: 'c', request: jwt({ client_id: 'c', response_type: 'code', redirect_uri: `${C}/cb`, state: `lt.${v}.${rand('n', 16)}` }) })}` })]; },
      expect: [{ severity: 'medium', param: 'link_token' }],
    },
    {
      name: 'a percent-encoded value inside the state',
      observations: () => { const v = `${rand('pe', 24)}/+=`; return [obs(`${C}/oauth?${q({ ticket: v })}`, { location: areqUrl(`t=${encodeURIComponent(v)}|n=${rand('n', 20)}`) })]; },
      expect: [{ severity: 'medium', param: 'ticket' }],
    },
  ],
});
