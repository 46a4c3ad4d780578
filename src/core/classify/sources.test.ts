/**
 * A classified message's `sources` is built on first use from the sources of its parameters: the
 * same names, values and order as the Map every message built before (copied below as the
 * reference: merge's map of the kind's sources, and a copy of it with the request object's names
 * set last).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { obs } from '../testing/builders';
import { decodeJwtPayloadUnsafe, looksLikeJwe } from '../tokens/peek';
import type { Params } from '../util/url';
import { classify } from './classify';
import type { OAuthMessage, ParamSource } from './message';

/** the map merge built before (later sources win; a name keeps the place of its first setting) */
function whereBefore(sources: [ParamSource, Params][]): Map<string, ParamSource> {
  const where = new Map<string, ParamSource>();
  for (const [src, p] of sources) for (const [k] of p.entries) where.set(k, src);
  return where;
}

/** the sources of a message as the eager classify built them, by kind */
function sourcesBefore(m: OAuthMessage): Map<string, ParamSource> {
  let where: Map<string, ParamSource>;
  if (m.kind === 'metadata' || m.kind === 'jwks' || m.kind === 'resource-challenge' || m.kind === 'resource-metadata' || m.kind === 'client-registration') return new Map();
  if (m.kind === 'token-request' || m.kind === 'client-auth-request') where = whereBefore([['query', m.query], ['form', m.form]]);
  else if (m.kind === 'par-request') where = /\/par$|\/pushed[_-]?auth/.test(m.url?.pathname.toLowerCase() ?? '') ? whereBefore([['query', m.query], ['form', m.form]]) : whereBefore([['form', m.form]]);
  else if (m.kind === 'other' && m.params === m.query && !m.query.entries.some(([k]) => /^(client_id|code|state)$/.test(k))) return new Map();
  else where = whereBefore([['query', m.query], ['fragment', m.fragment], ['form', m.form]]);
  const request = (m.kind === 'par-request' || m.kind === 'authorization-request') && m.paramsKnown ? m.params.entries.find(([k]) => k === 'request')?.[1] : undefined;
  if (request !== undefined && !looksLikeJwe(request)) {
    const payload = decodeJwtPayloadUnsafe(request);
    if (payload) {
      const sources = new Map(where);
      for (const [k, v] of Object.entries(payload)) if (v !== null && v !== undefined) sources.set(k, 'request-object');
      return sources;
    }
  }
  return where;
}

const b64u = (x: object) => Buffer.from(JSON.stringify(x)).toString('base64url');

describe('classified messages: sources built on first use', () => {
  it('are the map the eager classification built, for every kind, with and without a request object', () => {
    const name = fc.constantFrom('client_id', 'response_type', 'redirect_uri', 'state', 'code', 'nonce', 'scope', 'grant_type', 'iss', 'x');
    const pairs = fc.array(fc.tuple(name, fc.constantFrom('a', 'code', 'https://app.example/cb', 'authorization_code')), { maxLength: 6 });
    const request = fc.option(fc.constantFrom(`${b64u({ alg: 'RS256' })}.${b64u({ state: 'inner', nonce: 'n', client_id: 'c', claims: { a: 1 }, z: null })}.sig`, `${b64u({ alg: 'RSA-OAEP', enc: 'A256GCM' })}.a.b.c.d`, 'garbage'));
    const enc = (p: [string, string][]) => p.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
    fc.assert(
      fc.property(fc.constantFrom('/authorize', '/par', '/token', '/revoke', '/cb', '/other'), fc.constantFrom('GET', 'POST'), pairs, pairs, pairs, request, fc.constantFrom(200, 201, 302), (path, method, query, fragment, form, req, status) => {
        const body = method === 'POST' ? [...form, ...(req ? [['request', req] as [string, string]] : [])] : undefined;
        const q = method === 'GET' && req ? [...query, ['request', req] as [string, string]] : query;
        const url = `https://as.example${path}${q.length ? `?${enc(q)}` : ''}${fragment.length ? `#${enc(fragment)}` : ''}`;
        const m = classify(obs(url, { type: method === 'GET' ? 'main_frame' : 'fetch', method, ...(body ? { form: Object.fromEntries(body) } : {}), status, ...(status === 201 ? { responseBody: { request_uri: 'urn:ietf:params:oauth:request_uri:x' } } : {}), ...(status === 302 ? { location: 'https://app.example/cb?code=1' } : {}) }));
        expect([...m.sources]).toEqual([...sourcesBefore(m)]);
        expect(m.sources).toBe(m.sources); // built once
      }),
      { numRuns: 1500 },
    );
  });
});
