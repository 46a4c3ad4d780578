import { isLoopbackHost, parseUrl } from '../../util/url';
import { defineRule } from '../types';
import { ref } from '../../report/standards';

/** RFC 9700 §2.6, RFC 8252 §7.3/§8.3: redirect URIs and authorization endpoints over plain http. */
export default defineRule({
  meta: {
    id: 'redirect-uri-insecure',
    title: 'Redirect URI or authorization endpoint over plain http',
    severity: 'high',
    confidence: 'strong',
    references: [ref('RFC9700', '2.6'), ref('RFC8252', '7.3'), ref('RFC8252', '8.3')],
    description:
      'An authorization request names an http:// redirect URI on a non-loopback host, or is itself sent over http, or an authorization response with a code or token is actually delivered over http: the credential crosses the network in clear text.',
    tier: 1,
    on: ['authorization-request', 'authorization-response'],
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { msg } = ctx;
    if (ctx.replay || !msg.url) return;
    if (msg.kind === 'authorization-request') {
      if (msg.url.protocol === 'http:' && !isLoopbackHost(msg.url.hostname)) {
        ctx.report({
          variant: 'authorization-endpoint',
          message: `The authorization endpoint ${msg.url.base} is reached over plain http.`,
          evidence: [ctx.evidence(msg.obs, undefined, 'authorization request over http')],
        });
      }
      const ru = msg.paramsKnown ? msg.params.get('redirect_uri') : undefined;
      // most redirect URIs: https as the URL parser would read it, without parsing
      const u = ru && !ru.startsWith('https://') ? parseUrl(ru) : undefined;
      if (!u || u.protocol !== 'http:') return;
      const h = u.hostname.toLowerCase();
      if (/^127\.\d+\.\d+\.\d+$/.test(h) || h === '[::1]') return; // RFC 8252 loopback: fine
      if (h === 'localhost' || h.endsWith('.localhost')) {
        ctx.report({
          severity: 'info',
          variant: 'localhost',
          message: `redirect_uri ${ru} uses "localhost"; RFC 8252 §8.3 recommends the loopback IP literal instead.`,
          evidence: [ctx.evidence(msg.obs, 'redirect_uri', 'http://localhost redirect URI')],
        });
        return;
      }
      ctx.report({
        message: `The authorization request to ${msg.url.base} names an http redirect URI on a network host: ${ru}.`,
        evidence: [ctx.evidence(msg.obs, 'redirect_uri', 'http redirect URI on a non-loopback host')],
      });
      return;
    }
    // authorization response actually delivered over http
    const p = msg.params;
    if (msg.url.protocol !== 'http:' || isLoopbackHost(msg.url.hostname)) return;
    if (!(p.has('code') || p.has('access_token') || p.has('id_token'))) return;
    ctx.report({
      severity: 'critical',
      variant: 'delivered-over-http',
      message: `An authorization response with ${p.has('code') ? 'a code' : 'a token'} was delivered over plain http to ${msg.url.base}.`,
      evidence: [ctx.evidence(msg.obs, p.has('code') ? 'code' : p.has('access_token') ? 'access_token' : 'id_token', 'credential sent over http')],
    });
  },
});
