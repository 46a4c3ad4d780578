/**
 * How the flow layer compares URLs without keeping them: hashes of hops and replays, the
 * redirect-URI prefix match of §0.3, and the site of an origin. Pure functions (normalizeRedirectBase
 * keeps its recent answers).
 */
import type { Observation } from '../observe/observation';
import { GenCache } from '../util/gen-cache';
import { fastHash, fastHashHex } from '../util/secret';
import { parseUrl, siteOf } from '../util/url';

/** hash of a URL without its fragment: how hops and replays are compared without keeping URLs */
export function urlKey(method: string, url: string): string {
  const h = url.indexOf('#');
  return hashMethodUrl(method, url, h < 0 ? url.length : h);
}

/**
 * `fastHash(`${method.toUpperCase()} ${url.slice(0, end)}`)` (util/secret.ts, the same mixing and
 * output), without building that string: every navigation hashes its URL and its Location, and a
 * concatenated string is read a character at a time through its parts. keys.test.ts holds the two
 * equal.
 */
function hashMethodUrl(method: string, url: string, end: number): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < method.length; i++) {
    let ch = method.charCodeAt(i);
    if (ch > 127) return fastHash(`${method.toUpperCase()} ${url.slice(0, end)}`);
    if (ch >= 97 && ch <= 122) ch -= 32;
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ 32, 2654435761);
  h2 = Math.imul(h2 ^ 32, 1597334677);
  for (let i = 0; i < end; i++) {
    const ch = url.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  return fastHashHex(h1, h2);
}

/**
 * The identity of a request for G3 (reload, back/forward, HAR re-request): method, the whole URL
 * with its fragment (two fragment responses at one callback are different deliveries; a reload
 * repeats the fragment) and, for a POST, its form body (form_post responses).
 */
export function replayKey(o: Observation): string {
  // fastHash(`${METHOD} ${url}` + (a POST's form: `\n` + its k=v pairs joined by &)), its lanes
  // fed part by part: no copy of the URL and the body into one string per front-channel message
  const method = o.method.toUpperCase();
  const form = method === 'POST' ? o.requestBody?.form : undefined;
  lane1 = 0xdeadbeef;
  lane2 = 0x41c6ce57;
  feed(method);
  feed(' ');
  feed(o.url);
  if (form) {
    feed('\n');
    for (let i = 0; i < form.length; i++) {
      if (i > 0) feed('&');
      feed(form[i][0]);
      feed('=');
      feed(form[i][1]);
    }
  }
  return fastHashHex(lane1, lane2);
}

/** fastHash's two lanes while replayKey feeds them */
let lane1 = 0;
let lane2 = 0;
function feed(s: string): void {
  let h1 = lane1;
  let h2 = lane2;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  lane1 = h1;
  lane2 = h2;
}

/** eTLD+1 of an origin (or of a bare host string) */
export function siteOfOrigin(origin: string): string {
  // asked of the same few origins (ASes, clients, token endpoints) by the store and the rules on
  // every message: a full URL parse each time otherwise
  let site = originSites.get(origin);
  if (site === undefined) {
    site = siteOf(parseUrl(origin)?.hostname ?? origin);
    if (originSites.size >= 1024) originSites = new Map();
    originSites.set(origin, site);
  }
  return site;
}
let originSites = new Map<string, string>();

export function stripQuery(u: string): string {
  const i = u.search(/[?#]/);
  return i < 0 ? u : u.slice(0, i);
}

/**
 * Redirect URI comparison used for linking (§0.3) and callback checks: scheme + host + path, with
 * the FP guards of callback-context-mismatch (trailing slash, http→https).
 */
export function normalizeRedirectBase(u: string): string {
  // the same few redirect URIs and callback bases come back on every stateless callback, each
  // compared with the redirect URIs of the tab's flows: a parse and two regex replaces each time
  let v = normalizedBases.get(u);
  if (v === undefined) normalizedBases.set(u, (v = normalizeUncached(u)));
  return v;
}
const normalizedBases = new GenCache<string>(512);

function normalizeUncached(u: string): string {
  const p = parseUrl(u);
  const base = p ? p.base : stripQuery(u);
  return base.replace(/^http:/, 'https:').replace(/\/+$/, '');
}

export function prefixMatch(redirectUri: string, base: string): boolean {
  const a = normalizeRedirectBase(redirectUri);
  const b = normalizeRedirectBase(base);
  return b === a || b.startsWith(a + '/');
}
