import { describe, expect, it } from 'vitest';
import { obs, post, q, rand, resetBuilders, run } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './state-weak';

/** an authorization request with neither PKCE nor a nonce: the state is its only CSRF defence */
const areq = (state: string, ctx = 'tab:1', extra: Record<string, string> = {}) => obs(`https://as.example/authorize?${q({ client_id: 'c', response_type: 'code', redirect_uri: 'https://app.example/cb', state, ...extra })}`, { context: ctx });
const s256 = (seed: string) => ({ code_challenge: rand('cc' + seed, 43), code_challenge_method: 'S256' });
/** a PAR request (its body) with its 201 reply, as DevTools or a HAR shows it */
const par = (state: string, extra: Record<string, string> = {}) =>
  post('https://as.example/par', { client_id: 'c', response_type: 'code', redirect_uri: 'https://app.example/cb', state, ...extra }, { status: 201, responseBody: { request_uri: `urn:ietf:params:oauth:request_uri:${rand('ru', 24)}`, expires_in: 60 } });
const b64 = (o: object) => btoa(JSON.stringify(o)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/**
 * The shape of a Microsoft Entra (v1 endpoint) sign-in of SharePoint Online: hybrid
 * response_type=code id_token, form_post, a 113-character nonce (ticks + "." + random, as Entra's
 * SharePoint front end writes it) and a 4-character state. Values made up here; no real capture.
 */
const TENANT = '72f988bf-0000-4000-8000-2d7cd011db47';
const entraNonce = `638712345678901234.${rand('entra-nonce', 94)}`;
const entra = (p: Record<string, string | undefined> = {}) =>
  obs(
    `https://login.microsoftonline.com/${TENANT}/oauth2/authorize?${q({
      client_id: '00000003-0000-0ff1-ce00-000000000000',
      response_mode: 'form_post',
      response_type: 'code id_token',
      resource: '00000003-0000-0ff1-ce00-000000000000',
      scope: 'openid',
      nonce: entraNonce,
      redirect_uri: 'https://contoso.sharepoint.com/_forms/default.aspx',
      state: 'OD0w',
      claims: '{"id_token":{"xms_cc":{"values":["CP1"]}}}',
      wsucxt: '1',
      ...p,
    })}`,
    { referer: 'https://contoso.sharepoint.com/' },
  );
/** MSAL.js's state: base64 of {"id": <UUIDv4>, "meta": {"interactionType": …}} (+ "|" + the app's own state) */
const msal = (id: string, app?: string) => btoa(JSON.stringify({ id, meta: { interactionType: 'redirect' } })) + (app !== undefined ? `|${app}` : '');

testRule(rule, {
  valid: [
    { name: 'random base64url state', observations: () => [areq(rand('s', 32))] },
    { name: 'a random state pushed with PAR, then the opaque request_uri', observations: () => [par(rand('ps', 32)), obs(`https://as.example/authorize?${q({ client_id: 'c', request_uri: 'urn:ietf:params:oauth:request_uri:x' })}`)] },
    { name: 'UUIDv4', observations: () => [areq('7fc0f404-2eb8-4393-8dd0-1e7e2bf03625')] },
    { name: 'Okta-style prefixed UUID', observations: () => [areq('state-296bc9a0-a2a2-4a57-be1a-d0e2fd9bb601')] },
    { name: "Google's structured state with a strong security_token", observations: () => [areq(`security_token=${rand('st', 30)}&url=https://app.example/home`)] },
    { name: 'base64-JSON state with a strong nonce', observations: () => [areq(b64({ returnTo: '/settings', nonce: rand('n', 32) }))] },
    { name: '16 hex characters (64 bits, the threshold)', observations: () => [areq('a3f9c2e18b7d4f60')] },
    { name: "Google's doc structured state (security_token of 13 base36 characters)", observations: () => [areq('security_token=138r5719ru3e1&url=https://oauth2-login-demo.example.com/myHome')] },
    { name: 'raw JSON state with a strong csrf field', observations: () => [areq(JSON.stringify({ csrf: rand('cs', 32), to: '/x' }))] },
    { name: 'Keycloak-style dotted state (random.tab.client)', observations: () => [areq(`${rand('kc', 43)}.${rand('tab', 11)}.my-client`)] },
    { name: 'a 64-character hex state (SHA-256 of a random value)', observations: () => [areq('9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08')] },
    { name: 'two separate flows with the same state are state-reuse, not a constant', observations: () => { const s = rand('two', 32); return [areq(s, 'tab:1'), areq(s, 'tab:2')]; } },
    { name: 'MSAL.js state: base64 JSON whose random member is a UUIDv4 id', observations: () => [areq(msal('0b6c3f0e-7a4d-4c8e-9f21-5d2e8a1b7c34'))] },
    { name: 'MSAL.js state with the application\'s own state after "|"', observations: () => [areq(msal('4f1d2a9c-3b7e-4d51-a8c6-e09f7b2d6a13', '/dashboard'))] },
    { name: 'JWE state is only info (unassessable)', observations: () => [areq(`${rand('h', 40)}.${rand('k', 40)}.${rand('iv', 22)}.${rand('ct', 60)}.${rand('tag', 22)}`)], allow: ['info'] },
  ],
  invalid: [
    { name: 'doc placeholder 12345 (G7)', observations: () => [areq('12345')], expect: [{ variant: 'placeholder', severity: 'medium' }] },
    { name: '"xyzABC123" (Auth0 docs)', observations: () => [areq('xyzABC123')], expect: [{ variant: 'placeholder' }] },
    { name: 'short hex', observations: () => [areq('a1b2c3d4e5f6')], expect: [{ variant: 'low-entropy' }] },
    { name: 'a return path as state', observations: () => [areq('/dashboard/settings')], expect: [{ variant: 'predictable-value' }] },
    { name: 'a timestamp', observations: () => [areq('1767225600123')], expect: [{} ] },
    { name: 'an email address', observations: () => [areq('alice@example.com')], expect: [{ variant: 'predictable-value', message: /email/ }] },
    { name: 'a guessable state pushed with PAR (judged on the PAR body)', observations: () => [par('12345'), obs(`https://as.example/authorize?${q({ client_id: 'c', request_uri: 'urn:ietf:params:oauth:request_uri:x' })}`)], expect: [{ param: 'state', count: 1 }] },
    { name: 'structured state without a random part', observations: () => [areq(b64({ returnTo: '/settings', tool: 'github' }))], expect: [{ variant: 'structured-no-random' }] },
    { name: 'JWT state whose nonce is weak', observations: () => [areq(`eyJhbGciOiJIUzI1NiJ9.${b64({ nonce: '42', tool: 'x' })}.${rand('sig', 43)}`)], expect: [{ variant: 'structured-weak-random' }] },
    { name: '"XYZ" in another case', observations: () => [areq('XYZ')], expect: [{ variant: 'placeholder' }] },
    { name: 'the literal "state"', observations: () => [areq('state')], expect: [{ variant: 'placeholder' }] },
    { name: 'twelve digits', observations: () => [areq('482913650172')], expect: [{ variant: 'placeholder' }] },
    { name: 'a Unix timestamp in seconds', observations: () => [areq('1767225600')], expect: [{ severity: 'medium' }] },
    { name: 'an ISO timestamp', observations: () => [areq('2026-01-15T10:00:00Z')], expect: [{ variant: 'predictable-value', message: /timestamp/ }] },
    { name: 'a percent-encoded URL as state', observations: () => [areq('https://app.example/after-login?tab=2')], expect: [{ variant: 'predictable-value', message: /URL/ }] },
    { name: 'a wallet address', observations: () => [areq('0x52908400098527886E0F7030069857D2E4169EE7')], expect: [{ variant: 'predictable-value', message: /wallet/ }] },
    { name: '15 hex characters (60 bits)', observations: () => [areq('a3f9c2e18b7d4f6')], expect: [{ variant: 'low-entropy' }] },
    { name: 'raw JSON state without a random part', observations: () => [areq(JSON.stringify({ returnTo: '/settings', provider: 'github' }))], expect: [{ variant: 'structured-no-random' }] },
    { name: 'raw JSON state whose csrf field is weak', observations: () => [areq(JSON.stringify({ csrf: 'abc123', to: '/x' }))], expect: [{ variant: 'structured-weak-random' }] },
    { name: 'structured state whose nonce is a timestamp', observations: () => [areq(b64({ nonce: '1767225600123', returnTo: '/x' }))], expect: [{ variant: 'structured-weak-random', message: /timestamp/ }] },
    { name: 'a weak state in a form-POST authorization request', observations: () => [obs('https://as.example/authorize', { method: 'POST', form: { client_id: 'c', response_type: 'code', redirect_uri: 'https://app.example/cb', state: '12345' } })], expect: [{ variant: 'placeholder' }] },
    { name: 'a reload of the request reports once', observations: () => { const u = `https://as.example/authorize?${q({ client_id: 'c', response_type: 'code', redirect_uri: 'https://app.example/cb', state: 'abc123' })}`; return [obs(u, { at: 1 }), obs(u, { at: 20, transition: { type: 'reload', qualifiers: [] } })]; }, expect: [{ count: 1 }] },
    // lower to low (detectors.md state-weak): PKCE S256 or a nonce of ≥ 64 bits in the same request
    { name: 'Entra SharePoint sign-in: short state, 113-character nonce, form_post → low', observations: () => [entra()], expect: [{ severity: 'low', variant: 'low-entropy', param: 'nonce', message: /nonce of about \d+ bits/ }] },
    { name: 'the Entra shape with neither nonce nor PKCE → medium', observations: () => [entra({ nonce: undefined })], expect: [{ severity: 'medium', variant: 'low-entropy' }] },
    { name: 'a short nonce (< 64 bits) and a short state → medium', observations: () => [entra({ nonce: 'a1b2c3d4' })], expect: [{ severity: 'medium' }] },
    { name: 'a strong nonce in a plain OAuth request (no openid, no id_token) protects nothing → medium', observations: () => [areq('12345', 'tab:1', { nonce: rand('nn', 43) })], expect: [{ severity: 'medium', variant: 'placeholder' }] },
    { name: 'a placeholder state with PKCE S256 → low', observations: () => [areq('12345', 'tab:1', s256('p'))], expect: [{ severity: 'low', variant: 'placeholder', param: 'code_challenge', message: /PKCE/ }] },
    { name: 'plain PKCE does not lower', observations: () => [areq('12345', 'tab:1', { code_challenge: rand('plain', 43), code_challenge_method: 'plain' })], expect: [{ severity: 'medium', variant: 'placeholder' }] },
    { name: 'PKCE without a method (plain by default) does not lower', observations: () => [areq('a1b2c3d4e5f6', 'tab:1', { code_challenge: rand('nomethod', 43) })], expect: [{ severity: 'medium', variant: 'low-entropy' }] },
    { name: 'S256 with an empty challenge does not lower', observations: () => [areq('12345', 'tab:1', { code_challenge: '', code_challenge_method: 'S256' })], expect: [{ severity: 'medium' }] },
    { name: 'a weak state in a PAR body with PKCE S256 → low (the body is the request)', observations: () => [par('12345', s256('par')), obs(`https://as.example/authorize?${q({ client_id: 'c', request_uri: 'urn:ietf:params:oauth:request_uri:x' })}`)], expect: [{ severity: 'low', count: 1 }] },
    { name: 'a weak state in a request object (JAR) that also carries PKCE S256 → low', observations: () => [obs(`https://as.example/authorize?${q({ client_id: 'c', request: `eyJhbGciOiJSUzI1NiJ9.${b64({ client_id: 'c', response_type: 'code', redirect_uri: 'https://app.example/cb', state: '12345', ...s256('jar') })}.${rand('jsig', 86)}` })}`)], expect: [{ severity: 'low', variant: 'placeholder' }] },
    { name: 'MSAL-shaped state whose id is not random stays medium', observations: () => [areq(msal('42'))], expect: [{ severity: 'medium', variant: 'structured-weak-random' }] },
    { name: 'MSAL-shaped state with the app\'s state after "|" is judged by its id member', observations: () => [areq(msal('7', '/dashboard/settings/profile'))], expect: [{ severity: 'medium', variant: 'structured-weak-random', message: /its id field/ }] },
    { name: 'base64 JSON state with only non-random fields stays medium', observations: () => [areq(b64({ meta: { interactionType: 'redirect' }, returnTo: '/home' }))], expect: [{ severity: 'medium', variant: 'structured-no-random' }] },
    { name: 'a constant state across three separate tabs', observations: () => { const s = rand('const', 32); return [areq(s, 'tab:1'), areq(s, 'tab:2'), areq(s, 'tab:3')]; }, expect: [{ variant: 'constant' }] },
  ],
});

describe('state-weak lowered by PKCE or a nonce', () => {
  it('is heuristic and names the protection; the unprotected look-alike is medium', () => {
    resetBuilders();
    const low = run([entra()]).findings.filter((f) => f.ruleId === 'state-weak');
    expect(low.map((f) => [f.severity, f.confidence])).toEqual([['low', 'heuristic']]);
    resetBuilders();
    const medium = run([entra({ nonce: undefined })]).findings.filter((f) => f.ruleId === 'state-weak');
    expect(medium.map((f) => f.severity)).toEqual(['medium']);
    expect(medium[0].message).not.toMatch(/RFC 9700 §2\.1/);
  });
});
