import { hashSecret } from '../../util/secret';
import { defineRule, type FindingDraft, type RuleContext } from '../types';
import { opaqueWeakness, otherCsrfProtection, plainStrongState, stateShape } from '../support/state-analysis';
import { ref } from '../../report/standards';

const where = (ctx: RuleContext) => ctx.msg.url?.base ?? ctx.msg.obs.url;

function report(ctx: RuleContext, state: string, d: Omit<FindingDraft, 'evidence'>): void {
  const { msg } = ctx;
  const evidence = [ctx.evidence(msg.obs, 'state', undefined, state)];
  // RFC 9700 §2.1: PKCE S256 (or, in OpenID Connect, a strong nonce) in the same request's known
  // parameters (query, request object or PAR body) protects the callback too → low, heuristic
  const protection = otherCsrfProtection((n) => msg.params.get(n));
  ctx.report(
    protection && d.severity === undefined
      ? {
          ...d,
          severity: 'low',
          confidence: 'heuristic',
          message: `${d.message} The same request carries ${protection.what}, which protects the callback against CSRF (RFC 9700 §2.1): low.`,
          evidence: [...evidence, ctx.evidence(msg.obs, protection.param, `protects the flow: ${protection.what}`)],
        }
      : { ...d, evidence },
  );
}

/** RFC 6749 §10.12 / §10.10, RFC 9700 §4.7.1: the state must be non-guessable. */
export default defineRule({
  meta: {
    id: 'state-weak',
    title: 'Guessable or low-entropy state',
    severity: 'medium',
    confidence: 'heuristic',
    references: [ref('RFC6749', '10.12'), ref('RFC6749', '10.10'), ref('RFC9700', '4.7.1')],
    description:
      'The state of an authorization request is guessable: under 64 bits of estimated entropy, a placeholder or digits-only value, a path, URL, timestamp, email or wallet address, the same value across flows, or structured data whose random part is missing or weak. Low when the same request carries PKCE S256 or a nonce of at least 64 bits (RFC 9700 §2.1).',
    tier: 1,
    // a PAR body carries the state the opaque request_uri will stand for (DT/HAR, RFC 9126 §2.1)
    on: ['authorization-request', 'par-request'],
    needs: { params: ['state'] },
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { msg, flow, store } = ctx;
    if (ctx.replay || !msg.paramsKnown) return;
    const state = msg.params.get('state');
    if (state === undefined || state === '') return;
    if (flow && flow.requests.length > 1 && flow.requests[flow.requests.length - 1].obsId === msg.obs.id) return; // judged at the first request
    // the message, evidence and the "other protection" test are built only when the rule reports (most
    // states pass); a plain random base64url or hex state is proved strong in one pass
    if (!plainStrongState(state) && judgeShape(ctx, state)) return;
    // constant across flows: the same value in two or more earlier, separate flows (other tabs or > 30 min)
    let others = 0;
    for (const f of store.flowsWithState(hashSecret(state))) if (f.id !== flow?.id) others += 1;
    if (others >= 2) {
      report(ctx, state, { variant: 'constant', message: `The same state value is used by ${others + 1} separate flows: it is a constant, not a per-request secret.` });
    }
  },
});

/** The state's shape and signature (stateShape, opaqueWeakness): true when that decided (reported, or structured and strong). */
function judgeShape(ctx: RuleContext, state: string): boolean {
  const { msg } = ctx;
  const shape = stateShape(state);
  if (shape.kind === 'jwe') {
    ctx.report({ severity: 'info', variant: 'unassessable', message: `The state at ${where(ctx)} is encrypted (JWE); its randomness cannot be assessed.`, evidence: [ctx.evidence(msg.obs, 'state', undefined, state)] });
    return true;
  }
  if (shape.kind === 'structured') {
    if (shape.randomFields.length === 0) {
      report(ctx, state, { variant: 'structured-no-random', message: `The state at ${where(ctx)} is structured data (${shape.format}) with no nonce, jti or csrf field: fields ${Object.keys(shape.fields).slice(0, 6).join(', ')}.` });
      return true;
    }
    for (const [k, v] of shape.randomFields) {
      const w = opaqueWeakness(v);
      if (w === undefined) continue;
      report(ctx, state, { variant: 'structured-weak-random', message: `The state at ${where(ctx)} is structured (${shape.format}); its ${k} field is weak: ${w.detail}.` });
      return true;
    }
    return true;
  }
  const w = opaqueWeakness(state);
  if (w) {
    report(ctx, state, { variant: w.variant, message: `The state at ${where(ctx)} is guessable: ${w.detail}.` });
    return true;
  }
  return false;
}
