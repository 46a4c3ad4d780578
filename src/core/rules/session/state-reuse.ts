import { hashSecret } from '../../util/secret';
import type { FlowRequest } from '../../flows/flow';
import { defineRule, type RuleContext } from '../types';
import { ref } from '../../report/standards';

const RETRY_MS = 5000;

/**
 * The first request of a new flow (another tab, or the same tab after the earlier flow expired)
 * whose state an earlier flow of the same client already used: the flow store keys flows by
 * tab, so reuse across flows is only visible through the state index.
 */
function checkEarlierFlows(c: RuleContext, first: FlowRequest): void {
  const mine = c.flow!;
  // the latest earlier flow of the same client with this state (no array built: most states are new)
  const withState = c.store.flowsWithState(mine.state!.hash);
  let prevFlow: (typeof withState)[number] | undefined;
  for (let i = withState.length - 1; i >= 0 && prevFlow === undefined; i--) {
    const f = withState[i];
    if (f.id !== mine.id && f.t0 <= mine.t0 && f.requests.length > 0 && (!f.client || !mine.client || f.client === mine.client)) prevFlow = f;
  }
  if (!prevFlow) return;
  const prev = prevFlow.requests[prevFlow.requests.length - 1];
  if (prev.url === first.url) return; // the identical URL again: a duplicated tab or a retry (G3)
  if (first.from && prevFlow.requests.some((r) => r.as.origin === first.from)) return; // relayed by that flow's AS
  const answered = prevFlow.responses.length > 0;
  if (first.time - prev.time <= RETRY_MS && !answered) return; // double click opening two tabs
  const where = prevFlow.context !== mine.context ? ' in another tab' : '';
  c.report({
    message: `State already used${where} for the request to ${prev.as.origin}${answered ? ', which was answered,' : ''} ${Math.round((first.time - prev.time) / 1000)} s earlier is sent again to ${first.as.origin} in a new flow, started by ${first.from ?? 'the user'}: the state is not one-time.`,
    evidence: [{ ...prev.ref, url: prev.url, param: 'state', note: 'first use' }, c.evidence(c.msg.obs, 'state', 'used again')],
  });
}

/** RFC 9700 §2.1 ("one-time use CSRF tokens"), §4.2.4. */
export default defineRule({
  meta: {
    id: 'state-reuse',
    title: 'The same state used for more than one flow',
    severity: 'medium',
    confidence: 'strong',
    references: [ref('RFC9700', '2.1'), ref('RFC9700', '4.2.4')],
    description:
      'The same state appears in two authorization requests of the client that are separate flows (more than 5 seconds apart, or after a response for that state), not reached from an AS and not a retry of the identical URL; or a second authorization response with that state arrives at the callback.',
    tier: 1,
    on: ['authorization-request', 'authorization-response'],
    needs: { params: ['state'] },
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { msg, flow } = ctx;
    if (!flow) return;
    const state = msg.params.get('state');
    if (!state || flow.state?.hash !== hashSecret(state)) return;
    if (msg.kind === 'authorization-request') {
      if (ctx.replay || !msg.paramsKnown) return;
      const cur = flow.requests[flow.requests.length - 1];
      if (!cur || cur.obsId !== msg.obs.id) return;
      if (flow.requests.length < 2) {
        checkEarlierFlows(ctx, cur);
        return;
      }
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
    if (ctx.replay) return;
    const cur = flow.responses[flow.responses.length - 1];
    if (!cur || cur.obsId !== msg.obs.id) return;
    if (!(cur.code || cur.hasToken)) return;
    let earlier: (typeof flow.responses)[number] | undefined;
    for (let i = 0; i < flow.responses.length - 1 && earlier === undefined; i++) {
      const r = flow.responses[i];
      if ((r.code || r.hasToken) && r.code?.hash !== cur.code?.hash) earlier = r;
    }
    if (earlier === undefined) return;
    ctx.report({
      variant: 'accepted-twice',
      message: `A second authorization response with the same state reached ${msg.url?.base}; a client that accepts it treats the state as reusable.`,
      evidence: [{ ...earlier.ref, url: earlier.url, param: 'state', note: 'first response' }, ctx.evidence(msg.obs, 'state', 'second response')],
    });
  },
});
