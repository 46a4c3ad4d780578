import { describe, expect, it } from 'vitest';
import { obs, q } from '../testing/builders';
import { classify } from './classify';

const AS = 'https://as.example';
const APP = 'https://app.example';

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
});
