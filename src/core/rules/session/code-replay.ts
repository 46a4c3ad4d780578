import { hashSecret } from '../../util/secret';
import type { CodeDelivery } from '../../flows/store';
import { defineRule } from '../types';
import { ref } from '../../report/standards';

const SAME_DELIVERY_MS = 2000;

/** RFC 9700 §4.5, RFC 6749 §4.1.2: the same authorization code delivered twice. */
export default defineRule({
  meta: {
    id: 'code-replay',
    title: 'The same authorization code delivered twice',
    severity: 'high',
    confidence: 'strong',
    references: [ref('RFC9700', '4.5'), ref('RFC6749', '4.1.2')],
    description:
      'An authorization code appears in two authorization responses (any tab) that are not a reload or back/forward of the same URL; critical when the second delivery carries a different state (code injection into another flow).',
    tier: 1,
    on: ['authorization-response'],
    needs: { params: ['code'] },
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { msg, store } = ctx;
    if (ctx.replay) return;
    const code = msg.params.get('code');
    if (!code) return;
    // the usual callback delivers a code seen nowhere before (or only by this very delivery):
    // nothing is built for it
    const deliveries = store.codes.get(hashSecret(code));
    if (deliveries === undefined || deliveries.length === 0) return;
    const state = msg.params.get('state');
    const sh = state !== undefined ? hashSecret(state) : undefined;
    const base = msg.url?.base;
    // (G3, also across tabs for a duplicated or restored tab, is the engine's ctx.replay)
    // the first delivery other than this same document shown again (a reload within seconds)
    let first: CodeDelivery | undefined;
    for (let i = 0; i < deliveries.length && first === undefined; i++) {
      const d = deliveries[i];
      const sameDocument = d.base === base && d.stateHash === sh;
      if (!(d.context === msg.obs.context && sameDocument && msg.obs.time - d.time < SAME_DELIVERY_MS)) first = d;
    }
    if (first === undefined) return;
    const otherState = first.stateHash !== sh;
    ctx.report({
      severity: otherState ? 'critical' : 'high',
      variant: otherState ? 'different-state' : undefined,
      message: otherState
        ? `An authorization code first delivered${first.context !== msg.obs.context ? ' in another tab' : ''} with one state arrives again at ${base} with ${state === undefined ? 'no' : 'another'} state: the code is being injected into another flow.`
        : `The authorization code delivered ${Math.round((msg.obs.time - first.time) / 1000)} s earlier at ${first.base} arrives again at ${base}.`,
      evidence: [{ ...first.ref, url: first.url, param: 'code', note: 'first delivery' }, ctx.evidence(msg.obs, 'code', 'delivered again', code)],
    });
  },
});
