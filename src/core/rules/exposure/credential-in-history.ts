import { header } from '../../observe/observation';
import type { Evidence } from '../../report/finding';
import { ref } from '../../report/standards';
import { hashSecret } from '../../util/secret';
import { parseParams } from '../../util/url';
import { DELIVERED as NAMES, DELIVERED_LABEL as LABEL, type DeliveredName as Name } from '../support/delivered';
import { defineRule } from '../types';

/** how long a client may take to clean the URL (detectors.md: 5 s after the authorization response) */
const GRACE_MS = 5000;
/** the callback document stops being judged after this long: an hour-old tab is another visit */
const WATCH_MS = 60 * 60 * 1000;

/**
 * Per browsing context (the rule's context memo, saved with the context: hashes and a redacted URL
 * only): the callback document now shown, rendered (2xx) with a code or token in its query.
 */
interface CallbackDocument {
  base: string;
  time: number;
  values: [Name, string][];
  response: Evidence;
  flowId: string | null;
}

/**
 * RFC 9700 §4.3.1: the authorization code (or a token) stays in the browser history when the
 * callback document keeps it in its URL. Seen without history events: a request the callback
 * document sends 5 s or more after the response, whose Referer is still that URL with the value.
 */
export default defineRule({
  meta: {
    id: 'credential-in-history',
    title: 'Code or token left in the callback URL (browser history)',
    severity: 'low',
    confidence: 'strong',
    references: [ref('RFC9700', '4.3.1'), ref('RFC9700', '4.3')],
    description:
      'The callback document rendered (no redirect) with an authorization code, access token or ID token in its query, and 5 s or more after the authorization response a request it sent still carries that URL, value included, in its Referer: the client did not redirect or call history.replaceState to remove the value, so it stays in the browser history (and in later Referers). Only what a Referer proves is judged: values in the fragment (never sent in a Referer), a page that sends nothing after 5 s, and a URL cleaned by history.replaceState are not reported.',
    tier: 2,
    on: 'any',
    // an 'other' message: a request of a context whose callback document it remembers (its Referer decides)
    prefilter: { contextMemo: true },
    // an OAuth message: a callback (remembered), or any request of a context it remembers
    needs: { kinds: ['authorization-response'], contextMemo: ['main_frame', 'sub_frame', 'xhr', 'fetch', 'script', 'image', 'stylesheet', 'other'] },
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { msg } = ctx;
    const o = msg.obs;
    if (o.navigationOnly) return; // a commit repeats the request: nothing to learn, no Referer
    const doc = ctx.contextMemo.get<CallbackDocument>();
    if (doc) {
      const referer = o.time - doc.time >= GRACE_MS ? header(o.requestHeaders, 'referer') : undefined;
      const name = referer ? stillCarried(referer, doc) : undefined;
      if (name) {
        const secondsLater = Math.round((o.time - doc.time) / 1000);
        ctx.report({
          fingerprint: doc.values.find(([n]) => n === name)?.[1] ?? name,
          flowId: doc.flowId,
          message: `${secondsLater} s after the authorization response, the callback document ${doc.base} still has the ${LABEL[name]} in its URL (a request it sent carries it in its Referer): it stays in the browser history, where anyone with access to the browser finds it, and in every later Referer. Redirect after handling the response, or remove the value with history.replaceState (RFC 9700 §4.3.1).`,
          evidence: [doc.response, ctx.evidence(o, 'Referer', `sent ${secondsLater} s after the response, from the callback URL with the ${LABEL[name]}`)],
        });
        ctx.contextMemo.delete();
      } else if (o.type === 'main_frame' || o.time - doc.time > WATCH_MS) ctx.contextMemo.delete(); // another document
      if (o.type !== 'main_frame' || msg.kind !== 'authorization-response') return;
    }
    if (msg.kind !== 'authorization-response' || o.type !== 'main_frame' || !msg.url || msg.responseMode === 'form_post' || ctx.replay) return;
    const status = o.status ?? 200;
    if (status < 200 || status >= 300) return; // a redirect takes the URL out of the history
    const values: [Name, string][] = [];
    for (const n of NAMES) {
      const v = msg.query.get(n);
      if (v) values.push([n, hashSecret(v)]);
    }
    if (values.length === 0) return;
    const first = values[0][0];
    ctx.contextMemo.set({
      base: msg.url.base,
      time: o.responseTime ?? o.time,
      values,
      response: ctx.evidence(o, first, `${LABEL[first]} in the query of the callback document (${status})`, msg.query.get(first)),
      flowId: ctx.flow?.id ?? null,
    } satisfies CallbackDocument);
  },
});

/** the name of a remembered value the Referer (the document's URL) still carries in its query */
function stillCarried(referer: string, doc: CallbackDocument): Name | undefined {
  const q = referer.indexOf('?');
  if (q < 0) return undefined;
  const params = parseParams(referer.slice(q + 1).split('#')[0]);
  for (const [n, h] of doc.values) {
    const v = params.get(n);
    if (v && hashSecret(v) === h) return n;
  }
  return undefined;
}
