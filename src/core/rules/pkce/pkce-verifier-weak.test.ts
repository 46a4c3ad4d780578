import { post, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './pkce-verifier-weak';

const treq = (verifier: string, url = 'https://as.example/token') => post(url, { grant_type: 'authorization_code', code: rand('c'), client_id: 'spa', redirect_uri: 'https://app.example/cb', code_verifier: verifier });

testRule(rule, {
  valid: [
    { name: '43-character base64url verifier', observations: () => [treq(rand('v', 43))] },
    { name: '128-character verifier', observations: () => [treq(rand('v', 128))] },
    { name: 'no verifier (confidential client)', observations: () => [post('https://as.example/token', { grant_type: 'authorization_code', code: rand('c'), client_secret: rand('s') })] },
  ],
  invalid: [
    { name: 'too short', observations: () => [treq(rand('v', 20))], expect: [{ severity: 'medium', message: /length 20/ }] },
    { name: 'reserved characters', observations: () => [treq(`${rand('v', 42)}+/=`)], expect: [{ message: /characters outside/ }] },
    { name: 'low entropy (digits only)', observations: () => [treq('1'.repeat(50))], expect: [{ message: /entropy/ }] },
    { name: 'verifier in the URL: high', observations: () => [treq(rand('v', 43), `https://as.example/token?code_verifier=${rand('v', 43)}`)], expect: [{ severity: 'high', variant: 'in-url' }] },
  ],
});
