/**
 * Synchronous, non-verifying JOSE decoding: compact JWS/JWT, unsecured JWT, compact JWE, and the
 * JSON serializations (general and flattened) of JWS and JWE (RFC 7515 §7.2, RFC 7516 §7.2).
 * Verification and decryption live in ./inspect.ts (jose). Bad input throws CoreError only.
 */
import { CoreError } from '../errors';
import { base64urlDecodeToString, peekedPayload } from './peek';
import { MAX_JSON_DEPTH, parseJsonBounded } from '../util/json';

export type TokenKind = 'JWS' | 'JWE' | 'unsecured';
export type Serialization = 'compact' | 'json' | 'flattened';
export type JsonObject = Record<string, unknown>;

export interface TokenFinding {
  ruleId: string;
  severity: 'critical' | 'high' | 'medium' | 'low' | 'info';
  message: string;
  variant?: string;
  /** what the message says, for a rule that words it its own way (`meta.messages`) */
  data?: Record<string, unknown>;
}

export interface SignatureInfo {
  /** null: no key was given or found (see reason); true/false: verified or not */
  verified: boolean | null;
  kid: string | null;
  alg: string | null;
  reason: string | null;
  /** the protected header of this signature */
  protected: JsonObject;
  /** the unprotected header of this signature, when present */
  header?: JsonObject;
  /** true when the signature value is empty */
  empty: boolean;
}

export interface TokenTimes {
  iat?: string;
  exp?: string;
  nbf?: string;
  expired?: boolean;
  notYetValid?: boolean;
  lifetimeSeconds?: number;
}

export interface TokenReport {
  kind: TokenKind;
  serialization: Serialization;
  /** JWS: the protected header (for several signatures, the first one's); JWE: the protected header */
  header: JsonObject;
  /** unprotected headers (JWS flattened `header`, JWE shared `unprotected`), when present */
  unprotectedHeader?: JsonObject;
  /** the decoded JSON object, a string when the payload is not a JSON object, null for JWE or a detached payload */
  payload: JsonObject | string | null;
  /** JWS with a detached payload (RFC 7515 App. F) */
  detached?: boolean;
  signature?: SignatureInfo;
  /** JWS JSON serialization with several signatures: one entry each */
  signatures?: SignatureInfo[];
  /** JWE: recipients' per-recipient headers */
  recipients?: { header?: JsonObject; hasEncryptedKey: boolean }[];
  /** JWE: the inner content when a key decrypted it (a nested token is inspected in turn) */
  decrypted?: TokenReport | string | null;
  /** why `decrypted` is null (no key, unsupported algorithm, wrong key) */
  decryptReason?: string | null;
  findings: TokenFinding[];
  times?: TokenTimes;
  /** the input, normalised (trimmed), kept for verification; never printed */
  raw: RawToken;
}

/** The pieces verification needs (base64url strings as they appeared). */
export type RawToken =
  | { type: 'jws-compact'; protected: string; payload: string; signature: string }
  | { type: 'jws-json'; payload: string | undefined; signatures: { protected?: string; header?: JsonObject; signature: string }[] }
  | { type: 'jwe-compact'; compact: string }
  | { type: 'jwe-json'; jwe: JsonObject };

