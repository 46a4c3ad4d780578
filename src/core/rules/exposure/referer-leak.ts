import { header } from '../../observe/observation';
import { hashSecret } from '../../util/secret';
import { originOf, parseParams, parseUrl, siteOf } from '../../util/url';
import { defineRule } from '../types';
import { ref } from '../../report/standards';

/**
 * Per browsing context (the rule's context memo): the callback document now shown, i.e.
 * the last top-level navigation, when it was an authorization response with a code or token in its
 * URL that rendered a page (2xx). Cleared by the next top-level navigation of the context.
 */
interface CallbackPage {
  obsId: string;
  base: string;
  /** sites that hold the values already: the client's and the flow's authorization servers' */
  holders: string[];
  flowId: string | null;
}

/** the site of an authorization server's origin (undefined: no host), remembered: the same few come back on every callback */
function asSite(origin: string): string | undefined {
  let s = asSites.get(origin);
  if (s === undefined) {
    const h = parseUrl(origin)?.hostname;
    s = h ? siteOf(h) : null;
    if (asSites.size >= 256) asSites.clear();
    asSites.set(origin, s);
  }
  return s ?? undefined;
}
const asSites = new Map<string, string | null>();

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
    references: [ref('RFC9700', '4.2')],
    description:
      'A request to an origin other than the client and the flow\'s authorization servers carries a Referer whose URL contains a code, state or token of a flow (observed, high); or the callback page sets a Referrer-Policy that sends full URLs cross-origin (potential, medium).',
    tier: 1,
    on: 'any',
    // an 'other' message: a Referer carrying a secret, or a context whose callback page it remembers
    // (a script of that page; the page's next document forgets it)
    prefilter: { refererParams: SECRET_NAMES, contextMemo: true },
    // an OAuth message: a callback (its Referrer-Policy, the page it remembers), a navigation or
    // script of a context whose callback page it remembers, or a Referer from elsewhere with a secret
    needs: { kinds: ['authorization-response'], contextMemo: ['main_frame', 'script'], refererParams: SECRET_NAMES },
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { msg, store } = ctx;
    const o = msg.obs;
    // potential: the callback document itself asks for full-URL referrers
    if (msg.kind === 'authorization-response' && !ctx.replay) {
      // most callbacks set no Referrer-Policy: nothing to split then
      const policy = header(o.responseHeaders, 'referrer-policy')?.toLowerCase();
      const last = policy ? policy.split(',').map((s) => s.trim()).filter(Boolean).pop() : undefined;
      if (last === 'unsafe-url' || last === 'no-referrer-when-downgrade') {
        ctx.report({
          severity: 'medium',
          variant: 'potential',
          message: `The callback ${msg.url?.base} (with a code or token in its URL) sets Referrer-Policy: ${last}; every subresource or link to another origin receives the full URL.`,
          evidence: [ctx.evidence(o, 'Referrer-Policy', `Referrer-Policy: ${last}`)],
        });
      }
    }
    // potential, low (§4.2.4): a third-party script loaded by the callback document can read its URL
    if (o.type === 'main_frame') {
      const status = o.status ?? 200;
      const p = msg.params;
      if (msg.kind === 'authorization-response' && status >= 200 && status < 300 && msg.url && msg.responseMode !== 'form_post' && (p.has('code') || p.has('access_token') || p.has('id_token'))) {
        // distinct, in first-seen order (a flow has one or a few requests: no set)
        const holders = [siteOf(msg.url.hostname)];
        const reqs = ctx.flow?.requests;
        if (reqs) {
          for (let i = 0; i < reqs.length; i++) {
            const s = asSite(reqs[i].as.origin);
            if (s !== undefined && !holders.includes(s)) holders.push(s);
          }
        }
        // the callback document of each context (memo): its scripts can read its URL
        ctx.contextMemo.set({ obsId: o.id, base: msg.url.base, holders, flowId: ctx.flow?.id ?? null } satisfies CallbackPage);
      } else if (!ctx.replay) ctx.contextMemo.delete();
    } else if (o.type === 'script' && !ctx.replay) {
      const page = ctx.contextMemo.get<CallbackPage>();
      const host = page ? (msg.url?.hostname ?? parseUrl(o.url)?.hostname) : undefined;
      // loaded by the callback document itself (a third-party iframe's own scripts cannot read its location)
      const initiatorHost = page && o.initiator ? parseUrl(o.initiator)?.hostname : undefined;
      const byPage = initiatorHost === undefined || page?.holders.includes(siteOf(initiatorHost)) === true;
      if (page && host && byPage && !page.holders.includes(siteOf(host))) {
        ctx.report({
          severity: 'low',
          variant: 'third-party-script',
          fingerprint: `script:${page.obsId}`,
          flowId: page.flowId,
          message: `The callback page ${page.base}, whose URL carries a code or token, loads a script from another site (${originOf(o.url) ?? host}); every script on the page can read location.`,
          evidence: [ctx.evidence(o, undefined, `third-party script on the callback page ${page.base}`)],
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
