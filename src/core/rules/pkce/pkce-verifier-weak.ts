import { entropyBits } from '../../util/secret';
import { defineRule } from '../types';
import { ref } from '../../report/standards';

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
    const badLength = v.length < 43 || v.length > 128;
    const badChars = !/^[A-Za-z0-9\-._~]*$/.test(v);
    const bits = entropyBits(v);
    if (!badLength && !badChars && bits >= 128 && !inUrl) return; // the usual verifier: nothing built
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
