import type { SourceRef } from '../../observe/observation';
import { acceptedToken } from '../../tokens/sources';
import { fastHash, fastHashHex, hashSecret } from '../../util/secret';
import { siteOf } from '../../util/url';
import { defineRule } from '../types';
import { ref } from '../../report/standards';

/** An authorization code redemption that the AS answered 2xx with tokens. */
interface Redemption {
  obsId: string;
  ref: SourceRef;
  time: number;
  url: string;
  /**
   * tokenDigest of the access token (or ID token) the AS returned: only compared for equality with
   * a later redemption's, never shown, so no SHA-256 of a ~1 KB token on every accepted redemption.
   */
  tokenDigest?: string;
  /**
   * A memo of the version before tokenDigest holds the token's fastHash here instead (compared
   * with the later token's fastHash); one older still holds `tokenHash`: no retry is recognised
   * against it (reported as a reuse, high).
   */
  tokenKey?: string;
}

const encoder = new TextEncoder();
let bytes = new Uint8Array(2048);
let words = new Int32Array(bytes.buffer);
/** longer tokens are hashed by fastHash (no buffer of their size kept) */
const DIGEST_MAX = 1 << 16;

/**
 * An equality key of a token (never shown; 14 hex digits, 53 bits, as util/secret.ts's fastHash),
 * a few times faster than fastHash on the ~1 KB token every accepted redemption returns: an ASCII
 * token (every real one) is copied into bytes natively (TextEncoder) and hashed four bytes per
 * step (cyrb53's two lanes over 32-bit words, in the platform's byte order, so the digest is the
 * same on one machine, where the memo is kept; seeded with the length). Anything else (non-ASCII,
 * or over 64 KB) is its fastHash.
 */
export function tokenDigest(s: string): string {
  const n = s.length;
  if (n > DIGEST_MAX) return fastHash(s);
  if (n > bytes.length) {
    bytes = new Uint8Array(((n >> 2) + 1) << 3);
    words = new Int32Array(bytes.buffer);
  }
  const { read, written } = encoder.encodeInto(s, bytes);
  // every character one byte: the bytes are the characters (a non-ASCII one takes two or more)
  if (read !== n || written !== n) return fastHash(s);
  let h1 = 0xdeadbeef ^ n;
  let h2 = 0x41c6ce57 ^ n;
  const w = n >> 2;
  for (let i = 0; i < w; i++) {
    const x = words[i];
    h1 = Math.imul(h1 ^ x, 2654435761);
    h2 = Math.imul(h2 ^ x, 1597334677);
  }
  for (let i = w << 2; i < n; i++) {
    const x = bytes[i];
    h1 = Math.imul(h1 ^ x, 2654435761);
    h2 = Math.imul(h2 ^ x, 1597334677);
  }
  return fastHashHex(h1, h2);
}

/** §1.C: an identical access token within 5 s is an idempotent retry (medium) */
const RETRY_MS = 5000;

/** RFC 6749 §4.1.2: the AS MUST deny a second use of an authorization code. */
export default defineRule({
  meta: {
    id: 'code-redeemed-twice-accepted',
    title: 'Authorization code redeemed twice, and the AS issued tokens both times',
    severity: 'high',
    confidence: 'strong',
    references: [ref('RFC6749', '4.1.2'), ref('RFC9700', '4.5')],
    description:
      'Two token requests with grant_type=authorization_code and the same code are both answered 2xx with tokens: the AS does not enforce one-time use of codes, so a leaked or injected code stays redeemable. The same access token returned within 5 s is reported as an idempotent retry (medium).',
    tier: 2,
    on: ['token-request'],
    needs: { params: ['code'] },
    vantage: ['DT', 'HAR'],
  },
  check(ctx) {
    const { msg } = ctx;
    if (msg.params.get('grant_type') !== 'authorization_code') return;
    const code = msg.params.get('code');
    const status = msg.obs.status ?? 0;
    if (!code || status < 200 || status >= 300 || !msg.url) return;
    const token = acceptedToken(msg);
    if (!token) return; // no tokens visible (sanitized HAR, error body): nothing to judge
    // accepted redemptions (memo: code hash + site of the token endpoint → the first accepted one)
    const key = `${hashSecret(code)}|${siteOf(msg.url.hostname)}`;
    const first = ctx.memo.get<Redemption>(key);
    if (!first) {
      ctx.memo.set(key, { obsId: msg.obs.id, ref: msg.obs.ref, time: msg.obs.time, url: ctx.redactUrl(msg.obs.url), tokenDigest: tokenDigest(token) } satisfies Redemption);
      return;
    }
    if (first.obsId === msg.obs.id) return;
    const sameToken = first.tokenDigest !== undefined ? first.tokenDigest === tokenDigest(token) : first.tokenKey !== undefined && first.tokenKey === fastHash(token);
    const retry = sameToken && Math.abs(msg.obs.time - first.time) <= RETRY_MS;
    const seconds = Math.round(Math.abs(msg.obs.time - first.time) / 1000);
    ctx.report({
      severity: retry ? 'medium' : 'high',
      variant: retry ? 'idempotent-retry' : 'reuse-accepted',
      fingerprint: `${key}:${msg.obs.id}`,
      message: retry
        ? `The same authorization code was redeemed twice at ${msg.url.base} within ${seconds} s and the AS returned the identical token both times (an idempotent retry; RFC 6749 §4.1.2 still requires the AS to deny the reuse).`
        : `An authorization code that ${msg.url.base} had already exchanged for tokens ${seconds} s earlier was accepted again and exchanged for tokens: the AS does not enforce one-time use of codes (RFC 6749 §4.1.2).`,
      evidence: [
        { ...first.ref, url: first.url, param: 'code', note: 'first accepted redemption' },
        ctx.evidence(msg.obs, 'code', 'redeemed again, 2xx with tokens', code),
      ],
    });
  },
});
