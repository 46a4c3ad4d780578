import { hashSecret } from '../../util/secret';
import { defineRule } from '../types';
import { ref } from '../../report/standards';

/** RFC 6749 §2.3.1: the client secret MUST NOT be included in the request URI. */
export default defineRule({
  meta: {
    id: 'client-secret-in-url',
    title: 'Client secret in a URL',
    severity: 'high',
    confidence: 'strong',
    references: [ref('RFC6749', '2.3.1')],
    description: 'A request URL carries client_secret in its query or fragment: the client credential ends up in logs, history and Referer headers.',
    tier: 1,
    on: 'any',
    prefilter: { urlParams: ['client_secret'] },
    needs: { urlParams: ['client_secret'] },
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { msg } = ctx;
    const href = msg.obs.url;
    // hot path: the raw name, or a percent-encoded "_" in it (servers decode parameter names)
    if ((href.indexOf('client_secret=') < 0 && (href.indexOf('%5') < 0 || !/client%5fsecret=/i.test(href))) || !msg.url) return;
    // the first non-empty value (`client_secret=` alone is a public client's empty placeholder)
    const inQuery = msg.query.getAll('client_secret').find((x) => x !== '');
    const v = inQuery ?? msg.fragment.getAll('client_secret').find((x) => x !== '');
    if (!v) return;
    const where = inQuery !== undefined ? 'query' : 'fragment';
    ctx.report({
      fingerprint: hashSecret(v),
      message: `client_secret${msg.params.get('client_id') ? ` of client ${msg.params.get('client_id')}` : ''} is sent in the URL ${where} of ${msg.url.base}.`,
      evidence: [ctx.evidence(msg.obs, 'client_secret', `client_secret in the URL ${where}`, v)],
    });
  },
});
