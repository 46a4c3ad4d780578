/**
 * One pass over an observation's request headers, shared by everything that looks at headers on
 * every event (the navigation log's Cookie watch, the MCP ledger, the rules' prefilter): which of
 * the headers they care about are present, as bits. Names are compared without allocating.
 */
import { originOf } from '../util/url';
import { sameLower, type Header, type Observation } from './observation';

export const H_COOKIE = 1;
export const H_AUTHORIZATION = 2;
export const H_REFERER = 4;
export const H_DPOP = 8;
export const H_ORIGIN = 16;
export const H_MCP_VERSION = 32;
/** every bit: what a caller that did not scan passes (everything may be present) */
export const H_ALL = 63;

export const HEADER_BITS: Readonly<Record<'authorization' | 'cookie' | 'referer' | 'dpop' | 'origin' | 'mcp-protocol-version', number>> = {
  cookie: H_COOKIE,
  authorization: H_AUTHORIZATION,
  referer: H_REFERER,
  dpop: H_DPOP,
  origin: H_ORIGIN,
  'mcp-protocol-version': H_MCP_VERSION,
};

/** the bits of the headers present (any value, empty included) */
export function requestHeaderBits(headers: readonly Header[]): number {
  let bits = 0;
  for (let i = 0; i < headers.length; i++) {
    const n = headers[i].name;
    // by length, then the first letter (lower-cased with | 32), then the whole name
    switch (n.length) {
      case 4:
        if ((n.charCodeAt(0) | 32) === 100 && sameLower(n, 'dpop')) bits |= H_DPOP;
        break;
      case 6: {
        const c = n.charCodeAt(0) | 32;
        if (c === 99 && sameLower(n, 'cookie')) bits |= H_COOKIE;
        else if (c === 111 && sameLower(n, 'origin')) bits |= H_ORIGIN;
        break;
      }
      case 7:
        if ((n.charCodeAt(0) | 32) === 114 && sameLower(n, 'referer')) bits |= H_REFERER;
        break;
      case 13:
        if ((n.charCodeAt(0) | 32) === 97 && sameLower(n, 'authorization')) bits |= H_AUTHORIZATION;
        break;
      case 20:
        if ((n.charCodeAt(0) | 32) === 109 && sameLower(n, 'mcp-protocol-version')) bits |= H_MCP_VERSION;
        break;
      default:
        break;
    }
  }
  return bits;
}

let lastUrl: string | undefined;
let lastWellKnown = false;

/**
 * `url.includes('/.well-known/')`, answered once per URL: the classifier, its MCP part and the MCP
 * ledger each ask it of every observation (the last URL's answer is kept).
 */
export function hasWellKnown(url: string): boolean {
  if (url !== lastUrl) {
    lastUrl = url;
    lastWellKnown = url.includes('/.well-known/');
  }
  return lastWellKnown;
}

/** `url.includes('/.well-known/oauth-protected-resource')` (RFC 9728), after the shared test above */
export function hasPrmWellKnown(url: string): boolean {
  return hasWellKnown(url) && url.includes('/.well-known/oauth-protected-resource');
}

let lastOriginObs: Observation | undefined;
let lastOrigin: string | undefined;

/**
 * `originOf(o.url)`, answered once per observation: the MCP ledger and the bearer rules ask it of
 * every call that presents a token (the last observation's answer is kept). The string is one of
 * the recent origins when it equals one (internOrigin): the ledger's marks, the recorded uses and
 * the audiences it is compared with then hold the same string object, which `===` answers at once.
 */
export function requestOrigin(o: Observation): string | undefined {
  if (o !== lastOriginObs) {
    lastOriginObs = o;
    const url = o.url;
    const known = recentOriginOf(url);
    if (known !== undefined) lastOrigin = known;
    else {
      const origin = originOf(url);
      lastOrigin = origin === undefined ? undefined : internOrigin(origin);
    }
  }
  return lastOrigin;
}

/**
 * The recent origin `url` starts with, followed by nothing, `/`, `?` or `#`: then it is the URL's
 * origin (a serialized origin parses back to itself, and the rest of such a URL is its path,
 * query or fragment), found without parsing the host again (property-tested against originOf).
 */
function recentOriginOf(url: string): string | undefined {
  for (let i = 0; i < origins.length; i++) {
    const k = origins[i];
    const n = k.length;
    if (url.length < n || url.charCodeAt(n - 1) !== k.charCodeAt(n - 1) || !url.startsWith(k)) continue;
    const c = url.length === n ? -1 : url.charCodeAt(n);
    if (c === -1 || c === 47 /* / */ || c === 63 /* ? */ || c === 35 /* # */) return k;
  }
  return undefined;
}

const ORIGINS = 16;
const origins: string[] = [];
let originNext = 0;

/**
 * The recent origin equal to `origin` (the same characters), else `origin`, kept as a recent one.
 * `origin`: a serialized origin (originOf's, a parsed URL's `origin`): requestOrigin answers URLs
 * that start with a kept one by it.
 * Compared first by length and the character after `https://` (the host's first), so that most
 * entries are passed over without comparing characters.
 */
export function internOrigin(origin: string): string {
  const n = origin.length;
  const c = n > 8 ? origin.charCodeAt(8) : -1;
  for (let i = 0; i < origins.length; i++) {
    const k = origins[i];
    if (k.length === n && (n <= 8 || k.charCodeAt(8) === c) && k === origin) return k;
  }
  origins[originNext] = origin;
  originNext = originNext + 1 === ORIGINS ? 0 : originNext + 1;
  return origin;
}