const MAX_INPUT = 1_000_000;
const B64URL = /^[A-Za-z0-9_-]*$/;
const CLEAN_JWS = /^[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;

function malformed(message: string): CoreError {
  return new CoreError('TOKEN_MALFORMED', message);
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function decodeB64(part: string, what: string): string {
  // one pass for a valid part (the decoder refuses what is not base64url); the checks below only
  // word the error. A trailing "=" is refused here (the decoder would take padding).
  if (part.charCodeAt(part.length - 1) !== 61 /* = */) {
    const fast = base64urlDecodeToString(part);
    if (fast !== undefined) return fast;
  }
  if (!B64URL.test(part)) throw malformed(`${what} is not base64url (characters outside A-Z a-z 0-9 - _).`);
  if (part.length % 4 === 1) throw malformed(`${what} is not valid base64url (impossible length ${part.length}).`);
  const s = base64urlDecodeToString(part);
  if (s === undefined) throw malformed(`${what} is not valid base64url.`);
  return s;
}

function tooDeep(what: string): CoreError {
  return malformed(`${what} nests JSON deeper than ${MAX_JSON_DEPTH} levels; it is not decoded (no real token does this).`);
}

function decodeHeader(part: string, what: string): JsonObject {
  const text = decodeB64(part, what);
  const r = parseJsonBounded(text);
  if (r === 'tooDeep') throw tooDeep(what);
  if (r === 'invalid') throw malformed(`${what} is not JSON after base64url decoding.`);
  if (!isObject(r.value)) throw malformed(`${what} is not a JSON object.`);
  return r.value;
}

/** A payload as the report shows it: the JSON object when it is one, otherwise the text. */
function payloadValue(text: string): JsonObject | string {
  const t = text.trimStart();
  if (t.startsWith('{')) {
    const r = parseJsonBounded(text);
    if (r === 'tooDeep') throw tooDeep('The payload');
    if (r !== 'invalid' && isObject(r.value)) return r.value;
    /* not JSON: show the text */
  }
  return text;
}

/** `token`: the compact token the part is the payload of, when its parts are as they appeared (no white space dropped) */
function decodePayload(part: string, b64: boolean, token?: string): JsonObject | string {
  if (!b64) return part; // RFC 7797: the payload is carried as is
  // a token the unverified peek already read as a JSON object (valid base64url, not too deep): the
  // same object this decoder would build (a part ending in "=" is refused below, so not reused)
  if (token !== undefined && part.charCodeAt(part.length - 1) !== 61 /* = */) {
    const seen = peekedPayload(token);
    if (seen) return seen;
  }
  return payloadValue(decodeB64(part, 'The payload'));
}

function isUnsecuredAlg(alg: unknown): boolean {
  return typeof alg === 'string' && alg.toLowerCase() === 'none';
}

function sigInfo(prot: JsonObject, unprot: JsonObject | undefined, signature: string): SignatureInfo {
  // no unprotected header (every compact token): the protected one is the joint header as it is
  const joint = unprot ? { ...unprot, ...prot } : prot;
  const kid = typeof joint.kid === 'string' ? joint.kid : null;
  const alg = typeof joint.alg === 'string' ? joint.alg : null;
  // the same members in the same order either way (no spread of a new object per token)
  return unprot
    ? { verified: null, kid, alg, reason: 'no key given', protected: prot, header: unprot, empty: signature.length === 0 }
    : { verified: null, kid, alg, reason: 'no key given', protected: prot, empty: signature.length === 0 };
}

/**
 * A NumericDate claim (RFC 7519 §2: seconds since the epoch) as an ISO date, or undefined when it is
 * not a number or lies outside what a date can hold (±8.64e12 s): a token's `nbf: 1e308` must not
 * reach `Date#toISOString`, which throws on it.
 */
export function numericDateIso(v: unknown): string | undefined {
  if (typeof v !== 'number' || !Number.isFinite(v) || Math.abs(v) > 8.64e12) return undefined;
  const d = new Date(v * 1000);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}
const isoOf = numericDateIso;

/** Human dates and lifetime of a claims set (`now` in ms). */
export function timesOf(payload: unknown, now: number = Date.now()): TokenTimes | undefined {
  if (!isObject(payload)) return undefined;
  const t: TokenTimes = {};
  const iat = isoOf(payload.iat);
  const exp = isoOf(payload.exp);
  const nbf = isoOf(payload.nbf);
  if (iat) t.iat = iat;
  if (exp) {
    t.exp = exp;
    t.expired = (payload.exp as number) * 1000 <= now;
  }
  if (nbf) {
    t.nbf = nbf;
    t.notYetValid = (payload.nbf as number) * 1000 > now;
  }
  if (iat && exp) t.lifetimeSeconds = (payload.exp as number) - (payload.iat as number);
  return Object.keys(t).length ? t : undefined;
}

// An issuer signs every token with the same few headers ({"alg":"RS256","kid":"…"}): the rules'
// view shares one object per header part (read-only, like the whole report), decoded once
const HEADER_CACHE = 16;
let ruleHeaders = new Map<string, JsonObject>();

function ruleHeader(part: string): JsonObject {
  let h = ruleHeaders.get(part);
  if (h === undefined) {
    h = decodeHeader(part, 'The JWS header'); // throws for a bad one: nothing kept
    if (ruleHeaders.size >= HEADER_CACHE) ruleHeaders = new Map();
    ruleHeaders.set(part, h);
  }
  return h;
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

function optString(o: JsonObject, k: string, what: string): string | undefined {
  const v = o[k];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw malformed(`${what} "${k}" must be a string.`);
  return v;
}

function optObject(o: JsonObject, k: string, what: string): JsonObject | undefined {
  const v = o[k];
  if (v === undefined) return undefined;
  if (!isObject(v)) throw malformed(`${what} "${k}" must be a JSON object.`);
  return v;
}

function decodeJson(s: string, forRules: boolean): TokenReport {
  const r = parseJsonBounded(s);
  if (r === 'tooDeep') throw tooDeep('The JSON serialization');
  let v: unknown;
  if (r === 'invalid') {
    try {
      v = JSON.parse(s); // throws again, for the parser's own words
    } catch (e) {
      throw malformed(`The input starts with "{" but is not valid JSON (${e instanceof Error ? e.message : 'parse error'}).`);
    }
  } else v = r.value;
  if (!isObject(v)) throw malformed('A JSON-serialized JWS or JWE must be a JSON object.');

  if ('ciphertext' in v) {
    const ct = optString(v, 'ciphertext', 'The JWE member');
    if (!ct || !B64URL.test(ct)) throw malformed('The JWE "ciphertext" is missing or not base64url.');
    for (const k of ['iv', 'tag', 'encrypted_key', 'aad']) {
      const x = optString(v, k, 'The JWE member');
      if (x !== undefined && !B64URL.test(x)) throw malformed(`The JWE "${k}" is not base64url.`);
    }
    const prot = optString(v, 'protected', 'The JWE member');
    const header = prot !== undefined ? decodeHeader(prot, 'The JWE protected header') : {};
    const unprotected = optObject(v, 'unprotected', 'The JWE member');
    let recipients: TokenReport['recipients'];
    let serialization: Serialization = 'flattened';
    if ('recipients' in v) {
      if (!Array.isArray(v.recipients) || v.recipients.length === 0) throw malformed('The JWE "recipients" must be a non-empty array.');
      serialization = 'json';
      recipients = v.recipients.map((r, i) => {
        if (!isObject(r)) throw malformed(`JWE recipient ${i} is not a JSON object.`);
        const h = optObject(r, 'header', `JWE recipient ${i} member`);
        const ek = optString(r, 'encrypted_key', `JWE recipient ${i} member`);
        if (ek !== undefined && !B64URL.test(ek)) throw malformed(`JWE recipient ${i} "encrypted_key" is not base64url.`);
        return { ...(h ? { header: h } : {}), hasEncryptedKey: ek !== undefined && ek !== '' };
      });
    } else {
      const h = optObject(v, 'header', 'The JWE member');
      recipients = [{ ...(h ? { header: h } : {}), hasEncryptedKey: typeof v.encrypted_key === 'string' && v.encrypted_key !== '' }];
    }
    return {
      kind: 'JWE',
      serialization,
      header,
      ...(unprotected ? { unprotectedHeader: unprotected } : {}),
      payload: null,
      recipients,
      decrypted: null,
      decryptReason: 'no key given',
      findings: [],
      raw: { type: 'jwe-json', jwe: v },
    };
  }

  if (!('signatures' in v) && !('signature' in v)) {
    throw malformed('A JSON-serialized token needs "signatures" or "signature" (JWS) or "ciphertext" (JWE).');
  }
  const payloadRaw = optString(v, 'payload', 'The JWS member');
  let sigs: { protected?: string; header?: JsonObject; signature: string }[];
  let serialization: Serialization;
  if ('signatures' in v) {
    if (!Array.isArray(v.signatures) || v.signatures.length === 0) throw malformed('The JWS "signatures" must be a non-empty array.');
    serialization = 'json';
    sigs = v.signatures.map((x, i) => {
      if (!isObject(x)) throw malformed(`JWS signature ${i} is not a JSON object.`);
      const sig = optString(x, 'signature', `JWS signature ${i} member`);
      if (sig === undefined) throw malformed(`JWS signature ${i} has no "signature".`);
      return { protected: optString(x, 'protected', `JWS signature ${i} member`), header: optObject(x, 'header', `JWS signature ${i} member`), signature: sig };
    });
  } else {
    serialization = 'flattened';
    const sig = optString(v, 'signature', 'The JWS member');
    if (sig === undefined) throw malformed('The JWS has no "signature".');
    sigs = [{ protected: optString(v, 'protected', 'The JWS member'), header: optObject(v, 'header', 'The JWS member'), signature: sig }];
  }
  const infos = sigs.map((x, i) => {
    if (!B64URL.test(x.signature)) throw malformed(`JWS signature ${i} is not base64url.`);
    const prot = x.protected !== undefined && x.protected !== '' ? decodeHeader(x.protected, `The protected header of signature ${i}`) : {};
    if (!x.protected && !x.header) throw malformed(`JWS signature ${i} has neither a protected nor an unprotected header.`);
    return sigInfo(prot, x.header, x.signature);
  });
  const first = infos[0];
  const b64 = first.protected.b64 !== false;
  let payload: JsonObject | string | null = null;
  const detached = payloadRaw === undefined;
  if (payloadRaw !== undefined) payload = decodePayload(payloadRaw, b64);
  const allNone = infos.every((s) => isUnsecuredAlg(s.alg));
  const report: TokenReport = {
    kind: allNone ? 'unsecured' : 'JWS',
    serialization,
    header: first.protected,
    ...(serialization === 'flattened' && first.header ? { unprotectedHeader: first.header } : {}),
    payload,
    ...(detached ? { detached } : {}),
    ...(serialization === 'json' ? { signatures: infos } : { signature: first }),
    findings: [],
    raw: { type: 'jws-json', payload: payloadRaw, signatures: sigs },
  };
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
function decodeWith(input: string, forRules: boolean): TokenReport {
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
    return decodeCompact(s, forRules);
  } catch (e) {
    if (e instanceof CoreError) throw e;
    throw malformed(`The token could not be decoded: ${e instanceof Error ? e.message : String(e)}`);
  }
}

// The rules of one message (and the same token seen again in a later request) decode the same
// string several times: remember the last few results. Callers treat the report as read-only.
const DECODE_CACHE = 256;
let forRules = new Map<string, TokenReport | null>();
let full = new Map<string, TokenReport | null>();

function cached(cache: Map<string, TokenReport | null>, input: string, rules: boolean): TokenReport | null {
  let r: TokenReport | null;
  try {
    r = decodeWith(input, rules);
  } catch {
    r = null;
  }
  if (cache.size >= DECODE_CACHE) {
    if (rules) forRules = new Map();
    else full = new Map();
  }
  (rules ? forRules : full).set(input, r);
  return r;
}

/**
 * The rules' view of a token: undefined instead of throwing, the last few answers remembered; no
 * `times` (three Date objects and ISO strings per token: no rule reads them). Otherwise
 * decodeToken's report.
 */
export function ruleToken(input: string): TokenReport | undefined {
  const hit = forRules.get(input);
  return (hit !== undefined ? hit : cached(forRules, input, true)) ?? undefined;
}

/** decodeToken that returns undefined instead of throwing; the last few answers remembered (read-only). */
export function tryDecodeToken(input: string): TokenReport | undefined {
  const hit = full.get(input);
  return (hit !== undefined ? hit : cached(full, input, false)) ?? undefined;
}

/** The effective `alg` values of a decoded token (one per signature). */
export function algsOf(r: TokenReport): string[] {
  if (r.kind === 'JWE') return typeof r.header.alg === 'string' ? [r.header.alg] : [];
  const sigs = r.signatures ?? (r.signature ? [r.signature] : []);
  return sigs.map((s) => s.alg ?? '');
}
