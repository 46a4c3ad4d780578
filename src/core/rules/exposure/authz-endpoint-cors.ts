import type { Observation } from '../../observe/observation';
import { header, headersAll } from '../../observe/observation';
import { hashSecret } from '../../util/secret';
import { originOf } from '../../util/url';
import { defineRule } from '../types';
import { ref } from '../../report/standards';

/** the first non-empty Access-Control-Allow-Origin value of the response (any case of the name) */
function allowOrigin(o: Observation): string | undefined {
  if (o.responseHeaders.length === 0) return undefined;
  for (const v of headersAll(o.responseHeaders, 'access-control-allow-origin')) {
    const t = v.trim();
    if (t) return t;
  }
  return undefined;
}

/** who the value lets read the endpoint's responses, in words */
function whom(acao: string, o: Observation): string {
  if (acao === '*') return 'any origin (*)';
  if (acao.toLowerCase() === 'null') return 'the "null" origin (sandboxed frames, file: and data: documents)';
  const asked = header(o.requestHeaders, 'origin') ?? o.initiator;
  return asked !== undefined && originOf(asked) === originOf(acao) ? `${acao}, the origin of the page that started the request (likely reflected)` : acao;
}

/**
 * RFC 9700 §2.6: endpoints a browser-based client calls directly (token, metadata, jwks_uri,
 * registration) MAY support CORS, but CORS MUST NOT be supported at the authorization endpoint: the
 * client redirects the user agent there, it never calls it. Hygiene (low): an authorization request
 * whose response grants cross-origin reads through Access-Control-Allow-Origin.
 */
export default defineRule({
  meta: {
    id: 'authz-endpoint-cors',
    title: 'Authorization endpoint supports CORS (Access-Control-Allow-Origin)',
    severity: 'low',
    confidence: 'strong',
    references: [ref('RFC9700', '2.6')],
    description:
      'The response to an authorization request carries Access-Control-Allow-Origin (a wildcard, a reflected or any other origin but the endpoint\'s own): the authorization endpoint supports CORS, which RFC 9700 §2.6 says it MUST NOT, since clients redirect the user agent to it rather than call it. One finding per endpoint (origin and path) and tab.',
    tier: 2,
    on: ['authorization-request'],
    // (no `needs`: rules/needs.ts offers no item for a response header; the check is one scan of the
    // response's headers, and most authorization requests seen have none of interest)
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { msg } = ctx;
    const o = msg.obs;
    if (!msg.url) return;
    const acao = allowOrigin(o);
    if (acao === undefined) return;
    // the endpoint allowing its own origin grants nothing a same-origin request lacks
    if (acao !== '*' && originOf(acao) === msg.url.origin) return;
    const endpoint = msg.url.base;
    const credentials = header(o.responseHeaders, 'access-control-allow-credentials')?.trim().toLowerCase() === 'true';
    const evidence = [ctx.evidence(o, 'Access-Control-Allow-Origin', `response to the authorization request${o.status ? ` (${o.status})` : ''}: Access-Control-Allow-Origin: ${acao}`)];
    if (credentials) evidence.push(ctx.evidence(o, 'Access-Control-Allow-Credentials', 'Access-Control-Allow-Credentials: true (credentialed cross-origin reads)'));
    ctx.report({
      fingerprint: hashSecret(endpoint), // one per endpoint, not per request (a hash: paths can name tenants)
      message: `The authorization endpoint ${endpoint} answered an authorization request with Access-Control-Allow-Origin allowing ${whom(acao, o)}${credentials ? ', with credentials' : ''}: it supports CORS, which RFC 9700 §2.6 says MUST NOT be supported at the authorization endpoint (the client redirects the user agent there, it does not call it directly).`,
      evidence,
    });
  },
});
