import type { FlowView } from '../../flows/view';
import { hashSecret } from '../../util/secret';
import { defineRule, type RuleContext } from '../types';
import { ref } from '../../report/standards';

interface UriParts {
  scheme: string;
  host: string;
  port: string;
  path: string;
  query: string;
}

const RAW = /^([a-zA-Z][a-zA-Z0-9+.-]*):(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?/;

/** Split a redirect URI as written (no dot-segment or case normalisation of the path). */
function parts(u: string): UriParts | undefined {
  const m = RAW.exec(u);
  if (!m) return undefined;
  const authority = (m[2] ?? '').toLowerCase();
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  const pm = /:(\d*)$/.exec(hostPort);
  const scheme = m[1].toLowerCase();
  const defaultPort = scheme === 'https' ? '443' : scheme === 'http' ? '80' : '';
  const port = pm && pm[1] !== defaultPort ? pm[1] : '';
  return { scheme, host: pm ? hostPort.slice(0, pm.index) : hostPort, port, path: m[3] ?? '', query: m[4] ?? '' };
}

/** How U' extends U (§1.G: an extra path segment, an added query, a deeper subdomain), or undefined. */
export function extension(u: string, uPrime: string): { host: boolean; path: boolean; query: boolean } | undefined {
  if (u === uPrime) return undefined;
  const a = parts(u);
  const b = parts(uPrime);
  if (!a || !b || a.scheme !== b.scheme || a.port !== b.port) return undefined;
  const host = a.host !== b.host;
  if (host && !(a.host && b.host.endsWith(`.${a.host}`))) return undefined;
  const pa = a.path === '' ? '/' : a.path;
  const pb = b.path === '' ? '/' : b.path;
  let path = false;
  if (pa !== pb && pb !== `${pa}/` && pa !== `${pb}/`) {
    // an extra segment: U's path is a segment prefix of U' (a trailing slash alone is normalisation)
    if (!(pb.startsWith(pa) && (pa.endsWith('/') || pb[pa.length] === '/'))) return undefined;
    path = true;
  }
  let query = false;
  if (a.query !== b.query) {
    if (!(a.query === '' || b.query.startsWith(`${a.query}&`))) return undefined;
    query = true;
  }
  return host || path || query ? { host, path, query } : undefined;
}

const answeredWithCode = (f: FlowView) => f.responses.some((r) => r.code !== undefined && r.error === undefined);

/**
 * RFC 9700 §2.1, §4.1.3: redirect URIs MUST be compared by exact string matching. Seen when one
 * client (issuer, client_id) gets a code at U' that merely extends another redirect URI U it uses.
 */
export default defineRule({
  meta: {
    id: 'redirect-uri-not-exact-match',
    title: 'AS accepts a redirect URI that only extends another one (no exact matching)',
    severity: 'medium',
    confidence: 'heuristic',
    references: [ref('RFC9700', '2.1'), ref('RFC9700', '4.1.3'), ref('RFC6749', '3.1.2')],
    description:
      'The same client (issuer, client_id) is seen with redirect URIs U and U\', where U\' extends U by an extra path segment, an added query or a deeper subdomain, and the AS answered U\' with a code: the AS likely matches redirect URIs by prefix or pattern, not exactly. High when the host differs.',
    tier: 2,
    on: ['authorization-request', 'authorization-response'],
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { msg, flow } = ctx;
    if (ctx.replay || !flow?.redirectUri || !flow.clientId) return;
    if (msg.kind === 'authorization-response') {
      if (!msg.params.has('code') || msg.params.has('error')) return;
      // this flow's U' was answered with a code: is it an extension of another U of the client?
      // (a flow with the same redirect URI extends nothing: skipped first, most of the client's flows)
      for (const g of ctx.store.flowsOfClient(flow.clientId)) {
        if (g === flow || !g.redirectUri || g.redirectUri === flow.redirectUri || g.clientId !== flow.clientId || ctx.store.differentAs(g.as, flow.as)) continue;
        const ext = extension(g.redirectUri, flow.redirectUri);
        if (ext) report(ctx, g, flow, ext);
      }
      return;
    }
    // a new authorization request with U: did an earlier flow get a code at an extension U'?
    if (flow.requests[0]?.obsId !== msg.obs.id || !msg.paramsKnown) return;
    for (const g of ctx.store.flowsOfClient(flow.clientId)) {
      if (g === flow || !g.redirectUri || g.redirectUri === flow.redirectUri || g.clientId !== flow.clientId || !answeredWithCode(g) || ctx.store.differentAs(g.as, flow.as)) continue;
      const ext = extension(flow.redirectUri, g.redirectUri);
      if (ext) report(ctx, flow, g, ext);
    }
  },
});

function report(ctx: RuleContext, short: FlowView, long: FlowView, ext: { host: boolean; path: boolean; query: boolean }): void {
  const u = short.redirectUri!;
  const uPrime = long.redirectUri!;
  const what = [ext.host && 'a deeper subdomain', ext.path && 'an extra path segment', ext.query && 'an added query'].filter(Boolean).join(', ');
  const answer = long.responses.find((r) => r.code !== undefined && r.error === undefined);
  const areq = short.requests[0];
  // U is the site root and only the path differs: every path extends it, so two exact
  // registrations (/ and /silent-check-sso.html) look the same as a wildcard: low
  const rootOnly = !ext.host && !ext.query && /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*\/?$/i.test(u);
  ctx.report({
    severity: ext.host ? 'high' : rootOnly ? 'low' : 'medium',
    variant: ext.host ? 'subdomain' : rootOnly ? 'root-path' : ext.path ? 'path' : 'query',
    flowId: long.id,
    fingerprint: `${long.as.issuer}|${long.clientId}|${hashSecret(u)}|${hashSecret(uPrime)}`,
    message: `Client ${long.clientId} at ${long.as.issuer} uses the redirect URI ${u} and also got a code at ${uPrime}, which extends it by ${what}: the AS does not appear to compare redirect URIs exactly (RFC 9700 §2.1), so a URI under the registered one can receive codes.`,
    evidence: [
      ...(areq ? [{ ...areq.ref, url: areq.url, param: 'redirect_uri', note: `authorization request with redirect_uri ${u}` }] : []),
      ...(answer ? [{ ...answer.ref, url: answer.url, param: 'code', note: `code delivered at the extended redirect URI ${uPrime}` }] : [ctx.evidence(ctx.msg.obs, 'redirect_uri')]),
    ],
  });
}
