import { hashSecret } from '../../util/secret';
import { defineRule } from '../types';

/** RFC 6749 §2.3.1: the client secret MUST NOT be included in the request URI. */
export default defineRule({
  meta: {
    id: 'client-secret-in-url',
    title: 'Client secret in a URL',
    severity: 'high',
    confidence: 'strong',
    references: ['RFC 6749 §2.3.1'],
    description: 'A request URL carries client_secret in its query or fragment: the client credential ends up in logs, history and Referer headers.',
    tier: 1,
    on: 'any',
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { msg } = ctx;
    if (msg.obs.url.indexOf('client_secret=') < 0 || !msg.url) return;
    const v = msg.query.get('client_secret') ?? msg.fragment.get('client_secret');
    if (!v) return;
    const where = msg.query.has('client_secret') ? 'query' : 'fragment';
    ctx.report({
      fingerprint: hashSecret(v),
      message: `client_secret${msg.params.get('client_id') ? ` of client ${msg.params.get('client_id')}` : ''} is sent in the URL ${where} of ${msg.url.base}.`,
      evidence: [ctx.evidence(msg.obs, 'client_secret', `client_secret in the URL ${where}`, v)],
    });
  },
});
