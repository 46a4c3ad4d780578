import { header } from '../../observe/observation';
import { hashSecret } from '../../util/secret';
import { defineRule } from '../types';
import { ref } from '../../report/standards';

/**
 * RFC 9700 §2.2.2, §4.14.2: refresh tokens of public clients MUST be sender-constrained or rotated.
 * Seen on the first refresh already (refresh-token-reuse needs a second use).
 */
export default defineRule({
  meta: {
    id: 'refresh-token-not-rotated',
    title: 'Refresh token of a public client not rotated',
    severity: 'medium',
    confidence: 'heuristic',
    references: [ref('RFC9700', '2.2.2'), ref('RFC9700', '4.14.2'), ref('RFC9449')],
    description:
      'A refresh_token grant request without client authentication and without a DPoP proof gets a 2xx token response that carries no new refresh token, or returns the same one: the refresh token of this public client is neither rotated nor (visibly) sender-constrained. mTLS binding is invisible to the browser, hence heuristic.',
    tier: 2,
    on: ['token-request'],
    needs: { params: ['refresh_token'] },
    vantage: ['DT', 'HAR'],
  },
  check(ctx) {
    const { msg } = ctx;
    const p = msg.params;
    if (p.get('grant_type') !== 'refresh_token') return;
    const rt = p.get('refresh_token');
    const status = msg.obs.status ?? 0;
    if (!rt || status < 200 || status >= 300) return;
    const json = msg.json;
    // a token response must be visible (sanitized or truncated HARs show no body: no judgement)
    if (typeof json?.access_token !== 'string' || !json.access_token) return;
    // (every test here only returns: the usual rotated response first, before the header scans)
    const newRt = json.refresh_token;
    const returned = typeof newRt === 'string' && newRt.length > 0;
    if (returned && newRt !== rt) return; // rotated
    const hs = msg.obs.requestHeaders;
    // confidential client (client_secret_post/basic, private_key_jwt): rotation is not required
    if (p.has('client_secret') || p.has('client_assertion') || /^basic\s/i.test(header(hs, 'authorization') ?? '')) return;
    // DPoP (RFC 9449): the refresh token of a public client is bound to the DPoP key
    if (header(hs, 'dpop') !== undefined || (typeof json.token_type === 'string' && json.token_type.toLowerCase() === 'dpop')) return;
    ctx.report({
      variant: returned ? 'same-token-returned' : 'no-new-token',
      fingerprint: hashSecret(rt),
      message: returned
        ? `The refresh token sent to ${msg.url?.base ?? msg.obs.url} by a client without authentication or DPoP came back unchanged in the token response: it is not rotated (RFC 9700 §4.14.2), unless it is bound by mTLS, which the capture cannot show.`
        : `The token response of ${msg.url?.base ?? msg.obs.url} to a refresh_token grant from a client without authentication or DPoP carries no new refresh token: the old one stays valid and is not rotated (RFC 9700 §4.14.2), unless it is bound by mTLS, which the capture cannot show.`,
      evidence: [ctx.evidence(msg.obs, 'refresh_token', returned ? 'same refresh token returned' : 'no refresh_token in the 2xx response', rt)],
    });
  },
});
