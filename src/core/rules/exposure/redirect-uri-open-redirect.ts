import { parseParams, parseUrl, safeDecode } from '../../util/url';
import { defineRule } from '../types';
import { ref } from '../../report/standards';

const RETURN_NAMES = /^(redirect|redirect_to|redirect_uri|redirecturl|return|returnto|return_to|return_url|returnurl|next|url|continue|dest|destination|target|goto|r|u|success_url|callback|back)$/i;

/** Decoded candidate values of a redirect URI's own query, following nested encodings (depth 3). */
function nestedValues(query: string, depth = 0): { name: string; value: string }[] {
  if (depth > 3 || !query) return [];
  const out: { name: string; value: string }[] = [];
  for (const [name, value] of parseParams(query, 100).entries) {
    out.push({ name, value });
    const qi = value.indexOf('?');
    if (qi >= 0) out.push(...nestedValues(value.slice(qi + 1), depth + 1));
    if (/%[0-9a-f]{2}/i.test(value)) {
      const again = safeDecode(value);
      if (again !== value) out.push({ name, value: again });
    }
  }
  return out;
}

function foreignTarget(value: string, origin: string): string | undefined {
  const v = value.trim();
  if (/^\/[\\/]/.test(v)) return v; // //host or /\host: protocol-relative, another host
  if (!/^[a-z][a-z0-9+.-]*:/i.test(v)) return undefined; // relative path: same origin
  const u = parseUrl(v);
  if (!u) return undefined;
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
  return u.origin !== origin ? u.origin : undefined;
}

/** RFC 9700 §4.1.2, §4.11.1: a redirect URI that embeds another origin's URL in its own query. */
export default defineRule({
  meta: {
    id: 'redirect-uri-open-redirect',
    title: "Redirect URI carries another origin's URL in its query (open redirector)",
    severity: 'high',
    confidence: 'heuristic',
    references: [ref('RFC9700', '4.1.2'), ref('RFC9700', '4.11.1')],
    description:
      'The redirect_uri of an authorization request has a query parameter (including nested encodings) whose value is an absolute URL, //host or /\\host at another origin: if the callback follows it, codes and tokens flow to that origin.',
    tier: 1,
    on: ['authorization-request'],
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { msg } = ctx;
    if (ctx.replay || !msg.paramsKnown) return;
    const ru = msg.params.get('redirect_uri');
    // a redirect URI without a query nests nothing: not parsed
    const qi = ru ? ru.indexOf('?') : -1;
    if (!ru || qi < 0) return;
    const u = parseUrl(ru);
    if (!u) return;
    const qs = ru.slice(qi + 1).split('#')[0];
    for (const { name, value } of nestedValues(qs)) {
      const target = foreignTarget(value, u.origin);
      if (!target) continue;
      const token = /(^|\s)token(\s|$)/.test(msg.params.get('response_type') ?? '');
      ctx.report({
        severity: token ? 'critical' : 'high',
        confidence: RETURN_NAMES.test(name) ? 'strong' : 'heuristic',
        message:
          `redirect_uri ${ru} carries ${name}=${target} (another origin) in its own query.` +
          (token ? ' With a token response_type, the browser re-attaches the fragment to the next redirect: the token reaches that origin.' : ''),
        evidence: [ctx.evidence(msg.obs, 'redirect_uri', `${name} → ${target}`)],
      });
      return;
    }
  },
});
