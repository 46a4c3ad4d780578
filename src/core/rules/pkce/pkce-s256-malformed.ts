import { defineRule } from '../types';
import { requestParams } from '../support/request-params';
import { ref } from '../../report/standards';

/** What an S256 code_challenge must look like: BASE64URL(SHA-256) without padding (RFC 7636 §4.2). */
const S256_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/**
 * Which wrong transform the client most likely applied. Pure; exported for the tests.
 * - padding: base64url with the trailing "=" kept (RFC 7636 §4.2 and App. A: no padding);
 * - base64: standard base64 ("+" "/", a "+" that became a space in a query, or 44 characters with "=");
 * - hex: the SHA-256 digest as 64 hex digits instead of base64url;
 * - base64-of-hex: base64 of that hex string (86/88 characters, the Entra docs example);
 * - other: anything else (wrong length, characters outside the base64url alphabet).
 */
export function malformedKind(challenge: string): 'padding' | 'base64' | 'hex' | 'base64-of-hex' | 'other' {
  if (/^[A-Za-z0-9_-]{43}=$/.test(challenge)) return 'padding';
  if (/^[0-9a-fA-F]{64}$/.test(challenge)) return 'hex';
  if (/^[A-Za-z0-9+/_ -]{86}(==)?$/.test(challenge)) {
    const decoded = decodeBase64(challenge.replace(/ /g, '+'));
    if (decoded !== undefined && /^[0-9a-fA-F]{64}$/.test(decoded)) return 'base64-of-hex';
  }
  if (/^[A-Za-z0-9+/ _-]{43}=?$/.test(challenge) && /[+/ ]/.test(challenge)) return 'base64';
  return 'other';
}

function decodeBase64(s: string): string | undefined {
  try {
    return atob(s.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, ''));
  } catch {
    return undefined;
  }
}

const EXPLAIN: Record<ReturnType<typeof malformedKind>, string> = {
  padding: 'it keeps the base64 "=" padding, which S256 drops',
  base64: 'it is standard base64 ("+", "/" or a "+" decoded as a space), not base64url',
  hex: 'it is the SHA-256 digest in hex, not base64url',
  'base64-of-hex': 'it is base64 of the hex SHA-256 digest (88 characters, as in the Entra docs example)',
  other: 'it is not 43 base64url characters',
};

/** RFC 7636 §4.2: with S256 the challenge is BASE64URL-ENCODE(SHA256(ASCII(code_verifier))), 43 characters. */
export default defineRule({
  meta: {
    id: 'pkce-s256-malformed',
    title: 'PKCE S256 challenge with the wrong encoding',
    severity: 'low',
    confidence: 'strong',
    references: [ref('RFC7636', '4.2'), ref('RFC7636', 'Appendix A')],
    description:
      'An authorization request says code_challenge_method=S256 but its code_challenge is not 43 base64url characters (padding, standard base64, a hex digest, or base64 of the hex digest): the client applied the wrong transform, so the AS will reject the verifier or the client is not doing what it believes.',
    tier: 2,
    on: ['authorization-request'],
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { msg, flow } = ctx;
    const get = requestParams(ctx); // visible parameters, or the pushed body of a PAR request_uri
    if (ctx.replay || !get) return;
    if (flow && flow.requests.length > 1 && flow.requests[0].obsId !== msg.obs.id) return; // judged at the first request
    const method = get('code_challenge_method');
    if (!method || method.toLowerCase() !== 's256') return; // plain / absent: pkce-plain
    const challenge = get('code_challenge');
    if (!challenge || S256_SHAPE.test(challenge)) return; // none: pkce-missing
    const kind = malformedKind(challenge);
    const caseNote = method !== 'S256' ? ` The method is also spelt "${method}" (RFC 7636 defines "S256", case-sensitive).` : '';
    ctx.report({
      variant: kind,
      message:
        `The request to ${msg.url?.base} uses code_challenge_method=S256, but its ${challenge.length}-character code_challenge is malformed: ${EXPLAIN[kind]}. ` +
        `An S256 challenge is BASE64URL(SHA-256(verifier)) without padding, exactly 43 characters.${caseNote}`,
      evidence: [ctx.evidence(msg.obs, 'code_challenge', `${kind}, ${challenge.length} characters`, challenge)],
    });
  },
});
