import { hashSecret } from '../../util/secret';
import { defineRule, type FindingDraft } from '../types';
import { opaqueWeakness, otherCsrfProtection, stateShape } from '../support/state-analysis';
import { ref } from '../../report/standards';

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
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { msg, flow, store } = ctx;
    if (ctx.replay || !msg.paramsKnown) return;
    const state = msg.params.get('state');
    if (state === undefined || state === '') return;
    if (flow && flow.requests.length > 1 && flow.requests[flow.requests.length - 1].obsId === msg.obs.id) return; // judged at the first request
    const where = msg.url?.base ?? msg.obs.url;
    // evidence and the "other protection" test are built only when the rule reports (most states pass)
    const ev = () => [ctx.evidence(msg.obs, 'state', undefined, state)];
    const report = (d: Omit<FindingDraft, 'evidence'>) => {
      const evidence = ev();
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
    };
    const shape = stateShape(state);
    if (shape.kind === 'jwe') {
      ctx.report({ severity: 'info', variant: 'unassessable', message: `The state at ${where} is encrypted (JWE); its randomness cannot be assessed.`, evidence: ev() });
      return;
    }
    if (shape.kind === 'structured') {
      if (shape.randomFields.length === 0) {
        report({ variant: 'structured-no-random', message: `The state at ${where} is structured data (${shape.format}) with no nonce, jti or csrf field: fields ${Object.keys(shape.fields).slice(0, 6).join(', ')}.` });
        return;
      }
      const weak = shape.randomFields.map(([k, v]) => [k, opaqueWeakness(v)] as const).find(([, w]) => w !== undefined);
      if (weak) report({ variant: 'structured-weak-random', message: `The state at ${where} is structured (${shape.format}); its ${weak[0]} field is weak: ${weak[1]!.detail}.` });
      return;
    }
    const w = opaqueWeakness(state);
    if (w) {
      report({ variant: w.variant, message: `The state at ${where} is guessable: ${w.detail}.` });
      return;
    }
    // constant across flows: the same value in two or more earlier, separate flows (other tabs or > 30 min)
    const others = store.flowsWithState(hashSecret(state)).filter((f) => f.id !== flow?.id);
    if (others.length >= 2) {
      report({ variant: 'constant', message: `The same state value is used by ${others.length + 1} separate flows: it is a constant, not a per-request secret.` });
    }
  },
});
