import { describe, expect, it } from 'vitest';
import { obs, q } from '../testing/builders';
import { classify } from './classify';

const AS = 'https://as.example';
const APP = 'https://app.example';
const b64u = (x: object) => Buffer.from(JSON.stringify(x)).toString('base64url');

describe('classify (detectors.md §0.2)', () => {
  it.each([
    ['an authorization request', obs(`${AS}/authorize?${q({ client_id: 'c', response_type: 'code', redirect_uri: `${APP}/cb`, state: 's' })}`), 'authorization-request'],
    // OIDC Core §3.1.2.1: id_token_hint is an authorization request parameter too (prompt=none silent renewal)
    ['a silent renewal with id_token_hint', obs(`${AS}/authorize?${q({ client_id: 'c', response_type: 'code', redirect_uri: `${APP}/cb`, state: 's', prompt: 'none', id_token_hint: 'eyJhbGciOiJub25lIn0.e30.' })}`, { type: 'sub_frame' }), 'authorization-request'],
    ['an end-session request with id_token_hint', obs(`${AS}/session/end?${q({ id_token_hint: 'eyJhbGciOiJub25lIn0.e30.', post_logout_redirect_uri: `${APP}/` })}`), 'end-session'],
    ['an end-session request with only id_token_hint', obs(`${AS}/v2/bye?${q({ id_token_hint: 'eyJhbGciOiJub25lIn0.e30.', client_id: 'c' })}`), 'end-session'],
    ['a form token request', obs(`${AS}/oauth/token`, { type: 'fetch', form: { grant_type: 'authorization_code', code: 'x', client_id: 'c' } }), 'token-request'],
    ['a JSON token request (Auth0 accepts JSON)', obs(`${AS}/oauth/token`, { type: 'fetch', method: 'POST', body: JSON.stringify({ grant_type: 'password', username: 'u', password: 'p', client_id: 'c' }) }), 'token-request'],
    ['a JSON POST that is no OAuth message', obs(`${APP}/api/items`, { type: 'fetch', method: 'POST', body: JSON.stringify({ name: 'x', count: 3 }) }), 'other'],
    ['a broken JSON body', obs(`${AS}/oauth/token`, { type: 'fetch', method: 'POST', body: '{"grant_type": "pass' }), 'other'],
    // §0.2: a PAR body carries response_type + redirect_uri and gets a 201 {request_uri}; a client
    // authenticated with HTTP Basic sends no client_id in the body (RFC 9126 §2.1), at any path
    ['a PAR request without client_id in the body (Basic auth)', obs(`${AS}/as/par.oauth2`, { type: 'fetch', form: { response_type: 'code', redirect_uri: `${APP}/cb`, state: 's', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' }, headers: { Authorization: 'Basic YzpzZWNyZXQ=' }, status: 201, responseBody: { request_uri: 'urn:ietf:params:oauth:request_uri:abc', expires_in: 60 } }), 'par-request'],
    ['a PAR request whose parameters are a request object (RFC 9126 §3)', obs(`${AS}/as/par.oauth2`, { type: 'fetch', form: { client_id: 'c', request: `${b64u({ alg: 'RS256' })}.${b64u({ response_type: 'code', redirect_uri: `${APP}/cb`, state: 's' })}.sig` }, status: 201, responseBody: { request_uri: 'urn:ietf:params:oauth:request_uri:abc', expires_in: 60 } }), 'par-request'],
    // §0.2: a form POST with OAuth parameters to any other endpoint is neither a PAR nor an AREQ
    ['Google\'s account chooser POST (client_id, redirect_uri, state; 200 JSON)', obs('https://accounts.google.com/_/signin/oauth?authuser=0&rt=j', { type: 'xhr', form: { client_id: 'c.apps.googleusercontent.com', redirect_uri: `${APP}/cb`, state: 's', response_type: 'code', scope: 'openid' }, status: 200, responseBody: ")]}'\n[[\"gf.sicr\"]]" }), 'other'],
    ['the same POST answered 200 JSON with no request_uri', obs(`${AS}/oauth/select`, { type: 'fetch', form: { client_id: 'c', redirect_uri: `${APP}/cb`, response_type: 'code' }, status: 200, responseBody: { ok: true } }), 'other'],
    ['a PAR at another path, known by its 201 {request_uri}', obs(`${AS}/oauth/push`, { type: 'fetch', form: { client_id: 'c', redirect_uri: `${APP}/cb`, response_type: 'code' }, status: 201, responseBody: { request_uri: 'urn:ietf:params:oauth:request_uri:x', expires_in: 60 } }), 'par-request'],
    ['a PAR seen without its body (the extension): a PAR-shaped POST answered 201', obs(`${AS}/oauth/request`, { type: 'fetch', form: { client_id: 'c', redirect_uri: `${APP}/cb`, response_type: 'code' }, status: 201 }), 'par-request'],
    ['the same POST seen without its body, answered 200: no PAR', obs(`${AS}/oauth/request`, { type: 'fetch', form: { client_id: 'c', redirect_uri: `${APP}/cb`, response_type: 'code' }, status: 200 }), 'other'],
    ['a PAR at a /par path, whatever its reply', obs(`${AS}/oauth/par`, { type: 'fetch', form: { client_id: 'c', redirect_uri: `${APP}/cb`, response_type: 'code' }, status: 400, responseBody: { error: 'invalid_request' } }), 'par-request'],
    ['a fetch POST with a 201 that is no PAR', obs(`${APP}/api/items`, { type: 'fetch', form: { name: 'x', redirect_uri: `${APP}/x` }, status: 201, responseBody: { id: 3 } }), 'other'],
  ])('%s', (_name, o, kind) => {
    expect(classify(o).kind).toBe(kind);
  });

  it('a JSON body gives its scalar fields as body parameters (nested values are left out)', () => {
    const m = classify(obs(`${AS}/oauth/token`, { type: 'fetch', method: 'POST', body: JSON.stringify({ grant_type: 'password', realm: { x: 1 }, remember: true, n: 2 }) }));
    expect(m.form.get('grant_type')).toBe('password');
    expect(m.form.get('remember')).toBe('true');
    expect(m.form.get('n')).toBe('2');
    expect(m.form.has('realm')).toBe(false);
    expect(m.sources.get('grant_type')).toBe('form');
  });

  it('a PAR request object (JAR in the pushed body) gives its parameters (§0.2 PAR/JAR)', () => {
    const request = `${b64u({ alg: 'RS256' })}.${b64u({ client_id: 'c', response_type: 'code', redirect_uri: `${APP}/cb`, state: 'st-1', nonce: 'n-1' })}.sig`;
    const m = classify(obs(`${AS}/par`, { type: 'fetch', form: { client_id: 'c', request }, status: 201, responseBody: { request_uri: 'urn:ietf:params:oauth:request_uri:abc' } }));
    expect(m.kind).toBe('par-request');
    expect(m.params.get('state')).toBe('st-1');
    expect(m.params.get('redirect_uri')).toBe(`${APP}/cb`);
    expect(m.sources.get('state')).toBe('request-object');
  });
});
