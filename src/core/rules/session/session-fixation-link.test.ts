import { obs, q, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './session-fixation-link';

const C = 'https://platform.example';
const AS = 'https://as.example';
const areqUrl = (state: string) => `${AS}/authorize?${q({ client_id: 'c', response_type: 'code', redirect_uri: `${C}/cb`, state, code_challenge: rand('cc', 43), code_challenge_method: 'S256' })}`;
const jwsUrl = (o: object) => `${AS}/authorize?${q({ client_id: 'c', request: `eyJhbGciOiJSUzI1NiJ9.${b64(o)}.${rand('sig', 43)}` })}`;
const cb = (state: string, init: Parameters<typeof obs>[1] = {}) => obs(`${C}/cb?${q({ code: rand('c'), state })}`, { referer: `${AS}/`, ...init });
const b64 = (o: object) => btoa(JSON.stringify(o)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

testRule(rule, {
  valid: [
    {
      name: 'a pre-authorization link with the client session cookie already sent: low only',
      observations: () => { const v = rand('sess', 32); return [obs(`${C}/oauth?${q({ auth_session_id: v })}`, { headers: { Cookie: `app=${rand('c')}` }, location: areqUrl(rand('s')), responseHeaders: { 'Set-Cookie': `auth_session_id=${v}` } })]; },
      allow: ['low'],
    },
    { name: 'a short, low-entropy parameter', observations: () => [obs(`${C}/oauth?${q({ sid: '42' })}`, { location: areqUrl(rand('s')) })] },
    { name: 'a magic link that does not go to an AS', observations: () => [obs(`${C}/magic?${q({ ticket: rand('t', 40) })}`, { location: `${C}/home` })] },
    {
      name: 'a state with a return path and a nonce, started by the client',
      observations: () => { const s = b64({ returnTo: '/x', nonce: rand('n') }); return [obs(`${C}/connect`, { location: areqUrl(s) }), obs(areqUrl(s)), obs(`${C}/cb?${q({ code: rand('c'), state: s })}`)]; },
    },
    {
      name: 'a click tracker on a third site that sets its own cookie and redirects to an authorization request (not a GET to C)',
      observations: () => { const v = rand('trk', 32); return [obs(`https://click.mailer.example/ls?${q({ sid: v })}`, { location: areqUrl(rand('s')), responseHeaders: { 'Set-Cookie': `sid=${v}` } })]; },
    },
    {
      name: 'a session state opened from a sibling host of the client (same site)',
      observations: () => { const s = b64({ sid: rand('own', 24), nonce: rand('n') }); return [obs(areqUrl(s), { referer: 'https://www.platform.example/settings' }), cb(s)]; },
    },
    {
      name: 'a session state opened from the AS itself (account chooser)',
      observations: () => { const s = b64({ sid: rand('asx', 24), nonce: rand('n') }); return [obs(areqUrl(s), { referer: `${AS}/select-account` }), cb(s)]; },
    },
    {
      name: 'a third-site link whose flow ends in an error, not a code',
      observations: () => { const s = b64({ sid: rand('err', 24), nonce: rand('n') }); return [obs(areqUrl(s), { referer: 'https://attacker-mail.example/inbox' }), obs(`${C}/cb?${q({ error: 'access_denied', state: s })}`, { referer: `${AS}/` })]; },
    },
    {
      name: 'a third-site link with an opaque random state (no session identifier)',
      observations: () => { const s = rand('opaque', 40); return [obs(areqUrl(s), { referer: 'https://blog.example/post' }), cb(s)]; },
    },
    {
      name: 'a third-site link with a session state, completed with the client cookies sent: low only',
      observations: () => { const s = b64({ sid: rand('ck', 24), nonce: rand('n') }); return [obs(areqUrl(s), { referer: 'https://attacker-mail.example/inbox' }), cb(s, { headers: { Cookie: `app_session=${rand('appc')}` } })]; },
      allow: ['low'],
    },
    { name: 'a session-like parameter that is not a session name (state_id)', observations: () => [obs(`${C}/oauth?${q({ state_id: rand('sid2', 32) })}`, { location: areqUrl(rand('s')) })] },
  ],
  invalid: [
    {
      name: 'the pre-authorization URL redirects to a JAR authorization request (request=<JWS>)',
      observations: () => { const v = rand('jar', 32); return [obs(`${C}/oauth?${q({ auth_session_id: v })}`, { status: 303, location: jwsUrl({ client_id: 'c', response_type: 'code', redirect_uri: `${C}/cb`, state: rand('s') }), responseHeaders: { 'Set-Cookie': `auth_session_id=${v}` } })]; },
      expect: [{ severity: 'high', variant: 'pre-authorization-url' }],
    },
    {
      name: 'the pre-authorization URL redirects to a PAR authorization request',
      observations: () => { const v = rand('par', 32); return [obs(`${C}/oauth?${q({ handoff: v })}`, { location: `${AS}/authorize?${q({ client_id: 'c', request_uri: 'urn:ietf:params:oauth:request_uri:q9' })}`, responseHeaders: { 'Set-Cookie': `handoff=${v}` } })]; },
      expect: [{ severity: 'high', param: 'handoff' }],
    },
    {
      name: 'a pre-authorization URL on the client for a native app (custom-scheme redirect_uri): the site guard does not apply',
      observations: () => { const v = rand('nat', 32); return [obs(`${C}/link?${q({ connection_id: v })}`, { location: `${AS}/authorize?${q({ client_id: 'c', response_type: 'code', redirect_uri: 'com.platform.app:/oauth', state: rand('s') })}`, responseHeaders: { 'Set-Cookie': `cid=${v}` } })]; },
      expect: [{ severity: 'high' }],
    },
    {
      name: 'camelCase sessionId',
      observations: () => { const v = rand('cc', 32); return [obs(`${C}/start?${q({ sessionId: v })}`, { location: areqUrl(rand('s')), responseHeaders: { 'Set-Cookie': `sessionId=${v}; HttpOnly` } })]; },
      expect: [{ severity: 'high', param: 'sessionId' }],
    },
    {
      name: 'the cookie carries the value percent-encoded',
      observations: () => { const v = `${rand('pe', 30)}/+=`; return [obs(`${C}/oauth?${q({ link_token: v })}`, { location: areqUrl(rand('s')), responseHeaders: { 'Set-Cookie': `link_token=${encodeURIComponent(v)}; Path=/` } })]; },
      expect: [{ severity: 'high' }],
    },
    {
      name: 'the echo is in the second of two Set-Cookie headers',
      observations: () => { const v = rand('two', 32); return [obs(`${C}/oauth?${q({ ticket: v })}`, { location: areqUrl(rand('s')), responseHeaders: { 'Set-Cookie': `lang=en`, 'set-cookie': `t=${v}` } })]; },
      expect: [{ severity: 'high' }],
    },
    {
      name: 'a delimiter-separated state with sid, opened by a third-site initiator',
      observations: () => { const s = `sid:${rand('dl', 24)}|nonce:${rand('n', 24)}`; return [obs(areqUrl(s), { initiator: 'https://attacker.example' }), cb(s)]; },
      expect: [{ severity: 'high', variant: 'state-carries-session' }],
    },
    {
      name: 'a JWT state with a session claim, opened by a third-site redirect (link shortener)',
      observations: () => { const s = `eyJhbGciOiJIUzI1NiJ9.${b64({ session: rand('js', 24), nonce: rand('n') })}.${rand('sg', 43)}`; return [obs('https://sho.rt/x7', { location: areqUrl(s) }), obs(areqUrl(s)), cb(s)]; },
      expect: [{ severity: 'high', variant: 'state-carries-session' }],
    },
    {
      name: 'a form_post callback of a third-site flow whose state carries a session',
      observations: () => { const s = b64({ auth_session_id: rand('fp', 24), nonce: rand('n') }); return [obs(areqUrl(s), { referer: 'https://attacker-mail.example/inbox' }), obs(`${C}/cb`, { form: { code: rand('c'), state: s }, referer: `${AS}/` })]; },
      expect: [{ severity: 'high' }],
    },
    {
      name: "draft-02 §2.3 example: GET /oauth?auth_session_id=X → 303, Set-Cookie auth_session_id=X, Location → AS",
      observations: () => { const v = rand('fx', 32); return [obs(`${C}/oauth?${q({ auth_session_id: v })}`, { status: 303, location: areqUrl(rand('s')), responseHeaders: { 'Set-Cookie': `auth_session_id=${v}; Path=/; Secure` } })]; },
      expect: [{ severity: 'high', variant: 'pre-authorization-url', param: 'auth_session_id' }],
    },
    {
      name: 'without the cookie echo: medium',
      observations: () => [obs(`${C}/connect?${q({ connection_token: rand('ct', 32) })}`, { location: areqUrl(rand('s')) })],
      expect: [{ severity: 'medium' }],
    },
    {
      name: 'an authorization request opened from a third site with a session in the state, completed here',
      observations: () => {
        const s = b64({ sid: rand('victim-session', 24), nonce: rand('n') });
        return [obs(areqUrl(s), { referer: 'https://attacker-mail.example/inbox' }), obs(`${C}/cb?${q({ code: rand('c'), state: s })}`, { referer: `${AS}/` })];
      },
      expect: [{ severity: 'high', variant: 'state-carries-session' }],
    },
  ],
});
