import { hashSecret } from '../../util/secret';
import { defineRule } from '../types';

const RETRY_MS = 5000;

/** RFC 9700 §2.1 ("one-time use CSRF tokens"), §4.2.4. */
export default defineRule({
  meta: {
    id: 'state-reuse',
    title: 'The same state used for more than one flow',
    severity: 'medium',
    confidence: 'strong',
    references: ['RFC 9700 §2.1', 'RFC 9700 §4.2.4'],
    description:
      'The same state appears in two authorization requests of the client that are separate flows (more than 5 seconds apart, or after a response for that state), not reached from an AS and not a retry of the identical URL; or a second authorization response with that state arrives at the callback.',
    tier: 1,
    on: ['authorization-request', 'authorization-response'],
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { msg, flow } = ctx;
    if (ctx.replay || !flow) return;
    const state = msg.params.get('state');
    if (state === undefined || flow.state?.hash !== hashSecret(state)) return;
    if (msg.kind === 'authorization-request') {
      if (!msg.paramsKnown || flow.requests.length < 2) return;
      const cur = flow.requests[flow.requests.length - 1];
      if (cur.obsId !== msg.obs.id) return;
      // reached from an AS of this flow: a hop (mix-up/COAT rules judge those), not a new flow
      if (cur.from && flow.requests.slice(0, -1).some((r) => r.as.origin === cur.from)) return;
      const prev = flow.requests[flow.requests.length - 2];
      const answered = flow.responses.some((r) => r.time <= cur.time);
      if (cur.time - prev.time <= RETRY_MS && !answered) return; // double click / retry
      ctx.report({
        message: `State already used for the request to ${prev.as.origin}${answered ? ', which was answered,' : ''} is sent again to ${cur.as.origin} ${Math.round((cur.time - prev.time) / 1000)} s later, started by ${cur.from ?? 'the user'}: the state is not one-time.`,
        evidence: [{ ...prev.ref, url: prev.url, param: 'state', note: 'first use' }, ctx.evidence(msg.obs, 'state', 'used again')],
      });
      return;
    }
    // a second response with the same state at the callback (a different code or a new delivery)
    const cur = flow.responses[flow.responses.length - 1];
    const earlier = flow.responses.slice(0, -1).filter((r) => (r.code || r.hasToken) && r.code?.hash !== cur?.code?.hash);
    if (!cur || earlier.length === 0 || !(cur.code || cur.hasToken)) return;
    ctx.report({
      variant: 'accepted-twice',
      message: `A second authorization response with the same state reached ${msg.url?.base}; a client that accepts it treats the state as reusable.`,
      evidence: [{ ...earlier[0].ref, url: earlier[0].url, param: 'state', note: 'first response' }, ctx.evidence(msg.obs, 'state', 'second response')],
    });
  },
});
