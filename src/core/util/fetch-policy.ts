/**
 * What CoatCheck may fetch on the user's behalf when a token or a document names a URL (the
 * panel's signature verification, `coatcheck inspect --discover`, `coatcheck metadata`).
 *
 * A token is attacker-controlled input: its `iss`, and the `jwks_uri` of the metadata that issuer
 * serves, must not turn the user's browser or CLI into a client for intranet or loopback services
 * (SSRF, RFC 9700 §4.15 and the MCP security best practices on discovery). So, unless the user
 * allowed that origin:
 * - only https URLs;
 * - only hosts that are public: no loopback, private, link-local, CGNAT, multicast or reserved
 *   address, no `localhost`, `.local`, `.internal`, `.lan`, `.home.arpa` or single-label name;
 * - a `jwks_uri` on another site than its issuer is not followed without asking (a provider's
 *   documented key host, e.g. Google's www.googleapis.com, is the issuer's own).
 *
 * Names are judged as written: a public name that resolves to a private address (DNS rebinding)
 * cannot be seen from here. Pure: no DNS, no fetch.
 */
import { parseUrl, siteOf } from './url';

export type HostScope = 'public' | 'loopback' | 'private' | 'link-local' | 'local-name' | 'reserved';

export interface FetchPolicy {
  /** allow loopback and private hosts (http or https): local development servers */
  allowPrivate?: boolean;
  /** origins the user allowed explicitly: any scheme, any scope, any site */
  allowedOrigins?: readonly string[];
}

export type FetchRefusalCode = 'NOT_URL' | 'NOT_HTTPS' | 'PRIVATE_HOST' | 'CROSS_SITE';

export interface FetchRefusal {
  code: FetchRefusalCode;
  /** the URL's origin, for an "allow this origin" choice */
  origin?: string;
  reason: string;
}

const LOCAL_SUFFIXES = ['.localhost', '.local', '.internal', '.intranet', '.lan', '.home', '.corp', '.home.arpa', '.localdomain'];

function ipv4Scope(a: number, b: number, c: number): HostScope {
  if (a === 127) return 'loopback';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'private';
  if (a === 169 && b === 254) return 'link-local';
  if (a === 100 && b >= 64 && b <= 127) return 'private'; // CGNAT, RFC 6598
  if (a === 0 || a >= 224 || (a === 192 && b === 0 && c === 0) || (a === 198 && (b === 18 || b === 19))) return 'reserved';
  return 'public';
}

function ipv6Scope(h: string): HostScope {
  const s = h.replace(/^\[|\]$/g, '').toLowerCase();
  if (s === '::1') return 'loopback';
  if (s === '::') return 'reserved';
  // IPv4-mapped (::ffff:7f00:1 as the URL parser writes ::ffff:127.0.0.1)
  const mapped = s.match(/^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/);
  if (mapped) {
    const hi = parseInt(mapped[1], 16);
    const lo = parseInt(mapped[2], 16);
    return ipv4Scope(hi >> 8, hi & 255, lo >> 8);
  }
  const dotted = s.match(/^::ffff:(\d+)\.(\d+)\.(\d+)\.(\d+)$/);
  if (dotted) return ipv4Scope(+dotted[1], +dotted[2], +dotted[3]);
  const first = parseInt(s.split(':')[0] || '0', 16);
  if ((first & 0xfe00) === 0xfc00) return 'private'; // fc00::/7 unique local
  if ((first & 0xffc0) === 0xfe80) return 'link-local'; // fe80::/10
  if ((first & 0xff00) === 0xff00) return 'reserved'; // multicast
  return 'public';
}

/** Where a host name (as the URL parser normalised it) points, judged from its text. */
export function hostScope(hostname: string): HostScope {
  const h = hostname.toLowerCase().replace(/\.$/, '');
  if (h.startsWith('[') || h.includes(':')) return ipv6Scope(h);
  const v4 = h.match(/^(\d+)\.(\d+)\.(\d+)\.(\d+)$/);
  if (v4) return ipv4Scope(+v4[1], +v4[2], +v4[3]);
  if (h === 'localhost' || h.endsWith('.localhost')) return 'loopback';
  if (!h.includes('.') || LOCAL_SUFFIXES.some((s) => h.endsWith(s))) return 'local-name';
  return 'public';
}

/**
 * Why `url` must not be fetched under `policy`, or undefined when it may. `issuer` (optional): the
 * issuer whose document named the URL; a URL on another site is refused (CROSS_SITE) unless
 * `sameOwner` says the host belongs to that issuer.
 */
export function fetchRefusal(url: string, policy: FetchPolicy = {}, issuer?: { url: string; sameOwner?: (hostname: string) => boolean }): FetchRefusal | undefined {
  const u = parseUrl(url);
  if (!u || (u.protocol !== 'https:' && u.protocol !== 'http:')) return { code: 'NOT_URL', reason: `${url.slice(0, 200)} is not an http(s) URL` };
  const origin = u.origin;
  if (policy.allowedOrigins?.includes(origin)) return undefined;
  const scope = hostScope(u.hostname);
  if (scope !== 'public') {
    if (!policy.allowPrivate) return { code: 'PRIVATE_HOST', origin, reason: `${origin} is a ${scope} host: not fetched unless you allow it` };
  } else if (u.protocol !== 'https:') {
    return { code: 'NOT_HTTPS', origin, reason: `${origin} is not https: not fetched unless you allow it` };
  }
  if (issuer) {
    const iu = parseUrl(issuer.url);
    if (iu && scope === 'public' && siteOf(iu.hostname) !== siteOf(u.hostname) && !issuer.sameOwner?.(u.hostname)) {
      return { code: 'CROSS_SITE', origin, reason: `${origin} is on another site than the issuer ${iu.origin}: not fetched without asking` };
    }
  }
  return undefined;
}
