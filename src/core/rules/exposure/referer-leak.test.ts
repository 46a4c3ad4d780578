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
    { name: 'a third-party request whose Referer has unrelated parameters (only the low third-party-script variant)', observations: () => { const f = flow(); return [...f.obs, obs('https://cdn.example/x.js', { type: 'script', referer: `${CB}?code=${rand('other')}&state=${rand('other-s')}` })]; }, allow: ['low'] },
    {
      name: 'Referrer-Policy list whose last supported token is strict: no potential leak',
      observations: () => {
        const s = rand('s');
        return [obs(`${AS}/authorize?${q({ client_id: 'c', response_type: 'code', redirect_uri: CB, state: s })}`), obs(`${CB}?${q({ code: rand('c'), state: s })}`, { responseHeaders: { 'Referrer-Policy': 'unsafe-url, strict-origin-when-cross-origin' } })];
      },
    },
    { name: 'a Referer without query or fragment (only the low third-party-script variant)', observations: () => { const f = flow(); return [...f.obs, obs('https://cdn.example/y.js', { type: 'script', referer: CB })]; }, allow: ['low'] },
    {
      name: 'a second AS of the same flow (federation broker) holds the values already',
      observations: () => {
        const s = rand('fs');
        const code = rand('fc');
        const cb = `${CB}?${q({ code, state: s })}`;
        return [
          obs(`${AS}/authorize?${q({ client_id: 'c', response_type: 'code', redirect_uri: CB, state: s })}`),
          obs(`https://as2.example/authorize?${q({ client_id: 'c', response_type: 'code', redirect_uri: CB, state: s })}`),
          obs(cb, { referer: 'https://as2.example/' }),
          obs('https://as2.example/session/check', { type: 'fetch', referer: cb }),
        ];
      },
    },
    { name: 'first-party script on the callback page (same site, other host)', observations: () => { const f = flow(); return [...f.obs, obs('https://static.app.example/main.js', { type: 'script', referer: 'https://app.example/' })]; } },
    {
      name: 'a third-party script after the callback redirected on (the callback page never rendered)',
      observations: () => {
        const s = rand('rs');
        return [
          obs(`${AS}/authorize?${q({ client_id: 'c', response_type: 'code', redirect_uri: CB, state: s })}`),
          obs(`${CB}?${q({ code: rand('c'), state: s })}`, { location: 'https://app.example/home' }),
          obs('https://app.example/home'),
          obs('https://cdn.vendor.example/widget.js', { type: 'script', referer: 'https://app.example/' }),
        ];
      },
    },
    { name: 'a script loaded by a third-party iframe on the callback page (it cannot read the top location)', observations: () => { const f = flow(); return [...f.obs, obs('https://ads.example/ad.js', { type: 'script', initiator: 'https://ads-frame.example' })]; } },
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
    {
      name: 'the state alone (an error response) reaches a third party',
      observations: () => {
        const s = rand('es');
        const cb = `${CB}?${q({ error: 'access_denied', state: s })}`;
        return [obs(`${AS}/authorize?${q({ client_id: 'c', response_type: 'code', redirect_uri: CB, state: s })}`), obs(cb), obs('https://tracker.example/t.js', { type: 'script', referer: cb })];
      },
      expect: [{ severity: 'high', message: /state/ }],
    },
    {
      name: 'a percent-encoded code (Google 4/0A… style) in the Referer matches the delivered code',
      observations: () => {
        const code = `4/0A${rand('gc', 40)}`;
        const f = flow(code);
        return [...f.obs, obs('https://fonts.example/css', { type: 'stylesheet', referer: f.cb })];
      },
      expect: [{ severity: 'high', message: /fonts\.example/ }],
    },
    {
      name: 'an access token in a Referer (implicit callback) reaches a third party',
      observations: () => {
        const s = rand('ts');
        const page = `https://app.example/home?${q({ access_token: rand('leak') })}`;
        return [obs(`${AS}/authorize?${q({ client_id: 'c', response_type: 'code', redirect_uri: CB, state: s })}`), obs('https://ads.example/px', { type: 'image', referer: page })];
      },
      expect: [{ severity: 'high', message: /access_token/ }],
    },
    {
      name: 'callback sets Referrer-Policy: no-referrer-when-downgrade (potential)',
      observations: () => {
        const s = rand('nd');
        return [obs(`${AS}/authorize?${q({ client_id: 'c', response_type: 'code', redirect_uri: CB, state: s })}`), obs(`${CB}?${q({ code: rand('c'), state: s })}`, { responseHeaders: { 'referrer-policy': 'No-Referrer-When-Downgrade' } })];
      },
      expect: [{ severity: 'medium', variant: 'potential' }],
    },
    {
      name: 'potential leak on a form_post callback',
      observations: () => {
        const s = rand('fpp');
        return [
          obs(`${AS}/authorize?${q({ client_id: 'c', response_type: 'code id_token', response_mode: 'form_post', redirect_uri: CB, state: s, nonce: rand('n'), scope: 'openid' })}`),
          obs(CB, { method: 'POST', form: { code: rand('c'), state: s }, responseHeaders: { 'Referrer-Policy': 'unsafe-url' } }),
        ];
      },
      expect: [{ severity: 'medium', variant: 'potential' }],
    },
    {
      name: 'a third-party script on the callback page (potential, low)',
      observations: () => { const f = flow(); return [...f.obs, obs('https://cdn.vendor.example/widget.js', { type: 'script', referer: 'https://app.example/' }), obs('https://cdn.vendor.example/more.js', { type: 'script', referer: 'https://app.example/' })]; },
      expect: [{ severity: 'low', variant: 'third-party-script', count: 1 }],
    },
  ],
});
