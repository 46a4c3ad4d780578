import { tryDecodeToken } from '../../tokens/decode';
import { assertionsIn } from '../../tokens/sources';
import { hashSecret } from '../../util/secret';
import { defineRule } from '../types';
import { ref } from '../../report/standards';


/** RFC 7523 §3, OIDC Core §9, RFC 10070 (was draft-ietf-oauth-rfc7523bis): the shape of a client assertion. */
export default defineRule({
  meta: {
    id: 'assertion-hygiene',
    title: 'Client assertion hygiene (iss/sub, jti, exp, lifetime, typ)',
    severity: 'low',
    confidence: 'strong',
    references: [ref('RFC7523', '3'), ref('OIDC-CORE', '9'), ref('RFC10070')],
    description:
      'A client assertion whose iss differs from sub, that lacks jti or exp, that lives over 5 minutes (low), whose jti was already used (replay, medium), or whose typ is not client-authentication+jwt (info).',
    tier: 2,
    on: ['par-request', 'client-auth-request', 'token-request'],
    vantage: ['DT', 'HAR'],
  },
  check(ctx) {
    const { msg } = ctx;
    if (ctx.replay) return;
    const ca = msg.params.get('client_assertion');
    if (!ca) return;
    const a = assertionsIn(msg).find((x) => x.param === 'client_assertion');
    if (!a) return;
    const r = tryDecodeToken(a.value);
    if (!r || !r.payload || typeof r.payload !== 'object') return;
    const p = r.payload;
    const at = msg.url?.base ?? '';
    const report = (variant: string, severity: 'info' | 'low' | 'medium', message: string) =>
      ctx.report({ severity, variant, message: `Client assertion sent to ${at}: ${message}`, evidence: [ctx.evidence(msg.obs, 'client_assertion', variant, a.value)] });
    if (p.iss !== p.sub) report('iss-not-sub', 'low', `iss ${JSON.stringify(p.iss ?? null)} differs from sub ${JSON.stringify(p.sub ?? null)} (RFC 7523 §3: both are the client_id).`);
    if (p.jti === undefined) report('no-jti', 'low', 'no jti: the AS cannot detect a replay.');
    if (p.exp === undefined) report('no-exp', 'low', 'no exp: the assertion never expires.');
    if (typeof p.exp === 'number' && typeof p.iat === 'number' && p.exp - p.iat > 300) {
      report('long-lived', 'low', `lives ${p.exp - p.iat} s (exp - iat), over 5 minutes.`);
    }
    if (typeof p.jti === 'string') {
      // the jti values seen (memo: bounded, saved), for the replay check
      const key = `jti|${hashSecret(String(p.iss))}|${hashSecret(p.jti)}`;
      const first = ctx.memo.get<string>(key);
      if (first !== undefined && first !== msg.obs.id) report('jti-replay', 'medium', `jti already used by an earlier assertion of ${String(p.iss)} (replay).`);
      else if (first === undefined) ctx.memo.set(key, msg.obs.id);
    }
    const typ = typeof r.header.typ === 'string' ? r.header.typ.toLowerCase() : undefined;
    if (typ !== 'client-authentication+jwt' && typ !== 'application/client-authentication+jwt') {
      report('typ', 'info', `typ is ${typ ? `"${typ}"` : 'absent'}, not "client-authentication+jwt" (RFC 10070).`);
    }
  },
});
