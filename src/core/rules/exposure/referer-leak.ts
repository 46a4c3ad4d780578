import { header } from '../../observe/observation';
import { hashSecret } from '../../util/secret';
import { originOf, parseParams } from '../../util/url';
import { defineRule } from '../types';

const SECRET_NAMES = ['code', 'state', 'access_token', 'id_token', 'refresh_token'];
/** cheap pre-check on the raw Referer (names may be percent-encoded: then the full parse decides) */
const MAY_CARRY_SECRET = /[?#&](code|state|access_token|id_token|refresh_token)=|%/i;

/**
 * RFC 9700 §4.2: codes, states and tokens leaking to third parties through the Referer header.
 * Hot path: skipped unless flows exist and the request has a Referer with a query or fragment.
 */
export default defineRule({
  meta: {
    id: 'referer-leak',
    title: 'Code, state or token leaked to a third party in the Referer header',
    severity: 'high',
    confidence: 'strong',
    references: ['RFC 9700 §4.2'],
    description:
      'A request to an origin other than the client and the flow\'s authorization servers carries a Referer whose URL contains a code, state or token of a flow (observed, high); or the callback page sets a Referrer-Policy that sends full URLs cross-origin (potential, medium).',
    tier: 1,
    on: 'any',
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { msg, store } = ctx;
    const o = msg.obs;
    // potential: the callback document itself asks for full-URL referrers
    if (msg.kind === 'authorization-response' && !ctx.replay) {
      const policy = (header(o.responseHeaders, 'referrer-policy') ?? '').toLowerCase();
      const last = policy.split(',').map((s) => s.trim()).filter(Boolean).pop();
      if (last === 'unsafe-url' || last === 'no-referrer-when-downgrade') {
        ctx.report({
          severity: 'medium',
          variant: 'potential',
          message: `The callback ${msg.url?.base} (with a code or token in its URL) sets Referrer-Policy: ${last}; every subresource or link to another origin receives the full URL.`,
          evidence: [ctx.evidence(o, 'Referrer-Policy', `Referrer-Policy: ${last}`)],
        });
      }
    }
    if (store.flows.size === 0) return;
    const ref = header(o.requestHeaders, 'referer');
    if (!ref || (ref.indexOf('?') < 0 && ref.indexOf('#') < 0) || !MAY_CARRY_SECRET.test(ref)) return;
    const target = msg.url?.origin ?? originOf(o.url);
    const refOrigin = originOf(ref);
    if (!target || !refOrigin || target === refOrigin) return;
    const qi = ref.search(/[?#]/);
    const params = parseParams(ref.slice(qi + 1).replace('#', '&'));
    for (const name of SECRET_NAMES) {
      const v = params.get(name);
      if (!v) continue;
      const h = hashSecret(v);
      const flows = name === 'state' ? store.flowsWithState(h) : [];
      const codeFlows = name === 'code' ? (store.codes.get(h) ?? []).map((d) => (d.flowId ? store.flows.get(d.flowId) : undefined)) : [];
      const isToken = name === 'access_token' || name === 'id_token' || name === 'refresh_token';
      const flow = [...flows, ...codeFlows].find((f) => f !== undefined);
      if (!flow && !isToken) continue;
      if (flow) {
        const holders = new Set<string>([...(flow.client ? [flow.client] : []), ...flow.requests.map((r) => r.as.origin)]);
        if (holders.has(target)) continue; // they hold the value already
      }
      ctx.report({
        fingerprint: `${h}:${target}`,
        flowId: flow?.id ?? null,
        message: `A request to ${target} carried a Referer with the ${name} of ${flow ? `flow ${flow.id}` : 'an authorization response'} (${ctx.redactUrl(ref)}).`,
        evidence: [ctx.evidence(o, 'Referer', `${name} in the Referer sent to ${target}`, v)],
      });
      return;
    }
  },
});
