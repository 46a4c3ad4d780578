import { ruleToken, type TokenReport } from '../../tokens/decode';
import { assertionsIn } from '../../tokens/sources';
import { hashSecret } from '../../util/secret';
import type { TokenDraft } from '../support/token-place';
import { defineRule } from '../types';
import { ref } from '../../report/standards';

/**
 * The shape of one client assertion sent to `at` (also the token view's, tokens/warnings.ts); the
 * jti replay check needs the engine's memory and stays in the rule.
 */
export function assertionShapeDrafts(r: TokenReport, at: string): TokenDraft[] {
  const p = r.payload;
  if (!p || typeof p !== 'object') return [];
  const out: TokenDraft[] = [];
  const add = (variant: string, severity: 'info' | 'low' | 'medium', data: Record<string, unknown> = {}) => out.push({ severity, variant, messageId: variant, data: { at, ...data } });
  if (p.aud === undefined) add('no-aud', 'medium');
  if (p.iss !== p.sub) add('iss-not-sub', 'low', { iss: JSON.stringify(p.iss ?? null), sub: JSON.stringify(p.sub ?? null) });
  if (p.jti === undefined) add('no-jti', 'low');
  if (p.exp === undefined) add('no-exp', 'low');
  if (typeof p.exp === 'number' && typeof p.iat === 'number' && p.exp - p.iat > 300) add('long-lived', 'low', { life: p.exp - p.iat });
  const typ = typeof r.header.typ === 'string' ? r.header.typ.toLowerCase() : undefined;
  if (typ !== 'client-authentication+jwt' && typ !== 'application/client-authentication+jwt') add('typ', 'info', { typ: typ ? `"${typ}"` : 'absent' });
  return out;
}

/** RFC 7523 §3, OIDC Core §9, RFC 10070 (was draft-ietf-oauth-rfc7523bis): the shape of a client assertion. */
export default defineRule({
  meta: {
    id: 'assertion-hygiene',
    title: 'Client assertion hygiene (iss/sub, jti, exp, lifetime, typ)',
    severity: 'low',
    confidence: 'strong',
    references: [ref('RFC7523', '3'), ref('OIDC-CORE', '9'), ref('RFC10070')],
    description:
      'A client assertion without aud (medium: RFC 7523 §3 requires it; nothing ties it to one AS), whose iss differs from sub, that lacks jti or exp, that lives over 5 minutes (low), whose jti was already used (replay, medium), or whose typ is not client-authentication+jwt (info).',
    tier: 2,
    on: ['par-request', 'client-auth-request', 'token-request'],
    needs: { params: ['client_assertion'] },
    vantage: ['DT', 'HAR'],
    messages: {
      'no-aud': 'Client assertion sent to {at}: no aud (RFC 7523 §3 requires one naming the authorization server); any AS that accepts it can be handed it.',
      'iss-not-sub': 'Client assertion sent to {at}: iss {iss} differs from sub {sub} (RFC 7523 §3: both are the client_id).',
      'no-jti': 'Client assertion sent to {at}: no jti: the AS cannot detect a replay.',
      'no-exp': 'Client assertion sent to {at}: no exp: the assertion never expires.',
      'long-lived': 'Client assertion sent to {at}: lives {life} s (exp - iat), over 5 minutes.',
      'jti-replay': 'Client assertion sent to {at}: jti already used by an earlier assertion of {iss} (replay).',
      typ: 'Client assertion sent to {at}: typ is {typ}, not "client-authentication+jwt" (RFC 10070).',
    },
  },
  check(ctx) {
    const { msg } = ctx;
    if (ctx.replay) return;
    const ca = msg.params.get('client_assertion');
    if (!ca) return;
    const a = assertionsIn(msg).find((x) => x.param === 'client_assertion');
    if (!a) return;
    const r = ruleToken(a.value);
    if (!r || !r.payload || typeof r.payload !== 'object') return;
    const p = r.payload;
    const at = msg.url?.base ?? '';
    const evidence = (variant: string) => [ctx.evidence(msg.obs, 'client_assertion', variant, a.value)];
    const drafts = assertionShapeDrafts(r, at);
    if (typeof p.jti === 'string') {
      // the jti values seen (memo: bounded, saved), for the replay check
      const key = `jti|${hashSecret(String(p.iss))}|${hashSecret(p.jti)}`;
      const first = ctx.memo.get<string>(key);
      if (first !== undefined && first !== msg.obs.id) drafts.push({ severity: 'medium', variant: 'jti-replay', messageId: 'jti-replay', data: { at, iss: String(p.iss) } });
      else if (first === undefined) ctx.memo.set(key, msg.obs.id);
    }
    // in the order of old: the shape, the replay, the typ
    drafts.sort((x, y) => Number(x.variant === 'typ') - Number(y.variant === 'typ'));
    for (const d of drafts) ctx.report({ ...d, evidence: evidence(d.variant!) });
  },
});
