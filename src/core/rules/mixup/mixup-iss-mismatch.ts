import { defineRule, type RuleContext } from '../types';
import { parseUrl } from '../../util/url';
import { MCP_RESPONSE_VALIDATION, requestEvidence, responseIssuers, tableBasis } from '../support/mixup';
import { boundByTimingOnly, currentResponse, flowBinding } from '../support/binding';
import { ref } from '../../report/standards';

/**
 * Not an https URL (or a loopback http one) without query and fragment (RFC 9207 §2), remembered
 * per value: every callback of an AS names the same issuer (a URL parse each otherwise).
 */
function issMalformed(iss: string): boolean {
  let bad = malformed.get(iss);
  if (bad === undefined) {
    const u = parseUrl(iss);
    const loopback = u && /^(localhost|127\.|\[::1\])/.test(u.hostname);
    bad = !u || (u.protocol !== 'https:' && !loopback) || iss.includes('?') || iss.includes('#');
    if (malformed.size >= 256) malformed.clear();
    malformed.set(iss, bad);
  }
  return bad;
}
const malformed = new Map<string, boolean>();

type Ctx = RuleContext;
type Flow = NonNullable<RuleContext['flow']>;
type As = Flow['as'];

/**
 * does `value` name one of the ASes the client sent this flow to, or a host of the same AS reached
 * from them. The flow's first request is always one the client issued (and the first of them):
 * the usual response names its AS, answered before the client-issued requests are listed.
 */
function accepted(ctx: Ctx, flow: Flow, value: string): boolean {
  const store = ctx.store;
  const r0 = flow.requests[0];
  if (r0 !== undefined && store.issuerMatches(r0.as, value)) return true;
  const issued = store.clientIssued(flow);
  for (const r of issued) if (store.issuerMatches(r.as, value)) return true;
  for (const r of flow.requests) {
    if (!store.issuerMatches(r.as, value)) continue;
    for (const b of issued) if (!store.differentAs(r.as, b.as)) return true;
  }
  return false;
}

const label = (where: 'iss' | 'id_token' | 'response') => (where === 'iss' ? 'iss parameter' : where === 'id_token' ? 'ID token iss' : 'JARM iss');

/** report an issuer the flow did not start at; false when it is not reported */
function reportIssuer(ctx: Ctx, flow: Flow, as1: As, value: string, where: 'iss' | 'id_token' | 'response'): boolean {
  const msg = ctx.msg;
  const first = flow.requests[0];
  // the key the flow was issued with (state, else code_challenge, else nonce), and whether only
  // redirect_uri and timing link this callback to it (no state to match: one step less confident)
  const key = flowBinding(flow).param;
  const timing = boundByTimingOnly(currentResponse(ctx));
  const timingNote = timing ? ' The response carries no state: only the tab, the redirect_uri and the timing link it to this flow.' : '';
  const basis = tableBasis(as1, ctx.store);
  if (as1.source === 'provider' && ctx.store.inOwnScope(as1, value)) {
    // §0.4: the table's issuer is soft. An iss on AS1's own origin (or tenant) that differs
    // from it means the table is stale, not that the flow was mixed up.
    ctx.report({
      severity: 'info',
      confidence: 'heuristic',
      variant: 'provider-table-stale',
      message: `${basis?.provider ?? as1.origin} answered with ${label(where)} ${value}, on its own origin, but CoatCheck's provider table says its issuer is ${as1.issuer}${basis ? ` (checked ${basis.checked})` : ''}: the table is out of date, not a mix-up. Please report it (docs/providers.md).`,
      evidence: [requestEvidence(first, key, `flow started at ${as1.origin} (${basis?.provider ?? 'provider table'})`), ctx.evidence(msg.obs, where, `names issuer ${value}`)],
      ...(basis ? { providerTable: basis } : {}),
    });
    return true;
  }
  if (as1.source !== 'origin') {
    // critical: issuer(AS1) from metadata or an earlier flow of the capture, or (provider
    // table) an iss outside AS1's own origin; §0.4
    ctx.report({
      ...(timing ? { confidence: 'heuristic' as const } : {}),
      message: `The response's ${label(where)} is ${value}, but the flow started at ${as1.issuer} (known from ${as1.source === 'id_token' ? 'an earlier flow of this capture' : as1.source === 'provider' ? `CoatCheck's provider table${basis ? `, checked ${basis.checked}` : ''}` : 'its metadata'}).${timingNote}`,
      evidence: [requestEvidence(first, key, `flow started at ${as1.issuer}`), ctx.evidence(msg.obs, where, `names issuer ${value}`)],
      ...(as1.source === 'provider' && basis ? { providerTable: basis } : {}),
    });
    return true;
  }
  // only the origin is known for AS1: origins were compared (Keycloak realms, Entra tenants, trailing / pass)
  ctx.report({
    severity: 'high',
    confidence: 'heuristic',
    message: `The response's ${label(where)} is ${value}, but the flow started at ${as1.origin} (issuer known only by its origin).${timingNote}`,
    evidence: [requestEvidence(first, key, `flow started at ${as1.origin}`), ctx.evidence(msg.obs, where, `names issuer ${value}`)],
  });
  return true;
}

