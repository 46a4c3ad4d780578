import { entropyBits } from '../../util/secret';
import { defineRule } from '../types';
import { ref } from '../../report/standards';

const MIN = 43;
const MAX = 128;

/** unreserved characters (RFC 7636 §4.1: [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~") */
const UNRESERVED = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~') UNRESERVED[c.charCodeAt(0)] = 1;

/**
 * For each length 43-128, the fewest distinct characters for which entropyBits says 128 bits or
 * more. At these lengths its bound by alphabet (length × log2 of at least 10) is over 128, so only
 * its estimate from distinct characters can fall under: the same expressions as entropyBits',
 * which grow with the count, so the least count that passes them decides.
 */
const DISTINCT_NEEDED = new Uint8Array(MAX + 1);
for (let n = MIN; n <= MAX; n++) {
  let d = 0;
  while (!(d >= n / 4 || n * Math.log2(d + 1) >= 128)) d++;
  DISTINCT_NEEDED[n] = d;
}

/**
 * `length in 43-128 && /^[A-Za-z0-9\-._~]*$/.test(v) && entropyBits(v) >= 128` in one pass with
 * no regex: the characters are checked against a table, and distinct ones counted only until there
 * are enough (7 of a 43-character verifier, usually its first 7 or 8). Exported for its test.
 */
export function usualVerifier(v: string): boolean {
  const n = v.length;
  if (n < MIN || n > MAX) return false;
  const need = DISTINCT_NEEDED[n];
  let distinct = 0;
  let lo = 0, hi = 0, top = 0; // characters 32-63, 64-95, 96-127 seen
  for (let i = 0; i < n; i++) {
    const c = v.charCodeAt(i);
    if (c >= 128 || UNRESERVED[c] === 0) return false;
    if (distinct >= need) continue;
    const bit = 1 << (c & 31);
    if (c < 64) {
      if (!(lo & bit)) { lo |= bit; distinct++; }
    } else if (c < 96) {
      if (!(hi & bit)) { hi |= bit; distinct++; }
    } else if (!(top & bit)) { top |= bit; distinct++; }
  }
  return distinct >= need;
}

/** RFC 7636 §4.1, §7.1: the code_verifier must be 43-128 unreserved characters of high entropy. */
export default defineRule({
  meta: {
    id: 'pkce-verifier-weak',
    title: 'Weak PKCE code_verifier',
    severity: 'medium',
    confidence: 'strong',
    references: [ref('RFC7636', '4.1'), ref('RFC7636', '7.1')],
    description:
      'A token request\'s code_verifier is shorter than 43 or longer than 128 characters, contains characters outside the unreserved set, or has under 128 bits of estimated entropy; high when the verifier travels in a URL.',
    tier: 1,
    on: ['token-request'],
    needs: { params: ['code_verifier'] },
    vantage: ['DT', 'HAR'],
  },
  check(ctx) {
    const { msg } = ctx;
    const v = msg.params.get('code_verifier');
    if (v === undefined) return;
    const inUrl = msg.query.has('code_verifier');
    if (!inUrl && usualVerifier(v)) return; // the usual verifier: nothing built
    const badLength = v.length < MIN || v.length > MAX;
    const badChars = !/^[A-Za-z0-9\-._~]*$/.test(v);
    const bits = entropyBits(v);
    const problems: string[] = [];
    if (badLength) problems.push(`length ${v.length} (must be 43-128)`);
    if (badChars) problems.push('characters outside [A-Za-z0-9-._~]');
    if (bits < 128) problems.push(`about ${Math.floor(bits)} bits of entropy (RFC 7636 recommends 256)`);
    ctx.report({
      severity: inUrl ? 'high' : 'medium',
      variant: inUrl ? 'in-url' : undefined,
      message: `The code_verifier sent to ${msg.url?.base} is weak: ${[...problems, ...(inUrl ? ['it travels in the URL query'] : [])].join('; ')}.`,
      evidence: [ctx.evidence(msg.obs, 'code_verifier', problems.join('; ') || 'in the URL', v)],
    });
  },
});
