import { defineRule } from '../types';
import { FLOOD_COUNT, FLOOD_WINDOW_MS } from '../../flows/store';
import { ref } from '../../report/standards';

/**
 * A flood of authorization requests from one tab or page (#11): 100 within a minute is no login a
 * person makes. Whoever shapes the traffic can use it to push the flows CoatCheck keeps out of its
 * memory before the callback that would show the attack; the flow table evicts the flooding
 * context's flows first (flows/eviction.ts), and this finding says that it happened.
 */
export default defineRule({
  meta: {
    id: 'authorization-request-flood',
    title: 'A flood of authorization requests from one tab',
    severity: 'info',
    confidence: 'heuristic',
    references: [ref('RFC9700', '4.4'), ref('RFC9700', '4.7')],
    description:
      'One tab or page sent 100 or more authorization requests within a minute. Either a client is looping, or someone is trying to make CoatCheck forget an earlier flow (and the attack in it) by filling its flow table; the flooding tab\'s own flows are evicted first.',
    tier: 2,
    on: ['authorization-request'],
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { msg } = ctx;
    const times = ctx.store.areqTimes.get(msg.obs.context);
    if (!times || times.length < FLOOD_COUNT) return;
    const span = times[times.length - 1] - times[times.length - FLOOD_COUNT];
    if (span > FLOOD_WINDOW_MS) return;
    ctx.report({
      flowId: null,
      fingerprint: `flood:${msg.obs.context}`,
      message: `${FLOOD_COUNT} authorization requests from this ${msg.obs.context.startsWith('tab:') ? 'tab' : 'page'} within ${Math.max(1, Math.round(span / 1000))} s (the latest to ${msg.url?.origin ?? 'an AS'}). CoatCheck keeps at most a bounded number of flows: a flood evicts the flooding tab's own flows first, never those of the tab with the newest activity${ctx.store.evicted ? `; ${ctx.store.evicted} flow(s) evicted so far` : ''}.`,
      evidence: [ctx.evidence(msg.obs, 'client_id', `authorization request number ${FLOOD_COUNT} within a minute`)],
    });
  },
});
