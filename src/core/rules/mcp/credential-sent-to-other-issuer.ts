import { compareResource } from '../../mcp/discovery';
import { assertionClientKey, credentialKey, type CredentialUse } from '../../mcp/ledger';
import { decodeJwtPayloadUnsafe } from '../../tokens/peek';
import { header } from '../../observe/observation';
import { hashSecret } from '../../util/secret';
import { siteOfOrigin } from '../../flows/keys';
import { mcpRevision, openingMcpFlow } from '../support/mcp';
import { ref } from '../../report/standards';
import { defineRule } from '../types';

/** Two issuers are different ASes: two known issuers that differ, or (origin fallback) two sites (§0.4). */
function differentIssuer(a: { issuer: string; known: boolean }, b: { issuer: string; known: boolean }): boolean {
  if (a.known && b.known) return compareResource(a.issuer, b.issuer) === 'different';
  return siteOfOrigin(a.issuer) !== siteOfOrigin(b.issuer);
}

function basicSecret(auth: string | undefined): string | undefined {
  const m = auth?.match(/^basic\s+([A-Za-z0-9+/=]+)\s*$/i);
  if (!m) return undefined;
  try {
    const d = atob(m[1]);
    const i = d.indexOf(':');
    return i >= 0 && i < d.length - 1 ? d.slice(i + 1) : undefined;
  } catch {
    return undefined;
  }
}

const WHAT: Record<CredentialUse['kind'], string> = { refresh_token: 'refresh token', client_secret: 'client secret', client_assertion: 'client assertion' };

/** MCP authorization 2026-07-28 (SEP-2352): client credentials are keyed by issuer, never reused at another AS. */
export default defineRule({
  meta: {
    id: 'credential-sent-to-other-issuer',
    title: 'Credential of one authorization server presented at another',
    severity: 'critical',
    confidence: 'strong',
    references: [ref('MCP-AUTH', 'Credential Binding'), ref('RFC9700', '4.4'), ref('RFC6749', '10.4')],
    description:
      'A token request to the token endpoint of issuer I2 presents a credential that belongs to another issuer I1: a refresh token that I1 issued (or that was sent to I1) earlier in the capture, a client secret or a client assertion first sent to I1, or an assertion of a client and key used at I1 whose aud names I1. This is what a client does when a protected resource (an MCP server) changes its authorization_servers and the client keeps its stored credentials. Also (medium): one registered, non-URL client_id used in MCP flows at two issuers. Token exchange, the same issuer under two hosts, and Client ID Metadata Document ids (https URLs) are not reported.',
    tier: 2,
    on: ['token-request', 'authorization-request'],
    vantage: ['DT', 'HAR'],
  },
  check(ctx) {
    const { msg, store } = ctx;
    const o = msg.obs;
    if (msg.kind === 'authorization-request') {
      const flow = openingMcpFlow(msg, ctx.flow);
      const clientId = flow?.clientId;
      if (!flow || !clientId || /^https?:\/\//i.test(clientId)) return;
      const other = store.flowsOfClient(clientId).find((f) => f.id !== flow.id && f.mcp && f.t0 <= flow.t0 && store.differentAs(f.as, flow.as));
      if (!other) return;
      const rev = mcpRevision(ctx);
      ctx.report({
        severity: 'medium',
        variant: 'client-id',
        message: `The MCP client uses client_id ${clientId}, registered for ${other.as.issuer}, at ${flow.as.issuer} too: client registrations are keyed by issuer (${rev.note}).`,
        evidence: [ctx.evidence(o, 'client_id', `first used at ${other.as.issuer} (flow ${other.id})`)],
      });
      return;
    }
    // token exchange (RFC 8693): its subject_token is sent on purpose (never read here); its client authentication is judged
    if (!msg.url) return;
    const presented: [CredentialUse['kind'], string, string][] = [];
    const rt = msg.params.get('grant_type') === 'refresh_token' ? msg.params.get('refresh_token') : undefined;
    if (rt) presented.push(['refresh_token', rt, 'refresh_token']);
    const secret = msg.params.get('client_secret') ?? basicSecret(header(o.requestHeaders, 'authorization'));
    if (secret) presented.push(['client_secret', secret, msg.params.has('client_secret') ? 'client_secret' : 'Authorization']);
    const assertion = msg.params.get('client_assertion');
    if (assertion) presented.push(['client_assertion', assertion, 'client_assertion']);
    if (presented.length === 0) return; // the usual public client: no credential to follow
    const here = store.mcp.issuerOf(msg.url.base);
    // an assertion minted for another AS: the same client and key were used at I1, and its aud names I1 or I1's endpoint
    const who = assertion ? assertionClientKey(assertion) : undefined;
    if (assertion && who) {
      const aud = decodeJwtPayloadUnsafe(assertion)?.aud;
      const auds = (Array.isArray(aud) ? aud : [aud]).filter((a): a is string => typeof a === 'string');
      const earlier = (store.mcp.credentials.get(`assertion-client:${who}`) ?? []).find((u) => u.obsId !== o.id && u.time <= o.time && differentIssuer(u, here) && auds.some((a) => compareResource(a, u.issuer) !== 'different' || compareResource(a, u.endpoint) !== 'different'));
      if (earlier) {
        const rev = mcpRevision(ctx);
        presented.splice(presented.findIndex(([k]) => k === 'client_assertion'), 1);
        ctx.report({
          variant: 'client_assertion',
          fingerprint: `assertion|${hashSecret(assertion)}|${here.issuer}`,
          message: `A client assertion of ${who.split('|')[0]} with aud ${auds.join(', ')} (the key and client used at ${earlier.issuer}) is presented at the token endpoint of ${here.issuer} (${msg.url.base}): an assertion for one AS reaches another (${rev.note}, SEP-2352).`,
          evidence: [ctx.evidence(o, 'client_assertion', `aud names ${earlier.issuer}`, assertion), { ...earlier.ref, url: earlier.endpoint, note: `sent to ${earlier.issuer}` }],
        });
      }
    }
    for (const [kind, value, param] of presented) {
      const uses = store.mcp.credentials.get(credentialKey(kind, value)) ?? [];
      const first = uses.find((u) => u.obsId !== o.id && u.time <= o.time && differentIssuer(u, here));
      if (!first) continue;
      const rev = mcpRevision(ctx);
      ctx.report({
        variant: kind,
        fingerprint: `${kind}|${hashSecret(value)}|${here.issuer}`,
        message: `A ${WHAT[kind]} that ${first.how === 'issued' ? 'was issued by' : 'was first sent to'} ${first.issuer} is presented at the token endpoint of ${here.issuer} (${msg.url.base}): a credential reaches another authorization server. Credentials are keyed by issuer and never reused at another AS (${rev.note}, SEP-2352); this is what a client does when a protected resource switches its authorization_servers.`,
        evidence: [ctx.evidence(o, param, `first ${first.how === 'issued' ? 'issued by' : 'sent to'} ${first.issuer}`, value), { ...first.ref, url: first.endpoint, note: `${first.how} at ${first.issuer}` }],
      });
    }
  },
});
