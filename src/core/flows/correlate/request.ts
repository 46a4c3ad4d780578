/**
 * Authorization request → flow (§0.3): an ordered list of correlators finds the flow the request
 * continues: by state (the PAR body's state included); with no state, by code_challenge, then by
 * nonce, among the open stateless flows of the tab (Auth.js, the MCP SDK and many passport setups
 * send no state: an AS relaying the client's challenge is the same transplant as one relaying its
 * state). Without one, a new flow starts, filled from its PAR body and linked to its broker's flow
 * (G1). Each correlator is a small function; the first that finds a flow binds it, and the request
 * records which key did (FlowRequest.boundBy).
 */
import type { OAuthMessage } from '../../classify/message';
import type { SecretRef } from '../../util/secret';
import { originOf, parseUrl, siteOf, type ParsedUrl } from '../../util/url';
import type { Flow, FlowRequest, RequestBinding } from '../flow';
import type { PreviousHop } from '../navigation';
import type { PushedRequest } from '../credentials';
import type { FlowStore } from '../store';
import { pickRequestParams, type RequestParams } from './request-params';
import { FlowRecord, RequestRecord, StepRecord } from '../records';

export interface AttachResult {
  flow?: Flow;
  created: boolean;
  /** for an authorization request that joined an existing flow */
  joined: boolean;
  /** a G3 replay (identical URL again in the same context) */
  replay: boolean;
  /** which key bound the request to an existing flow */
  by?: RequestBinding;
}

/** What correlators see of the request being attached. */
export interface PendingRequest {
  msg: OAuthMessage;
  url: ParsedUrl;
  request: FlowRequest;
  /** hash of the state it carries (or its PAR body carried) */
  stateHash?: string;
  /** the code_challenge it carries (or its PAR body carried); not a secret */
  challenge?: string;
  /** hash of the nonce it carries (or its PAR body carried) */
  nonceHash?: string;
  pushed?: PushedRequest;
  /** the request's parameters the store reads (first values), picked once */
  params: RequestParams;
  /** its own state and nonce as a new flow keeps them (one lookup of each value: their hashes are these refs') */
  stateRef: SecretRef | undefined;
  nonceRef: SecretRef | undefined;
}

export interface RequestCorrelator {
  key: RequestBinding;
  find(p: PendingRequest, s: FlowStore): Flow | undefined;
}

/** §0.3: the latest open flow of this context with the same state */
const byState: RequestCorrelator = {
  key: 'state',
  find(p, s) {
    if (p.stateHash === undefined) return undefined;
    const o = p.msg.obs;
    return s.table.lastBy('state', p.stateHash, (f) => f.context === o.context && o.time - f.tLast <= s.ttlMs);
  },
};

/**
 * an open flow of this context (§0.3 expiry) that sent no state and is not answered yet: the only
 * kind the stateless keys join (a transaction in progress; a client that reuses its challenge for
 * its next login starts a new flow, whose callback then finds it)
 */
const openStateless = (p: PendingRequest, s: FlowStore) => (f: Flow) =>
  f.state === undefined && f.responses.length === 0 && f.context === p.msg.obs.context && p.msg.obs.time - f.tLast <= s.ttlMs;

/**
 * §0.3 stateless: the latest open stateless flow of this context with the same code_challenge. A
 * retry with a fresh challenge is a new flow; another tab's flow is never joined; a broker's own
 * upstream request (G1) carries its own challenge.
 */
const byChallenge: RequestCorrelator = {
  key: 'code_challenge',
  find(p, s) {
    if (p.stateHash !== undefined || !p.challenge) return undefined;
    return s.table.by('challenge', p.challenge).filter(openStateless(p, s)).pop();
  },
};

/** §0.3 stateless, last: the same nonce, unless both carry challenges that differ (a fresh challenge is a new transaction) */
const byNonce: RequestCorrelator = {
  key: 'nonce',
  find(p, s) {
    if (p.stateHash !== undefined || !p.nonceHash) return undefined;
    return s.table
      .by('nonce', p.nonceHash)
      .filter(openStateless(p, s))
      .filter((f) => !(p.challenge && f.codeChallenge && f.codeChallenge !== p.challenge))
      .pop();
  },
};

export const REQUEST_CORRELATORS: readonly RequestCorrelator[] = [byState, byChallenge, byNonce];

