import type { MetadataRecord } from '../../flows/store';
import { tryDecodeToken } from '../../tokens/decode';
import { assertionsIn } from '../../tokens/sources';
import { parseUrl } from '../../util/url';
import { defineRule, type RuleContext } from '../types';

/** Compare URLs as an AS would (scheme/host case-insensitive, no query, no trailing slash). */
function norm(u: string): string | undefined {
  const p = parseUrl(u);
  if (!p || !/^https?:$/.test(p.protocol)) return undefined;
  return (p.origin + p.pathname).replace(/\/+$/, '');
}

function baseOf(u: string): string {
  const i = u.search(/[?#]/);
  return i < 0 ? u : u.slice(0, i);
}

/** The receiving AS's metadata: the document that lists this endpoint, else one whose issuer shares its origin. */
function receivingMetadata(ctx: RuleContext, receiving: string, origin: string): MetadataRecord | undefined {
  const mds = [...ctx.store.metadata.values()];
  const listed = mds.find((m) => Object.values(m.endpoints).some((e) => norm(baseOf(e)) === receiving));
  if (listed) return listed;
  return mds.find((m) => parseUrl(m.issuer)?.origin === origin);
}

function isTokenEndpoint(ctx: RuleContext, aud: string): boolean {
  const n = norm(aud);
  if (!n) return false;
  for (const m of ctx.store.metadata.values()) if (m.tokenEndpoint && norm(baseOf(m.tokenEndpoint)) === n) return true;
  return /\/token$/i.test(parseUrl(aud)?.pathname.replace(/\/+$/, '') ?? '');
}

const NON_TOKEN = new Set(['par', 'revocation', 'introspection', 'device', 'ciba']);

/**
 * draft-02 §2.1 audience injection: a client assertion whose aud is a token endpoint (sent to a
 * non-token endpoint), a foreign origin, or several values, can be replayed at another AS.
 */
export default defineRule({
  meta: {
    id: 'audience-injection',
    title: 'Client assertion audience open to audience injection',
    severity: 'high',
    confidence: 'strong',
    references: ['draft-wuertele-oauth-security-topics-update-02 §2.1.1', 'draft-wuertele-oauth-security-topics-update-02 §2.1.2', 'RFC 7519 §4.1.3'],
    description:
      'A client_assertion (or jwt-bearer assertion) sent to a PAR, revocation, introspection, CIBA or device endpoint with aud = a token endpoint URL (high), with an aud on a foreign origin that is neither the receiving endpoint\'s nor its issuer\'s (critical), or with several aud values (high).',
    tier: 1,
    on: ['par-request', 'client-auth-request', 'token-request'],
    vantage: ['DT', 'HAR'],
  },
  check(ctx) {
    const { msg } = ctx;
    if (ctx.replay || !msg.url) return;
    const receivingUrl = msg.url.base;
    const receiving = norm(receivingUrl);
    if (!receiving) return;
    const kind = msg.kind === 'token-request' ? 'token' : (msg.endpoint ?? 'unknown');
    const md = receivingMetadata(ctx, receiving, msg.url.origin);
    const issuer = md?.issuer;
    const issuerN = issuer ? norm(issuer) : undefined;
    const issuerOrigin = issuer ? parseUrl(issuer)?.origin : undefined;

    for (const a of assertionsIn(msg)) {
      const r = tryDecodeToken(a.value);
      if (!r || !r.payload || typeof r.payload !== 'object') continue;
      const audRaw = r.payload.aud;
      const auds = typeof audRaw === 'string' ? [audRaw] : Array.isArray(audRaw) ? audRaw.filter((x): x is string => typeof x === 'string') : [];
      if (auds.length === 0) continue;
      const audText = JSON.stringify(audRaw);
      const ev = (note: string) => [ctx.evidence(msg.obs, a.param, `${note}; aud ${audText}; received by ${receivingUrl}${issuer ? ` (issuer ${issuer})` : ''}`, a.value)];

      for (const aud of auds) {
        const n = norm(aud);
        if (!n) continue; // not a URL (a client_id-style audience): not this rule
        if (n === receiving || (issuerN !== undefined && n === issuerN)) continue; // §2.1.2.1–2.1.2.2
        const audOrigin = parseUrl(aud)!.origin;
        if (audOrigin !== msg.url.origin && audOrigin !== issuerOrigin) {
          ctx.report({
            severity: 'critical',
            variant: 'foreign',
            message: `The ${a.param} sent to ${receivingUrl} (${kind} endpoint) has aud "${aud}" on another origin than the receiving AS: it can be replayed there.`,
            evidence: ev(`foreign audience ${aud}`),
          });
        } else if (NON_TOKEN.has(kind) && isTokenEndpoint(ctx, aud)) {
          ctx.report({
            variant: 'token-endpoint-elsewhere',
            message: `The ${a.param} sent to the ${kind} endpoint ${receivingUrl} has aud = the token endpoint "${aud}" rather than the issuer or ${receivingUrl}: an AS that claims this token endpoint can replay it there.`,
            evidence: ev(`token endpoint as audience: ${aud}`),
          });
        }
      }
      if (auds.length > 1 || (Array.isArray(audRaw) && audRaw.length > 1)) {
        ctx.report({
          variant: 'multi',
          message: `The ${a.param} sent to ${receivingUrl} has ${auds.length} audiences ${audText}; a single audience is required.`,
          evidence: ev('several audiences'),
        });
      } else if (Array.isArray(audRaw)) {
        ctx.report({
          severity: 'low',
          variant: 'single-element-array',
          message: `The ${a.param} sent to ${receivingUrl} carries its audience as a one-element array ${audText}; use a single string.`,
          evidence: ev('one-element aud array'),
        });
      }
    }
  },
});
