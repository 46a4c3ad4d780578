/** The PKCE checker: does a code_verifier produce a code_challenge (RFC 7636 §4.2), how strong is it (§4.1, §7.1). */
import { alphabetOf, entropyBits, pkceS256 } from '../../core';

export interface PkceCheck {
  method: 'S256' | 'plain';
  /** undefined when no challenge was given */
  match?: boolean;
  computed: string;
  verifierLength: number;
  /** upper bound: length × log2(alphabet) */
  entropyBits: number;
  problems: string[];
}

const UNRESERVED = /^[A-Za-z0-9\-._~]*$/;

export function checkPkce(verifier: string, challenge?: string, method: string = 'S256'): PkceCheck {
  const m: 'S256' | 'plain' = method.toLowerCase() === 'plain' ? 'plain' : 'S256';
  const v = verifier.trim();
  const c = challenge?.trim();
  const computed = m === 'S256' ? pkceS256(v) : v;
  const problems: string[] = [];
  if (v.length < 43 || v.length > 128) problems.push(`The verifier is ${v.length} characters; RFC 7636 §4.1 requires 43 to 128.`);
  if (!UNRESERVED.test(v)) problems.push('The verifier has characters outside [A-Z a-z 0-9 - . _ ~] (RFC 7636 §4.1).');
  const bits = entropyBits(v);
  if (bits < 256 && UNRESERVED.test(v)) {
    problems.push(`At most ${Math.floor(bits)} bits of entropy (${v.length} characters from an alphabet of ${alphabetOf(v)}); RFC 7636 §7.1 recommends 256 bits (32 random octets, base64url: 43 characters).`);
  }
  if (/^(.)\1+$/.test(v) || /^(?:0123456789|abcdefghij)/i.test(v)) problems.push('The verifier is a repeated or sequential pattern, not random.');
  if (v === 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk') problems.push('This is the RFC 7636 Appendix B example verifier: never use it in production.');
  if (m === 'plain') problems.push('Method plain sends the verifier itself as the challenge; use S256 (RFC 7636 §4.2, RFC 9700 §2.1.1).');
  if (c !== undefined && c !== '' && m === 'S256' && !/^[A-Za-z0-9_-]{43}$/.test(c)) problems.push('An S256 challenge is 43 base64url characters without padding; this one is not.');
  return { method: m, ...(c ? { match: c === computed } : {}), computed, verifierLength: v.length, entropyBits: Math.round(bits * 10) / 10, problems };
}
