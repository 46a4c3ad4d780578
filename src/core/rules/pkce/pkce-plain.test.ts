import { obs, q, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './pkce-plain';

const areq = (p: Record<string, string | undefined>) => obs(`https://as.example/authorize?${q({ client_id: 'c', response_type: 'code', state: rand('s'), redirect_uri: 'https://app.example/cb', ...p })}`);

testRule(rule, {
  valid: [
    { name: 'S256', observations: () => [areq({ code_challenge: rand('c', 43), code_challenge_method: 'S256' })] },
    { name: 'no PKCE at all is pkce-missing, not this', observations: () => [areq({})] },
  ],
  invalid: [
    { name: 'method plain', observations: () => [areq({ code_challenge: rand('v', 64), code_challenge_method: 'plain' })], expect: [{ severity: 'medium', variant: 'plain' }] },
    { name: 'no method with an S256-looking challenge gets the note', observations: () => [areq({ code_challenge: rand('c', 43) })], expect: [{ variant: 'method-absent', message: /may assume S256/ }] },
  ],
});