export function attachAuthorizationRequest(s: FlowStore, msg: OAuthMessage, from: PreviousHop, replay: boolean): AttachResult {
  const o = msg.obs;
  const url = msg.url!;
  const as = s.directory.resolveAs(url, o.time);
  const p = pickRequestParams(msg.params);
  const request: FlowRequest = new RequestRecord(
    o.ref,
    o.id,
    o.time,
    s.redactUrl(o.url),
    as,
    p.clientId,
    msg.paramsKnown ? p.redirectUri : undefined,
    from.origin,
    from.via,
    msg.paramsKnown ? p.responseType : undefined,
  );
  s.nav.countAuthorizationRequest(o.context, o.time);
  // PAR (RFC 9126): the pushed body behind this request_uri names state, redirect_uri, …
  const requestUri = msg.paramsKnown ? undefined : p.requestUri;
  const found = requestUri ? s.ledger.pushedFor(requestUri, o.time) : undefined;
  const pushed = found && (!found.clientId || !request.clientId || found.clientId === request.clientId) ? found : undefined;
  if (pushed) {
    request.redirectUri = pushed.redirectUri;
    request.responseType = pushed.responseType;
  }
  const known = msg.paramsKnown;
  const state = known ? p.state : undefined;
  const nonce = known ? p.nonce : undefined;
  const stateRef = state !== undefined ? s.secret(state) : undefined;
  const nonceRef = nonce !== undefined ? s.secret(nonce) : undefined;
  const pending: PendingRequest = {
    msg,
    url,
    request,
    stateHash: stateRef !== undefined ? stateRef.hash : pushed?.state?.hash,
    challenge: (known ? p.codeChallenge : pushed?.codeChallenge) || undefined,
    nonceHash: nonce ? nonceRef!.hash : known ? undefined : pushed?.nonce?.hash,
    pushed,
    params: p,
    stateRef,
    nonceRef,
  };

  for (const c of REQUEST_CORRELATORS) {
    const prior = c.find(pending, s);
    if (prior) return join(s, prior, pending, replay, c.key);
  }
  const flow = newFlow(s, pending, from);
  s.table.add(flow, s.now);
  return { flow, created: true, joined: false, replay };
}

function join(s: FlowStore, prior: Flow, { msg, url, request }: PendingRequest, replay: boolean, by: RequestBinding): AttachResult {
  const o = msg.obs;
  s.table.appendStep(prior, new StepRecord(o.ref, o.id, o.time, msg.kind, request.url));
  if (replay) return { flow: prior, created: false, joined: true, replay: true, by };
  // G2: the identical request (client_id, redirect_uri, state) moved to another host of the same
  // site at the same path is the same AS, whatever issuers the provider table or the origin guess
  // for the hosts; only observed metadata of both (§0.4 step 1) can tell two issuers apart there
  const last = prior.requests[prior.requests.length - 1];
  const lastUrl = last ? parseUrl(last.as.endpoint) : undefined;
  const as = request.as;
  if (
    last && lastUrl && msg.paramsKnown && !(last.as.source === 'metadata' && as.source === 'metadata') &&
    lastUrl.hostname !== url.hostname && lastUrl.pathname === url.pathname &&
    siteOf(lastUrl.hostname) === siteOf(url.hostname) && last.clientId === request.clientId && last.redirectUri === request.redirectUri
  ) {
    request.as = { ...last.as, origin: as.origin, endpoint: as.endpoint };
  }
  request.boundBy = by;
  s.table.appendRequest(prior, request);
  return { flow: prior, created: false, joined: true, replay: false, by };
}

function newFlow(s: FlowStore, { msg, request, pushed, params: p, stateRef, nonceRef }: PendingRequest, from: PreviousHop): Flow {
  const o = msg.obs;
  const known = msg.paramsKnown;
  const flow: Flow = new FlowRecord(
    s.table.newId(),
    o.context,
    o.time,
    originOf(request.redirectUri),
    from.origin,
    request,
    p.clientId,
    stateRef,
    nonceRef,
    known ? p.codeChallenge : undefined,
    known ? p.codeChallengeMethod : undefined,
    known ? p.responseMode : undefined,
    known ? p.scope : undefined,
    known,
    s.mcp.flowMark(o.context, request.as.endpoint, request.as.issuer, o.time, known ? p.resource : undefined),
    new StepRecord(o.ref, o.id, o.time, msg.kind, request.url),
  );
  if (pushed) {
    flow.pushed = true;
    flow.redirectUri = pushed.redirectUri;
    flow.client = originOf(pushed.redirectUri);
    flow.state = pushed.state;
    flow.nonce = pushed.nonce;
    flow.responseType = pushed.responseType;
    flow.responseMode = pushed.responseMode;
    flow.codeChallenge = pushed.codeChallenge;
    flow.codeChallengeMethod = pushed.codeChallengeMethod;
    flow.scope = pushed.scope;
    flow.clientId ??= pushed.clientId;
  }
  // G1: the redirect_uri is on a previous hop's AS origin (the broker's own callback) and the
  // state is fresh (a reused state joined above) → a brokered child flow of the broker's flow
  const ru = originOf(flow.redirectUri);
  if (ru && ru !== request.as.origin) {
    const parent = s.table.lastOpenWithRequestTo(o.context, s.now, ru);
    if (parent) flow.parent = parent.id;
  }
  return flow;
}
