import { obs, post, q, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './pkce-plain';

const b64 = (o: object) => btoa(JSON.stringify(o)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const jws = (o: object) => `eyJhbGciOiJSUzI1NiJ9.${b64(o)}.${rand('sig', 43)}`;
const areq = (p: Record<string, string | undefined>) => obs(`https://as.example/authorize?${q({ client_id: 'c', response_type: 'code', state: rand('s'), redirect_uri: 'https://app.example/cb', ...p })}`);

testRule(rule, {
  valid: [
    { name: 'S256', observations: () => [areq({ code_challenge: rand('c', 43), code_challenge_method: 'S256' })] },
    { name: 'no PKCE at all is pkce-missing, not this', observations: () => [areq({})] },
    { name: 'S256 inside a signed request object (JAR)', observations: () => [obs(`https://as.example/authorize?${q({ client_id: 'c', request: jws({ client_id: 'c', response_type: 'code', redirect_uri: 'https://app.example/cb', state: rand('s'), code_challenge: rand('c', 43), code_challenge_method: 'S256' }) })}`)] },
    { name: 'PAR request: parameters unknown', observations: () => [obs(`https://as.example/authorize?${q({ client_id: 'c', request_uri: 'urn:ietf:params:oauth:request_uri:p1' })}`)] },
    { name: 'PAR whose pushed body (DT/HAR) uses S256', observations: () => [post('https://as.example/par', { client_id: 'c', redirect_uri: 'https://app.example/cb', response_type: 'code', state: rand('s'), code_challenge: rand('c', 43), code_challenge_method: 'S256' }, { status: 201, responseBody: { request_uri: 'urn:ietf:params:oauth:request_uri:pp1', expires_in: 60 } }), obs(`https://as.example/authorize?${q({ client_id: 'c', request_uri: 'urn:ietf:params:oauth:request_uri:pp1' })}`)] },
    { name: 'S256 in a form-POST authorization request', observations: () => [obs('https://as.example/authorize', { method: 'POST', form: { client_id: 'c', response_type: 'code', redirect_uri: 'https://app.example/cb', state: rand('s'), code_challenge: rand('c', 43), code_challenge_method: 'S256' } })] },
  ],
  invalid: [
    { name: 'method plain', observations: () => [areq({ code_challenge: rand('v', 64), code_challenge_method: 'plain' })], expect: [{ severity: 'medium', variant: 'plain' }] },
    { name: 'empty code_challenge_method is the default (plain)', observations: () => [areq({ code_challenge: rand('c', 43), code_challenge_method: '' })], expect: [{ severity: 'medium', variant: 'method-absent' }] },
    { name: 'no method with a 128-character challenge: no S256 note', observations: () => [areq({ code_challenge: rand('v', 128) })], expect: [{ variant: 'method-absent', message: /^(?![\s\S]*may assume S256)/ }] },
    { name: 'plain inside a signed request object (JAR)', observations: () => [obs(`https://as.example/authorize?${q({ client_id: 'c', request: jws({ client_id: 'c', response_type: 'code', redirect_uri: 'https://app.example/cb', state: rand('s'), code_challenge: rand('v', 60), code_challenge_method: 'plain' }) })}`)], expect: [{ variant: 'plain' }] },
    { name: 'plain in a form-POST authorization request', observations: () => [obs('https://as.example/authorize', { method: 'POST', form: { client_id: 'c', response_type: 'code', redirect_uri: 'https://app.example/cb', state: rand('s'), code_challenge: rand('v', 60), code_challenge_method: 'plain' } })], expect: [{ variant: 'plain', param: 'code_challenge_method' }] },
    { name: 'hybrid flow with plain', observations: () => [areq({ response_type: 'code id_token', nonce: rand('n'), response_mode: 'form_post', code_challenge: rand('v', 50), code_challenge_method: 'plain' })], expect: [{ severity: 'medium', variant: 'plain' }] },
    { name: 'PAR whose pushed body (DT/HAR) uses plain', observations: () => [post('https://as.example/par', { client_id: 'c', redirect_uri: 'https://app.example/cb', response_type: 'code', state: rand('s'), code_challenge: rand('v', 60), code_challenge_method: 'plain' }, { status: 201, responseBody: { request_uri: 'urn:ietf:params:oauth:request_uri:pp2', expires_in: 60 } }), obs(`https://as.example/authorize?${q({ client_id: 'c', request_uri: 'urn:ietf:params:oauth:request_uri:pp2' })}`)], expect: [{ variant: 'plain' }] },
    { name: 'no method with an S256-looking challenge gets the note', observations: () => [areq({ code_challenge: rand('c', 43) })], expect: [{ variant: 'method-absent', message: /may assume S256/ }] },
  ],
});
