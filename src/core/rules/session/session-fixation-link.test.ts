import { obs, q, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './session-fixation-link';

const C = 'https://platform.example';
const AS = 'https://as.example';
const areqUrl = (state: string) => `${AS}/authorize?${q({ client_id: 'c', response_type: 'code', redirect_uri: `${C}/cb`, state, code_challenge: rand('cc', 43), code_challenge_method: 'S256' })}`;
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
  ],
  invalid: [
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
