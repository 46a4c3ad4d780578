/**
 * Authorization response → the flow it answers (§0.3 linking), or undefined (unsolicited). The
 * correlators, in order:
 * 1. exact state (this context first, then any context: popups);
 * 2. PAR/JAR: the first response reached from an opaque flow's AS in this context's chain adopts
 *    it and its state;
 * 3. no state: a flow of this context whose redirect_uri (the one any of its requests sent: an AS
 *    that relayed a stateless flow's challenge names its own) prefix-matches, and which either sent
 *    no state itself or whose AS chain led here (the AS dropped the state). Only the tab, the
 *    redirect_uri and timing bind such a callback: the response records it (boundBy) and rules
 *    lower their confidence one step.
 * Token requests join the flow their code was delivered to, else (DT/HAR) the flow whose
 * code_challenge is the S256 (or plain) of their code_verifier.
 */
import type { OAuthMessage } from '../../classify/message';
import { hashSecret } from '../../util/secret';
import { stripFragment } from '../../util/url';
import { pkceS256 } from '../../util/sha256';
import type { Flow, ResponseBinding } from '../flow';
import { prefixMatch } from '../keys';
import type { PreviousHop } from '../navigation';
import type { FlowStore } from '../store';
import { ResponseRecord, StepRecord } from '../records';

export interface ResponseCorrelator {
  key: ResponseBinding;
  find(msg: OAuthMessage, from: PreviousHop, s: FlowStore, open: () => Flow[]): Flow | undefined;
}

const asOrigins = (f: Flow) => new Set(f.requests.map((r) => r.as.origin));

const byState: ResponseCorrelator = {
  key: 'state',
  find(msg, _from, s) {
    const state = msg.params.get('state');
    if (state === undefined) return undefined;
    const o = msg.obs;
    // the latest open flow with this state, this context's first (no arrays: read from the newest back)
    return s.table.lastBy('state', hashSecret(state), (f) => o.time - f.tLast <= s.ttlMs, (f) => f.context === o.context);
  },
};

const byParAdoption: ResponseCorrelator = {
  key: 'par',
  find(msg, from, s, open) {
    const o = msg.obs;
    const flow = open()
      .filter((f) => !f.paramsKnown && f.state === undefined && (from.via === 'none' || s.nav.chainReaches(o.context, from, asOrigins(f))))
      .pop();
    const state = msg.params.get('state');
    if (flow && state !== undefined) s.table.adoptState(flow, s.secret(state));
    return flow;
  },
};

const byRedirectUri: ResponseCorrelator = {
  key: 'redirect_uri',
  find(msg, from, s, open) {
    if (msg.params.get('state') !== undefined || !msg.url) return undefined;
    const base = msg.url.base;
    return open()
      .filter((f) => [f.redirectUri, ...f.requests.map((r) => r.redirectUri)].some((u) => u !== undefined && prefixMatch(u, base)))
      .filter((f) => f.state === undefined || s.nav.chainReaches(msg.obs.context, from, asOrigins(f)))
      .pop();
  },
};

export const RESPONSE_CORRELATORS: readonly ResponseCorrelator[] = [byState, byParAdoption, byRedirectUri];

export function attachAuthorizationResponse(s: FlowStore, msg: OAuthMessage, from: PreviousHop): Flow | undefined {
  const o = msg.obs;
  let open: Flow[] | undefined;
  const openFlows = () => (open ??= s.table.openIn(o.context, s.now).filter((f) => f.responses.length === 0));
  let flow: Flow | undefined;
  let boundBy: ResponseBinding | undefined;
  for (const c of RESPONSE_CORRELATORS) {
    flow = c.find(msg, from, s, openFlows);
    if (!flow) continue;
    boundBy = c.key;
    if (c.key !== 'state' && msg.url) s.table.fill(flow, { client: msg.url.origin, redirectUri: msg.url.base });
    break;
  }
  if (!flow) return undefined;
  const p = msg.params;
  const code = p.get('code');
  const url = s.redactUrl(o.url);
  s.table.appendResponse(
    flow,
    new ResponseRecord(
      o.ref,
      o.id,
      o.time,
      url,
      msg.url?.base ?? stripFragment(o.url),
      msg.responseMode ?? 'query',
      code !== undefined ? s.secret(code) : undefined,
      p.has('access_token') || p.has('id_token'),
      p.get('iss'),
      p.get('error'),
      boundBy,
    ),
  );
  s.table.appendStep(flow, new StepRecord(o.ref, o.id, o.time, msg.kind, url));
  return flow;
}

/**
 * Token request (and other back-channel messages with a code) → the flow its code was delivered
 * to; else the flow whose code_challenge its code_verifier answers (S256, or plain), the latest
 * open one, this context's first: a stateless flow whose callback the capture does not show.
 */
export function attachByCode(s: FlowStore, msg: OAuthMessage): Flow | undefined {
  const code = msg.params.get('code');
  const id = code ? s.ledger.flowIdForCode(hashSecret(code)) : undefined;
  const flow = (id ? s.table.get(id) : undefined) ?? byVerifier(s, msg);
  if (flow) s.table.appendStep(flow, new StepRecord(msg.obs.ref, msg.obs.id, msg.obs.time, msg.kind, s.redactUrl(msg.obs.url)));
  return flow;
}

function byVerifier(s: FlowStore, msg: OAuthMessage): Flow | undefined {
  const verifier = msg.params.get('code_verifier');
  if (!verifier) return undefined;
  const o = msg.obs;
  const s256 = pkceS256(verifier);
  const candidates = [...s.table.by('challenge', s256), ...s.table.by('challenge', verifier).filter((f) => f.codeChallengeMethod?.toLowerCase() !== 's256')]
    .filter((f) => o.time - f.tLast <= s.ttlMs)
    .sort((a, b) => a.tLast - b.tLast);
  return candidates.filter((f) => f.context === o.context).pop() ?? candidates.pop();
}
