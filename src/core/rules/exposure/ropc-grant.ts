import { defineRule } from '../types';

/** RFC 9700 §2.4: the resource owner password credentials grant MUST NOT be used. */
export default defineRule({
  meta: {
    id: 'ropc-grant',
    title: 'Resource owner password credentials grant used',
    severity: 'high',
    confidence: 'strong',
    references: ['RFC 9700 §2.4'],
    description: 'A request carries grant_type=password: the client handles the user\'s password itself.',
    tier: 1,
    on: 'any',
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { msg } = ctx;
    // hot path: no parsing unless the raw URL or a form body can carry grant_type
    if (msg.form.size === 0 && msg.obs.url.indexOf('grant_type=') < 0) return;
    const where = msg.form.get('grant_type') === 'password' ? 'body' : msg.query.get('grant_type') === 'password' ? 'URL query' : undefined;
    if (!where) return;
    ctx.report({
      message: `grant_type=password sent to ${msg.url?.base ?? msg.obs.url} in the ${where}; RFC 9700 §2.4 says this grant MUST NOT be used.`,
      evidence: [ctx.evidence(msg.obs, 'grant_type', `password grant in the ${where}`)],
    });
  },
});
