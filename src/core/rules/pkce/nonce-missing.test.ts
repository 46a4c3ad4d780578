import { obs, post, q, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule from './nonce-missing';

const b64 = (o: object) => btoa(JSON.stringify(o)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const jws = (o: object) => `eyJhbGciOiJSUzI1NiJ9.${b64(o)}.${rand('sig', 43)}`;
const areq = (p: Record<string, string | undefined>) => obs(`https://as.example/authorize?${q({ client_id: 'c', state: rand('s'), redirect_uri: 'https://app.example/cb', scope: 'openid profile', ...p })}`);

testRule(rule, {
  valid: [
    { name: 'OIDC code flow with PKCE and no nonce', observations: () => [areq({ response_type: 'code', code_challenge: rand('c', 43), code_challenge_method: 'S256' })] },
    { name: 'hybrid with nonce', observations: () => [areq({ response_type: 'code id_token', nonce: rand('n'), response_mode: 'form_post' })] },
    { name: 'nonce inside a signed request object (JAR)', observations: () => [obs(`https://as.example/authorize?${q({ client_id: 'c', request: jws({ client_id: 'c', response_type: 'id_token', scope: 'openid', redirect_uri: 'https://app.example/cb', state: rand('s'), nonce: rand('n') }) })}`)] },
    { name: 'encrypted request object (JWE): parameters unknown', observations: () => [obs(`https://as.example/authorize?${q({ client_id: 'c', scope: 'openid', request: `${rand('h', 30)}.${rand('k', 40)}.${rand('iv', 16)}.${rand('ct', 80)}.${rand('t', 22)}` })}`)] },
    { name: 'PAR request: parameters unknown', observations: () => [obs(`https://as.example/authorize?${q({ client_id: 'c', scope: 'openid', request_uri: 'urn:ietf:params:oauth:request_uri:n1' })}`)] },
    { name: 'nonce in the body of a form-POST authorization request', observations: () => [obs('https://as.example/authorize', { method: 'POST', form: { client_id: 'c', response_type: 'id_token', scope: 'openid', redirect_uri: 'https://app.example/cb', state: rand('s'), nonce: rand('n'), response_mode: 'form_post' } })] },
    { name: 'a scope that only contains "openid" as a substring', observations: () => [areq({ response_type: 'id_token', scope: 'openidconnect:read' })] },
    { name: 'PAR whose pushed body (DT/HAR) carries a nonce', observations: () => [post('https://as.example/par', { client_id: 'c', redirect_uri: 'https://app.example/cb', response_type: 'id_token', scope: 'openid', state: rand('s'), nonce: rand('n') }, { status: 201, responseBody: { request_uri: 'urn:ietf:params:oauth:request_uri:nm1', expires_in: 60 } }), obs(`https://as.example/authorize?${q({ client_id: 'c', request_uri: 'urn:ietf:params:oauth:request_uri:nm1' })}`)] },
    { name: 'plain OAuth (no openid scope)', observations: () => [areq({ response_type: 'code', scope: 'repo' })] },
  ],
  invalid: [
    { name: 'id_token in the front channel without nonce', observations: () => [areq({ response_type: 'id_token' })], expect: [{ severity: 'high', param: 'nonce' }] },
    { name: 'code id_token without nonce', observations: () => [areq({ response_type: 'code id_token', response_mode: 'form_post' })], expect: [{ severity: 'high' }] },
    { name: 'scope and response_type with literal + separators', observations: () => [obs(`https://as.example/authorize?${q({ client_id: 'c', state: rand('s'), redirect_uri: 'https://app.example/cb' })}&scope=profile+openid+email&response_type=id_token+token`)], expect: [{ severity: 'high' }] },
    { name: 'hybrid with PKCE but no nonce: still high (PKCE does not protect the front-channel ID token)', observations: () => [areq({ response_type: 'code id_token', response_mode: 'fragment', code_challenge: rand('c', 43), code_challenge_method: 'S256' })], expect: [{ severity: 'high' }] },
    { name: 'an empty nonce is no nonce', observations: () => [areq({ response_type: 'id_token', nonce: '' })], expect: [{ severity: 'high', param: 'nonce' }] },
    { name: 'signed request object (JAR) asking for an ID token without nonce', observations: () => [obs(`https://as.example/authorize?${q({ client_id: 'c', request: jws({ client_id: 'c', response_type: 'id_token', scope: 'openid email', redirect_uri: 'https://app.example/cb', state: rand('s') }) })}`)], expect: [{ severity: 'high' }] },
    { name: 'OIDC code flow with an empty code_challenge and no nonce: medium', observations: () => [areq({ response_type: 'code', code_challenge: '' })], expect: [{ severity: 'medium', variant: 'code-without-pkce' }] },
    { name: 'PAR whose pushed body (DT/HAR) asks for an ID token without nonce', observations: () => [post('https://as.example/par', { client_id: 'c', redirect_uri: 'https://app.example/cb', response_type: 'code id_token', scope: 'openid', state: rand('s') }, { status: 201, responseBody: { request_uri: 'urn:ietf:params:oauth:request_uri:nm2', expires_in: 60 } }), obs(`https://as.example/authorize?${q({ client_id: 'c', request_uri: 'urn:ietf:params:oauth:request_uri:nm2' })}`)], expect: [{ severity: 'high', param: 'nonce' }] },
    { name: 'OIDC code flow without PKCE or nonce: medium', observations: () => [areq({ response_type: 'code' })], expect: [{ severity: 'medium', variant: 'code-without-pkce' }] },
  ],
});
