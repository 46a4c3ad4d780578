import { hashSecret } from '../../util/secret';
import { defineRule } from '../types';
import { ref } from '../../report/standards';

/**
 * RFC 9700 §2.1.2, §4.3: an access or refresh token delivered in a URL fragment (committed URL or
 * Location). Hot path: one indexOf('#') per observation; parsing only when a fragment exists.
 */
export default defineRule({
  meta: {
    id: 'token-in-fragment',
    title: 'Access token delivered in a URL fragment',
    severity: 'high',
    confidence: 'strong',
    references: [ref('RFC9700', '2.1.2'), ref('RFC9700', '4.3')],
    description:
      'A committed URL or a redirect Location carries access_token (or refresh_token) in its fragment: the token sits in the browser history and the page\'s scripts, and can leak through open redirectors that re-attach fragments.',
    tier: 1,
    on: 'any',
    prefilter: { urlParams: ['access_token', 'refresh_token'] },
    needs: { urlParams: ['access_token', 'refresh_token'] },
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { msg } = ctx;
    if (msg.obs.url.indexOf('#') < 0 || !msg.url) return;
    const f = msg.fragment;
    for (const name of ['access_token', 'refresh_token'] as const) {
      const v = f.get(name);
      if (!v) continue;
      ctx.report({
        severity: 'high',
        variant: name === 'refresh_token' ? 'refresh-token' : undefined,
        fingerprint: hashSecret(v),
        message: `${msg.url.base} was reached with ${name} in its fragment${msg.kind === 'authorization-response' ? ' (an authorization response in fragment mode)' : ''}.`,
        evidence: [ctx.evidence(msg.obs, name, `${name} in the URL fragment`, v)],
      });
    }
  },
});
