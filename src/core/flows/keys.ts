/**
 * How the flow layer compares URLs without keeping them: hashes of hops and replays, the
 * redirect-URI prefix match of §0.3, and the site of an origin. Pure functions.
 */
import type { Observation } from '../observe/observation';
import { fastHash } from '../util/secret';
import { parseUrl, siteOf, stripFragment } from '../util/url';

/** hash of a URL without its fragment: how hops and replays are compared without keeping URLs */
export function urlKey(method: string, url: string): string {
  return fastHash(`${method.toUpperCase()} ${stripFragment(url)}`);
}

/**
 * The identity of a request for G3 (reload, back/forward, HAR re-request): method, the whole URL
 * with its fragment (two fragment responses at one callback are different deliveries; a reload
 * repeats the fragment) and, for a POST, its form body (form_post responses).
 */
export function replayKey(o: Observation): string {
  const form = o.method.toUpperCase() === 'POST' && o.requestBody?.form ? `\n${o.requestBody.form.map(([k, v]) => `${k}=${v}`).join('&')}` : '';
  return fastHash(`${o.method.toUpperCase()} ${o.url}${form}`);
}

/** eTLD+1 of an origin (or of a bare host string) */
export function siteOfOrigin(origin: string): string {
  return siteOf(parseUrl(origin)?.hostname ?? origin);
}

export function stripQuery(u: string): string {
  const i = u.search(/[?#]/);
  return i < 0 ? u : u.slice(0, i);
}

/**
 * Redirect URI comparison used for linking (§0.3) and callback checks: scheme + host + path, with
 * the FP guards of callback-context-mismatch (trailing slash, http→https).
 */
export function normalizeRedirectBase(u: string): string {
  const p = parseUrl(u);
  const base = p ? p.base : stripQuery(u);
  return base.replace(/^http:/, 'https:').replace(/\/+$/, '');
}

export function prefixMatch(redirectUri: string, base: string): boolean {
  const a = normalizeRedirectBase(redirectUri);
  const b = normalizeRedirectBase(base);
  return b === a || b.startsWith(a + '/');
}
