import { ruleToken, type TokenReport } from '../../tokens/decode';
import { formatDuration, lifetimeCheck } from '../../tokens/findings';
import { jwtSources, okResponse } from '../../tokens/sources';
import type { TokenDraft } from '../support/token-place';
import { defineRule } from '../types';
import { ref } from '../../report/standards';

const LIMIT = 3600;

function seconds(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\d+$/.test(v.trim())) return Number(v);
  return undefined;
}

/** The verdict on a JWT access token's exp - iat (also the token view's, tokens/warnings.ts); `where` it was met. */
export function jwtLifetimeDraft(r: TokenReport, where: string): TokenDraft | undefined {
  const f = lifetimeCheck(r);
  return f && { variant: f.variant, messageId: 'jwt-exp', data: { ...f.data, where } };
}

/** RFC 9700 §4.10.2: access tokens should be short-lived. */
export default defineRule({
  meta: {
    id: 'token-lifetime-long',
    title: 'Long-lived access token (over 1 hour)',
    severity: 'low',
    confidence: 'strong',
    references: [ref('RFC9700', '4.10.2')],
    description:
      'A token response (or an implicit authorization response) with expires_in over 3600 seconds, or a JWT access token whose exp - iat exceeds one hour: a leaked token stays usable for longer.',
    tier: 1,
    on: ['token-request', 'authorization-response'],
    needs: { params: ['access_token'], json: ['access_token'] },
    vantage: ['DT', 'HAR', 'BG'],
    messages: {
      'expires-in': 'The {source} from {url} issues an access token for {life} (expires_in={expiresIn}), more than 1 hour.',
      'jwt-exp': 'The JWT access token lives {life} (exp - iat = {seconds} s), more than 1 hour ({where}).',
    },
  },
  check(ctx) {
    const { msg } = ctx;
    if (ctx.replay) return;
    let expiresIn: number | undefined;
    let source: 'token response' | 'authorization response' | undefined;
    if (msg.kind === 'token-request') {
      if (!msg.json || !okResponse(msg) || msg.json.access_token === undefined) return;
      expiresIn = seconds(msg.json.expires_in);
      source = 'token response';
    } else {
      if (!msg.params.has('access_token')) return;
      expiresIn = seconds(msg.params.get('expires_in'));
      source = 'authorization response';
    }
    if (expiresIn !== undefined && expiresIn > LIMIT) {
      ctx.report({
        variant: 'expires-in',
        messageId: 'expires-in',
        data: { source, url: msg.url?.base ?? '', life: formatDuration(expiresIn), expiresIn },
        evidence: [ctx.evidence(msg.obs, 'expires_in', `expires_in=${expiresIn}`)],
      });
      return;
    }
    const sources = jwtSources(msg);
    for (let i = 0; i < sources.length; i++) {
      const src = sources[i];
      if (src.use !== 'access_token') continue;
      const r = ruleToken(src.value, true); // a compact JWS (jwtSources)
      // the verdict first: the place's text only for a finding
      if (!r || !lifetimeCheck(r)) continue;
      const d = jwtLifetimeDraft(r, `${source} from ${msg.url?.base ?? ''}`);
      if (!d) continue;
      ctx.report({
        ...d,
        evidence: [ctx.evidence(msg.obs, src.param, 'exp - iat over 1 hour', src.value)],
      });
    }
  },
});
