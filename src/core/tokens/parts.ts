/**
 * The pieces of JOSE decoding that the compact and the JSON serializations share (tokens/decode.ts,
 * tokens/decode-json.ts): base64url parts, protected headers, payloads, signatures, dates. Bad input
 * throws CoreError only.
 */
import { CoreError } from '../errors';
import { base64urlDecodeToString, peekedPayload } from './peek';
import { MAX_JSON_DEPTH, parseJsonBounded } from '../util/json';
import type { JsonObject, SignatureInfo, TokenTimes } from './report';

export const B64URL = /^[A-Za-z0-9_-]*$/;

export function malformed(message: string): CoreError {
  return new CoreError('TOKEN_MALFORMED', message);
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function decodeB64(part: string, what: string): string {
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

export function tooDeep(what: string): CoreError {
  return malformed(`${what} nests JSON deeper than ${MAX_JSON_DEPTH} levels; it is not decoded (no real token does this).`);
}

export function decodeHeader(part: string, what: string): JsonObject {
  const text = decodeB64(part, what);
  const r = parseJsonBounded(text);
  if (r === 'tooDeep') throw tooDeep(what);
  if (r === 'invalid') throw malformed(`${what} is not JSON after base64url decoding.`);
  if (!isObject(r.value)) throw malformed(`${what} is not a JSON object.`);
  return r.value;
}

/** A payload as the report shows it: the JSON object when it is one, otherwise the text. */
export function payloadValue(text: string): JsonObject | string {
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
export function decodePayload(part: string, b64: boolean, token?: string): JsonObject | string {
  if (!b64) return part; // RFC 7797: the payload is carried as is
  // a token the unverified peek already read as a JSON object (valid base64url, not too deep): the
  // same object this decoder would build (a part ending in "=" is refused below, so not reused)
  if (token !== undefined && part.charCodeAt(part.length - 1) !== 61 /* = */) {
    const seen = peekedPayload(token);
    if (seen) return seen;
  }
  return payloadValue(decodeB64(part, 'The payload'));
}

export function isUnsecuredAlg(alg: unknown): boolean {
  return typeof alg === 'string' && alg.toLowerCase() === 'none';
}

export function sigInfo(prot: JsonObject, unprot: JsonObject | undefined, signature: string): SignatureInfo {
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
