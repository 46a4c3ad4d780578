import { obs, q, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './referer-leak';

const AS = 'https://as.example';
const CB = 'https://app.example/cb';
function flow(code = rand('code'), state = rand('state')) {
  const cb = `${CB}?${q({ code, state })}`;
  return { cb, obs: [obs(`${AS}/authorize?${q({ client_id: 'c', response_type: 'code', redirect_uri: CB, state, code_challenge: rand('cc', 43), code_challenge_method: 'S256' })}`), obs(cb, { referer: `${AS}/` })] };
}

testRule(rule, {
  valid: [
    { name: 'a subresource of the client itself', observations: () => { const f = flow(); return [...f.obs, obs('https://app.example/app.js', { type: 'script', referer: f.cb })]; } },
    { name: 'a request back to the AS', observations: () => { const f = flow(); return [...f.obs, obs(`${AS}/userinfo`, { type: 'fetch', referer: f.cb })]; } },
    { name: 'strict-origin-when-cross-origin: only the origin is sent', observations: () => { const f = flow(); return [...f.obs, obs('https://cdn.analytics.example/p.gif', { type: 'image', referer: 'https://app.example/' })]; } },
    { name: 'a third-party request whose Referer has unrelated parameters', observations: () => { const f = flow(); return [...f.obs, obs('https://cdn.example/x.js', { type: 'script', referer: `${CB}?code=${rand('other')}&state=${rand('other-s')}` })]; } },
  ],
  invalid: [
    {
      name: 'the code and state reach an analytics host in the Referer',
      observations: () => { const f = flow(); return [...f.obs, obs('https://cdn.analytics.example/collect', { type: 'image', referer: f.cb })]; },
      expect: [{ severity: 'high', param: 'Referer', message: /analytics/ }],
    },
    {
      name: 'callback sets Referrer-Policy: unsafe-url (potential)',
      observations: () => {
        const s = rand('s');
        return [obs(`${AS}/authorize?${q({ client_id: 'c', response_type: 'code', redirect_uri: CB, state: s })}`), obs(`${CB}?${q({ code: rand('c'), state: s })}`, { responseHeaders: { 'Referrer-Policy': 'unsafe-url' } })];
      },
      expect: [{ severity: 'medium', variant: 'potential' }],
    },
  ],
});
