/**
 * The key that binds a flow's requests and responses together (§0.3), as the group A rules name
 * it: the state, else (a stateless client: Auth.js, the MCP SDK, many passport setups) the PKCE
 * code_challenge, else the nonce; and how its callback was linked. Rules say "the <key> first sent
 * to AS1 reappeared at AS2" with it instead of assuming a state. Pure; not a rule.
 */
import type { RequestBinding } from '../../flows/flow';
import type { Frozen } from '../../flows/view';
import type { FlowRequest, FlowResponse } from '../../flows/flow';
import type { FlowView } from '../../flows/view';
import type { Confidence } from '../../report/finding';
import type { RuleContext } from '../types';

export interface Binding {
  /** the parameter that carries the key (for evidence) */
  param: RequestBinding;
  /** "state", "PKCE code_challenge", "nonce" */
  what: string;
  /** the same, capitalised to start a sentence */
  What: string;
  /** strong, or heuristic when only the nonce binds (a nonce is sent only by OIDC flows and less often checked) */
  confidence: Confidence;
}

const BINDINGS: Record<RequestBinding, Binding> = {
  state: { param: 'state', what: 'state', What: 'State', confidence: 'strong' },
  code_challenge: { param: 'code_challenge', what: 'PKCE code_challenge', What: 'The PKCE code_challenge', confidence: 'strong' },
  nonce: { param: 'nonce', what: 'nonce', What: 'The nonce', confidence: 'heuristic' },
};

/**
 * The key of a flow: the one that joined `joined` (a later request) to it when given and known,
 * else the flow's state, else its code_challenge, else its nonce (state when it has none of them).
 */
export function flowBinding(flow: FlowView, joined?: Frozen<FlowRequest>): Binding {
  if (joined?.boundBy) return BINDINGS[joined.boundBy];
  if (flow.state) return BINDINGS.state;
  // the key that joined the flow's later requests (a stateless flow joined by nonce stays heuristic)
  const later = flow.requests.slice(1).find((r) => r.boundBy !== undefined)?.boundBy;
  if (later) return BINDINGS[later];
  if (flow.codeChallenge) return BINDINGS.code_challenge;
  if (flow.nonce) return BINDINGS.nonce;
  return BINDINGS.state;
}

/** The flow's record of this response (the one the message was attached as). */
export function currentResponse(ctx: RuleContext): Frozen<FlowResponse> | undefined {
  return ctx.flow?.responses.find((r) => r.obsId === ctx.msg.obs.id);
}

/**
 * Was this response (or the response that delivered a code) linked to its flow only by
 * redirect_uri prefix and timing in its tab, with no state to match? Rules on such a callback
 * lower their confidence one step (§0.3).
 */
export function boundByTimingOnly(r: Frozen<FlowResponse> | undefined): boolean {
  return r?.boundBy === 'redirect_uri';
}

/** One step lower confidence when `weaker` holds (strong → heuristic). */
export function lowered(confidence: Confidence, weaker: boolean): Confidence {
  return weaker ? 'heuristic' : confidence;
}
