import type { RefreshUse } from '../../flows/store';
import { hashSecret } from '../../util/secret';
import { defineRule } from '../types';
import { ref } from '../../report/standards';

const CONCURRENT_MS = 1000; // without response times: requests this close count as one (vendor grace windows for concurrency)

/** Two uses are concurrent when the second was sent before the first's response arrived (or, with no response time known, within a second). */
const concurrent = (first: RefreshUse, sentAt: number) => (first.responseTime !== undefined ? sentAt < first.responseTime : sentAt - first.time < CONCURRENT_MS);

/**
 * The earlier uses of refresh token `h` the AS accepted (2xx) that are not concurrent with a use
 * sent at `sentAt`: the first of them, and whether any was rotated to another token; undefined
 * when there is none. One pass, no list (most refresh tokens were used once before, or never).
 */
export function earlierAccepted(uses: readonly RefreshUse[] | undefined, h: string, sentAt: number): { first: RefreshUse; rotated: boolean } | undefined {
  if (uses === undefined) return undefined;
  let first: RefreshUse | undefined;
  let rotated = false;
  for (let i = 0; i < uses.length; i++) {
    const u = uses[i];
    if (!((u.status ?? 0) >= 200 && (u.status ?? 0) < 300 && !concurrent(u, sentAt))) continue;
    first ??= u;
    if (u.rotatedTo !== undefined && u.rotatedTo !== h) rotated = true;
  }
  return first === undefined ? undefined : { first, rotated };
}

/** RFC 9700 §4.14.2: a refresh token accepted again after rotation, or reused without rotation. */
export default defineRule({
  meta: {
    id: 'refresh-token-reuse',
    title: 'Refresh token accepted more than once',
    severity: 'high',
    confidence: 'strong',
    references: [ref('RFC9700', '4.14.2'), ref('RFC9700', '2.2.2')],
    description:
      'The same refresh token is presented in two refresh_token grant requests and both get a 2xx token response: the AS never rotated it for a public client without sender-constraining, or rotated it and still accepted the old one (replay accepted).',
    tier: 1,
    on: ['token-request'],
    needs: { params: ['refresh_token'] },
    vantage: ['DT', 'HAR'],
  },
  check(ctx) {
    const { msg, store } = ctx;
    if (msg.params.get('grant_type') !== 'refresh_token') return;
    const rt = msg.params.get('refresh_token');
    const status = msg.obs.status ?? 0;
    if (!rt || status < 200 || status >= 300) return;
    const h = hashSecret(rt);
    const earlier = earlierAccepted(store.refreshTokens.get(h), h, msg.obs.time);
    if (earlier === undefined) return;
    const { first, rotated } = earlier;
    const dpop = first.dpop || msg.obs.requestHeaders.some((x) => x.name.toLowerCase() === 'dpop');
    if (!rotated && first.clientAuthenticated) return; // confidential client without rotation: allowed
    ctx.report({
      severity: dpop ? 'info' : 'high',
      variant: rotated ? 'rotated-still-accepted' : 'not-rotated',
      fingerprint: `${h}:${msg.obs.id}`,
      message: rotated
        ? `A refresh token that the AS had already rotated was accepted again at ${msg.url?.base}: refresh token replay is not detected.`
        : `The same refresh token was accepted twice at ${msg.url?.base} and never rotated${dpop ? ' (DPoP-bound, so sender-constrained)' : ', for a client without authentication or sender-constraining'}.`,
      evidence: [
        { ...first.ref, url: ctx.redactUrl(msg.obs.url), param: 'refresh_token', note: 'first accepted use' },
        ctx.evidence(msg.obs, 'refresh_token', 'accepted again', rt),
      ],
    });
  },
});
