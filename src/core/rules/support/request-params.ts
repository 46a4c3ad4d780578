/**
 * The parameters of an authorization request as the "missing-X" rules (pkce-missing,
 * nonce-missing, pkce-plain, state-missing) may judge them (§0.2): the visible ones, or for a PAR
 * request_uri the pushed body the flow store learnt from the PAR request (DT/HAR). Undefined
 * when the parameters are unknown (opaque PAR, JWE request object): those rules never fire then.
 * Pure; not a rule.
 */
import type { RuleContext } from '../types';

export type ParamGetter = (name: string) => string | undefined;

export function requestParams(ctx: RuleContext): ParamGetter | undefined {
  const { msg, flow } = ctx;
  if (msg.paramsKnown) {
    // six rules ask about each authorization request, one after the other: one getter per message
    if (msg !== lastMsg) {
      lastMsg = msg;
      lastGetter = (name) => msg.params.get(name);
    }
    return lastGetter;
  }
  if (!flow?.pushed || flow.requests[0]?.obsId !== msg.obs.id) return undefined;
  const pushed: Record<string, string | undefined> = {
    client_id: flow.clientId,
    redirect_uri: flow.redirectUri,
    response_type: flow.responseType,
    response_mode: flow.responseMode,
    scope: flow.scope,
    code_challenge: flow.codeChallenge,
    code_challenge_method: flow.codeChallengeMethod,
    // state and nonce are kept only as hashes: present or not is all these rules need
    state: flow.state ? (flow.state.length > 0 ? '(pushed)' : '') : undefined,
    nonce: flow.nonce ? (flow.nonce.length > 0 ? '(pushed)' : '') : undefined,
  };
  return (name) => pushed[name];
}
let lastMsg: RuleContext['msg'] | undefined;
let lastGetter: ParamGetter = () => undefined;
