/**
 * Synchronous, non-verifying JOSE decoding: compact JWS/JWT, unsecured JWT, compact JWE, and the
 * JSON serializations (general and flattened) of JWS and JWE (RFC 7515 §7.2, RFC 7516 §7.2).
 * Verification and decryption live in ./inspect.ts (jose). Bad input throws CoreError only.
 */
import { CoreError } from '../errors';
import { decodeJson } from './decode-json';
import { B64URL, decodeHeader, decodePayload, isUnsecuredAlg, malformed, payloadValue, sigInfo, timesOf } from './parts';
import { base64urlDecodeToString, peekedPayload } from './peek';
import { RecentStrings } from './recent';
import type { JsonObject, RawToken, TokenReport } from './report';

export type { JsonObject, RawToken, Serialization, SignatureInfo, TokenFinding, TokenKind, TokenReport, TokenTimes } from './report';
export { numericDateIso, timesOf } from './parts';

const MAX_INPUT = 1_000_000;
const CLEAN_JWS = /^[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;

// An issuer signs every token with the same few headers ({"alg":"RS256","kid":"…"}): the rules'
// view shares one object per header part (read-only, like the whole report), decoded once. Parts
// are kept in HEADER_SETS sets of HEADER_WAYS, the set chosen by the part's length and the
// characters before the last (the end of the kid, which tells an issuer's headers apart), and found
// by comparing characters: a Map lookup hashed the new slice of every token (~150 ns for a
// 70-character header). The ring of 16 parts this replaces was too small for a client of many
// issuers (an ID token header and an access token header each): it decoded most headers again.
const HEADER_SETS = 64;
const HEADER_WAYS = 4;
const headerParts: (string | undefined)[] = new Array<string | undefined>(HEADER_SETS * HEADER_WAYS).fill(undefined);
const headerValues: (JsonObject | undefined)[] = new Array<JsonObject | undefined>(HEADER_SETS * HEADER_WAYS).fill(undefined);
/** per set: the way a new part replaces next (in turn) */
const headerNext = new Uint8Array(HEADER_SETS);
/** the last part found or stored, and its header: an issuer's tokens come in a row */
let lastPart: string | undefined;
let lastHeader: JsonObject | undefined;

/** the set of a part: its length and the eight characters before the last (the end of the kid), mixed */
function headerSet(part: string): number {
  const n = part.length;
  let h = n;
  // (a character before the start reads NaN, which `^` takes as 0)
  for (let k = n - 9; k < n - 1; k++) h = Math.imul(h ^ part.charCodeAt(k), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  return (h ^ (h >>> 13)) & (HEADER_SETS - 1);
}

/** a string of the same characters that shares no storage with `s` (a slice keeps its parent alive) */
function ownCopy(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}

/** The kept header of this part, or undefined. */
function keptHeader(part: string): JsonObject | undefined {
  const n = part.length;
  if (lastPart !== undefined && lastPart.length === n && lastPart === part) return lastHeader;
  const first = headerSet(part) * HEADER_WAYS;
  for (let i = first; i < first + HEADER_WAYS; i++) {
    const p = headerParts[i];
    if (p !== undefined && p.length === n && p === part) {
      lastPart = p; // the kept copy, not the token's slice
      lastHeader = headerValues[i];
      return lastHeader;
    }
  }
  return undefined;
}

function ruleHeader(part: string): JsonObject {
  const kept = keptHeader(part);
  if (kept !== undefined) return kept;
  const h = decodeHeader(part, 'The JWS header'); // throws for a bad one: nothing kept
  const set = headerSet(part);
  const i = set * HEADER_WAYS + headerNext[set];
  headerNext[set] = (headerNext[set] + 1) % HEADER_WAYS;
  // a copy of the characters: the part is a slice that would keep its whole token (a secret) alive
  headerParts[i] = ownCopy(part);
  headerValues[i] = h;
  lastPart = headerParts[i];
  lastHeader = h;
  return h;
}

/**
 * The rules' view of the usual token, a compact JWS of three base64url parts with a base64url
 * payload, found without a pass of its own over the characters: the dots by indexOf, the header
 * and payload parts checked by their decoders (which refuse anything but base64url), the signature
 * by B64URL. Undefined for anything else (white space, padding, "b64": false, a bad part): the full
 * path below then decides, with its wording of what is wrong. Same report as that path.
 */
function ruleCompact(input: string, compactJws: boolean): TokenReport | undefined {
  const d1 = input.indexOf('.');
  const d2 = d1 < 0 ? -1 : input.indexOf('.', d1 + 1);
  if (d2 < 0 || (!compactJws && input.indexOf('.', d2 + 1) >= 0)) return undefined;
  const p1 = input.slice(d1 + 1, d2);
  const p2 = input.slice(d2 + 1);
  // a token the caller matched against COMPACT_JWS (tokens/sources.ts): three base64url parts, the
  // first two non-empty; its signature (~350 characters) and header need no second scan
  if (!compactJws && (p1 === '' || !B64URL.test(p2))) return undefined;
  const p0 = input.slice(0, d1);
  let header = keptHeader(p0);
  if (header === undefined) {
    if (!compactJws && !B64URL.test(p0)) return undefined;
    header = ruleHeader(p0); // a clean part: throws as the full path would
  }
  if (header.b64 === false || (!compactJws && p1.charCodeAt(p1.length - 1) === 61) /* = */) return undefined;
  // the payload an unverified peek already read (decodePayload's shortcut), else decoded here
  let payload: JsonObject | string | undefined = peekedPayload(input);
  if (payload === undefined) {
    const text = base64urlDecodeToString(p1);
    if (text === undefined) return undefined;
    payload = payloadValue(text);
  }
  const signature = sigInfo(header, undefined, p2);
  const kind = isUnsecuredAlg(header.alg) ? 'unsecured' : 'JWS';
  const raw: RawToken = { type: 'jws-compact', protected: p0, payload: p1, signature: p2 };
  return { kind, serialization: 'compact', header, payload, signature, findings: [], raw };
}

function decodeCompact(input: string, forRules: boolean): TokenReport {
  // whitespace (line wrapping) is dropped, except inside an unencoded RFC 7797 payload. A JWS of
  // three base64url parts (every token a rule reads) is known free of it, and its signature valid,
  // by one scan instead of two
  const clean = CLEAN_JWS.test(input);
  const rawParts = input.split('.');
  const spaced = !clean && /\s/.test(input);
  const parts = spaced ? rawParts.map((p) => p.replace(/\s+/g, '')) : rawParts;
  const s = spaced ? parts.join('.') : input;
  if (parts.length === 5) {
    const header = decodeHeader(parts[0], 'The JWE protected header');
    for (const [i, name] of [[1, 'encrypted key'], [2, 'initialization vector'], [3, 'ciphertext'], [4, 'authentication tag']] as const) {
      if (!B64URL.test(parts[i])) throw malformed(`The JWE ${name} is not base64url.`);
    }
    if (parts[3].length === 0) throw malformed('The JWE ciphertext is empty.');
    return {
      kind: 'JWE',
      serialization: 'compact',
      header,
      payload: null,
      decrypted: null,
      decryptReason: 'no key given',
      findings: [],
      raw: { type: 'jwe-compact', compact: s },
    };
  }
  if (parts.length !== 3) {
    throw malformed(
      `A compact JWT has 3 dot-separated parts (JWS) or 5 (JWE); this input has ${parts.length}.`,
    );
  }
  const header = forRules ? ruleHeader(parts[0]) : decodeHeader(parts[0], 'The JWS header');
  if (!clean && !B64URL.test(parts[2])) throw malformed('The JWS signature is not base64url.');
  const b64 = header.b64 !== false;
  let payload: JsonObject | string | null;
  let detached = false;
  if (parts[1] === '') {
    payload = null;
    detached = true;
  } else payload = decodePayload(b64 ? parts[1] : rawParts[1], b64, spaced ? undefined : s);
  const signature = sigInfo(header, undefined, parts[2]);
  const kind = isUnsecuredAlg(header.alg) ? 'unsecured' : 'JWS';
  const raw: RawToken = { type: 'jws-compact', protected: parts[0], payload: b64 ? parts[1] : rawParts[1], signature: parts[2] };
  // the same members in the same order either way (no spread of a new object per token)
  const report: TokenReport = detached
    ? { kind, serialization: 'compact', header, payload, detached, signature, findings: [], raw }
    : { kind, serialization: 'compact', header, payload, signature, findings: [], raw };
  if (!forRules) {
    const times = timesOf(payload);
    if (times) report.times = times;
  }
  return report;
}

/**
 * Decode a JWT/JWS/JWE without verifying it. Accepts compact and JSON serializations, surrounding
 * whitespace and a leading "Bearer ". Throws CoreError('TOKEN_MALFORMED') with a message that says
 * what is wrong; never anything else.
 */
export function decodeToken(input: string): TokenReport {
  return decodeWith(input, false);
}

/**
 * `forRules`: the rules' view (ruleToken): no `times` (human dates: the token views show them, no
 * rule reads them) and a payload that is not a JSON object left undecoded ('').
 */
function decodeWith(input: string, forRules: boolean, compactJws = false): TokenReport {
  try {
    if (typeof input !== 'string') throw malformed('The token must be a string.');
    if (input.length > MAX_INPUT) throw new CoreError('INPUT_TOO_LARGE', `The token is larger than ${MAX_INPUT} characters.`);
    // a token that starts and ends with a printable ASCII character other than "b"/"B" (every JWT:
    // "eyJ…") has nothing to trim and no "Bearer " to drop: no new string, no regex
    const first = input.charCodeAt(0);
    const last = input.charCodeAt(input.length - 1);
    const plain = first > 32 && first < 127 && first !== 66 && first !== 98 && last > 32 && last < 127;
    const s = plain ? input : input.trim().replace(/^bearer\s+/i, '');
    if (s.length === 0) throw malformed('The token is empty.');
    if (s.charCodeAt(0) === 123 /* { */) return decodeJson(s, forRules);
    if (!s.includes('.')) throw malformed('Not a JWT: a compact token has dot-separated base64url parts (header.payload.signature).');
    return (forRules ? ruleCompact(s, compactJws && s === input) : undefined) ?? decodeCompact(s, forRules);
  } catch (e) {
    if (e instanceof CoreError) throw e;
    throw malformed(`The token could not be decoded: ${e instanceof Error ? e.message : String(e)}`);
  }
}

// The rules of one message (and the same token seen again in a later request) decode the same
// string several times: remember the last few results. Callers treat the report as read-only.
// The rules' answers by comparing strings (./recent.ts: a token is not hashed), the views' in a Map.
const DECODE_CACHE = 256;
const RULE_CACHE = 16;
const forRules = new RecentStrings<TokenReport | null>(RULE_CACHE);
let full = new Map<string, TokenReport | null>();

function decoded(input: string, rules: boolean, compactJws = false): TokenReport | null {
  try {
    return decodeWith(input, rules, compactJws);
  } catch {
    return null;
  }
}

/**
 * The rules' view of a token: undefined instead of throwing, the last few answers remembered; no
 * `times` (three Date objects and ISO strings per token: no rule reads them). Otherwise
 * decodeToken's report. `compactJws`: the caller found the whole token to match
 * `^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$` (jwtSources, authorizationJwt), so its parts
 * are not scanned again; the report is the same either way.
 */
export function ruleToken(input: string, compactJws = false): TokenReport | undefined {
  if (typeof input !== 'string') return undefined; // what decodeToken refuses (untyped callers)
  let r = forRules.get(input);
  if (r === undefined) {
    r = decoded(input, true, compactJws);
    forRules.set(input, r);
  }
  return r ?? undefined;
}

/** decodeToken that returns undefined instead of throwing; the last few answers remembered (read-only). */
export function tryDecodeToken(input: string): TokenReport | undefined {
  let r = full.get(input);
  if (r === undefined) {
    r = decoded(input, false);
    if (full.size >= DECODE_CACHE) full = new Map();
    full.set(input, r);
  }
  return r ?? undefined;
}

/** The effective `alg` values of a decoded token (one per signature). */
export function algsOf(r: TokenReport): string[] {
  if (r.kind === 'JWE') return typeof r.header.alg === 'string' ? [r.header.alg] : [];
  const sigs = r.signatures ?? (r.signature ? [r.signature] : []);
  return sigs.map((s) => s.alg ?? '');
}