/**
 * RFC 9207 §2.4 / RFC 9700 §4.4.2.1: the authorization response's issuer (iss parameter, ID token
 * or JARM iss) differs from the issuer of AS1, the AS the state was sent to.
 */
export default defineRule({
  meta: {
    id: 'mixup-iss-mismatch',
    title: 'Authorization response names another issuer than the AS the flow started at',
    severity: 'critical',
    confidence: 'strong',
    references: [ref('RFC9207', '2.4'), ref('RFC9700', '4.4.2.1'), ref('OIDC-CORE', '3.1.3.7'), MCP_RESPONSE_VALIDATION],
    description:
      'The iss of an authorization response (parameter, front-channel ID token or JARM) differs from the issuer of the authorization server the client sent the user to: a mix-up in progress. A client that checks iss as RFC 9207 requires must reject it (MCP: an iss that is present is compared, advertised or not). An iss on the provider\'s own origin that only differs from CoatCheck\'s provider table is reported as info (provider-table-stale).',
    tier: 1,
    on: ['authorization-response'],
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { flow, msg } = ctx;
    if (!flow || ctx.replay) return;
    const names = responseIssuers(ctx);
    const as1 = flow.requests[0]?.as ?? flow.as;
    if (!flow.paramsKnown && as1.source === 'origin' && flow.requests.length === 1 && !names.param) return;
    // nothing named: nothing to compare (most of what follows is built only when an issuer is not accepted)
    if (names.param === undefined && names.idToken === undefined && names.jarm === undefined) return;
    // The ASes the client itself sent this state to (a user restarting at another provider sends
    // it to two), and hosts of the same AS reached from them (G2). A relayed hop (mix-up, COAT) is
    // not among them: its issuer is exactly what must not come back.
    let fired = false;
    if (names.param !== undefined) fired = !accepted(ctx, flow, names.param) && reportIssuer(ctx, flow, as1, names.param, 'iss');
    if (!fired && names.idToken !== undefined) fired = !accepted(ctx, flow, names.idToken) && reportIssuer(ctx, flow, as1, names.idToken, 'id_token');
    if (!fired && names.jarm !== undefined) fired = !accepted(ctx, flow, names.jarm) && reportIssuer(ctx, flow, as1, names.jarm, 'response');
    // RFC 9207 §2.4: iss parameter and ID token iss must agree
    if (names.param !== undefined && names.idToken !== undefined && names.param !== names.idToken) {
      ctx.report({
        severity: 'high',
        variant: 'param-vs-id-token',
        message: `The iss parameter (${names.param}) and the ID token's iss (${names.idToken}) of the same response differ.`,
        evidence: [ctx.evidence(msg.obs, 'iss', `iss=${names.param}; id_token iss=${names.idToken}`)],
      });
    }
    // RFC 9207 §2: iss must be an https URL without query or fragment
    if (names.param !== undefined) {
      if (issMalformed(names.param)) {
        ctx.report({
          severity: 'low',
          variant: 'iss-malformed',
          message: `The iss parameter ${names.param} is not an https URL without query and fragment (RFC 9207 §2).`,
          evidence: [ctx.evidence(msg.obs, 'iss', 'malformed issuer identifier')],
        });
      }
    }
  },
});
