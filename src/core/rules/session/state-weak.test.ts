import { obs, q, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './state-weak';

const areq = (state: string, ctx = 'tab:1') => obs(`https://as.example/authorize?${q({ client_id: 'c', response_type: 'code', redirect_uri: 'https://app.example/cb', state, code_challenge: rand('cc' + state, 43), code_challenge_method: 'S256' })}`, { context: ctx });
const b64 = (o: object) => btoa(JSON.stringify(o)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

testRule(rule, {
  valid: [
    { name: 'random base64url state', observations: () => [areq(rand('s', 32))] },
    { name: 'UUIDv4', observations: () => [areq('7fc0f404-2eb8-4393-8dd0-1e7e2bf03625')] },
    { name: 'Okta-style prefixed UUID', observations: () => [areq('state-296bc9a0-a2a2-4a57-be1a-d0e2fd9bb601')] },
    { name: "Google's structured state with a strong security_token", observations: () => [areq(`security_token=${rand('st', 30)}&url=https://app.example/home`)] },
    { name: 'base64-JSON state with a strong nonce', observations: () => [areq(b64({ returnTo: '/settings', nonce: rand('n', 32) }))] },
    { name: 'JWE state is only info (unassessable)', observations: () => [areq(`${rand('h', 40)}.${rand('k', 40)}.${rand('iv', 22)}.${rand('ct', 60)}.${rand('tag', 22)}`)], allow: ['info'] },
  ],
  invalid: [
    { name: 'doc placeholder 12345 (G7)', observations: () => [areq('12345')], expect: [{ variant: 'placeholder', severity: 'medium' }] },
    { name: '"xyzABC123" (Auth0 docs)', observations: () => [areq('xyzABC123')], expect: [{ variant: 'placeholder' }] },
    { name: 'short hex', observations: () => [areq('a1b2c3d4e5f6')], expect: [{ variant: 'low-entropy' }] },
    { name: 'a return path as state', observations: () => [areq('/dashboard/settings')], expect: [{ variant: 'predictable-value' }] },
    { name: 'a timestamp', observations: () => [areq('1767225600123')], expect: [{} ] },
    { name: 'an email address', observations: () => [areq('alice@example.com')], expect: [{ variant: 'predictable-value', message: /email/ }] },
    { name: 'structured state without a random part', observations: () => [areq(b64({ returnTo: '/settings', tool: 'github' }))], expect: [{ variant: 'structured-no-random' }] },
    { name: 'JWT state whose nonce is weak', observations: () => [areq(`eyJhbGciOiJIUzI1NiJ9.${b64({ nonce: '42', tool: 'x' })}.${rand('sig', 43)}`)], expect: [{ variant: 'structured-weak-random' }] },
    { name: 'a constant state across three separate tabs', observations: () => { const s = rand('const', 32); return [areq(s, 'tab:1'), areq(s, 'tab:2'), areq(s, 'tab:3')]; }, expect: [{ variant: 'constant' }] },
  ],
});
