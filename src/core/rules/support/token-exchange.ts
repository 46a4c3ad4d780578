/**
 * Shared accessors of the PKCE token-exchange rules (pkce-verifier-mismatch-accepted,
 * pkce-downgrade-accepted) and nonce-reused-or-mismatch: did the AS answer a token request with
 * tokens (acceptedToken, in tokens/sources), and which code_challenge values did a flow's authorization requests send. Pure; not a rule.
 */
import type { FlowRequest } from '../../flows/flow';
import type { FlowView } from '../../flows/view';
import type { Evidence } from '../../report/finding';
import { base64url, sha256 } from '../../util/sha256';
import { parseUrl } from '../../util/url';

export { acceptedToken } from '../../tokens/sources';

export interface SentChallenge {
  challenge: string;
  /** as sent; undefined or '' when absent (RFC 7636 §4.3: the AS applies plain) */
  method: string | undefined;
  /** the request that sent it (the flow's first request for the flow fields) */
  request: FlowRequest;
}

/**
 * The code_challenge values a flow's authorization requests sent: the flow's own (the first
 * request, a PAR pushed body or a request object) and those visible in the query of later requests
 * that joined it by state (a retry with a fresh challenge). code_challenge is not a secret, so it
 * survives URL redaction. Empty when none was sent or the parameters are unknown.
 */
export function sentChallenges(flow: FlowView): SentChallenge[] {
  const out: SentChallenge[] = [];
  if (flow.codeChallenge) out.push({ challenge: flow.codeChallenge, method: flow.codeChallengeMethod, request: flow.requests[0] });
  for (let i = 1; i < flow.requests.length; i++) {
    const r = flow.requests[i];
    const u = parseUrl(r.url);
    const c = u?.query.get('code_challenge');
    if (u && c) out.push({ challenge: c, method: u.query.get('code_challenge_method'), request: r });
  }
  return out;
}

/** Does any request of the flow (beyond the flow's own fields) show a code_challenge? */
export function anyRequestHasChallenge(flow: FlowView): boolean {
  return sentChallenges(flow).length > 0;
}

/**
 * Encodings of SHA-256(verifier) that clients get wrong (pkce-s256-malformed): a challenge equal to
 * one of them was made from this verifier, even if the AS should not have accepted its encoding.
 */
function digestEncodings(d: Uint8Array): string[] {
  const u = base64url(d);
  const std = u.replace(/-/g, '+').replace(/_/g, '/');
  let hex = '';
  for (const b of d) hex += b.toString(16).padStart(2, '0');
  const b64hex = btoa(hex);
  return [u, `${u}=`, std, `${std}=`, std.replace(/\+/g, ' '), `${std.replace(/\+/g, ' ')}=`, hex, hex.toUpperCase(), b64hex, b64hex.replace(/=+$/, '')];
}

// a verifier is judged against each challenge of its flow, by each rule that asks: one SHA-256
// per message (the last verifier's digest is kept; read-only)
let lastVerifier: string | undefined;
let lastDigest: Uint8Array = new Uint8Array(32);
function digestOf(verifier: string): Uint8Array {
  if (verifier !== lastVerifier) {
    lastDigest = sha256(verifier);
    lastVerifier = verifier;
  }
  return lastDigest;
}

const B64URL_CODES = new Uint8Array(64);
for (let i = 0; i < 64; i++) B64URL_CODES[i] = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.charCodeAt(i);

/**
 * `s === base64url(d)` for a 32-byte digest (the S256 value: 43 characters), compared character by
 * character without building the encoding. Exported for its test.
 */
export function isBase64urlOfDigest(s: string, d: Uint8Array): boolean {
  if (s.length !== 43) return false;
  const A = B64URL_CODES;
  let j = 0;
  for (let i = 0; i < 30; i += 3, j += 4) {
    const n = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2];
    if (s.charCodeAt(j) !== A[n >> 18] || s.charCodeAt(j + 1) !== A[(n >> 12) & 63] || s.charCodeAt(j + 2) !== A[(n >> 6) & 63] || s.charCodeAt(j + 3) !== A[n & 63]) return false;
  }
  const n = (d[30] << 16) | (d[31] << 8);
  return s.charCodeAt(40) === A[n >> 18] && s.charCodeAt(41) === A[(n >> 12) & 63] && s.charCodeAt(42) === A[(n >> 6) & 63];
}

export type VerifierMatch = 'match' | 'mismatch' | 'challenge-as-verifier' | 'unknown-method';

/**
 * RFC 7636 §4.6: does the verifier satisfy this challenge under its method? With no method the
 * AS applies plain, but some ASes assume S256 (Salesforce docs omit the method): either counts.
 * An S256 challenge in a wrong encoding of the right digest counts as a match (that is a client
 * bug, pkce-s256-malformed, not a verification bypass). A plain challenge equal to the S256 value
 * of the verifier also counts: the AS may have detected the method; this is not the attacker's case.
 */
export function verifierMatches(verifier: string, c: SentChallenge): VerifierMatch {
  const m = c.method ? c.method.toLowerCase() : undefined;
  if (m !== undefined && m !== 'plain' && m !== 's256') return 'unknown-method';
  if (c.challenge === verifier) return m === 's256' ? 'challenge-as-verifier' : 'match';
  const d = digestOf(verifier);
  if (isBase64urlOfDigest(c.challenge, d)) return 'match'; // the usual case: the right encoding, no other built
  return digestEncodings(d).includes(c.challenge) ? 'match' : 'mismatch';
}

/** Evidence pointing at the authorization request that sent a challenge. */
export function requestEvidence(r: FlowRequest, param: string, note: string, value: string | undefined, redact: (v: string) => string): Evidence {
  const e: Evidence = { ...r.ref, url: r.url, param, note };
  if (value !== undefined) e.value = redact(value);
  return e;
}
