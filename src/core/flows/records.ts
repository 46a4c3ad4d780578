/**
 * The records the flow store keeps per message — a flow, its requests, responses and steps — built
 * by constructors, not object literals.
 *
 * Why: V8 tracks where each object literal (and array literal) is allocated, and once most of what a
 * site allocates survives a young-generation collection (a flow, its request and its steps live
 * until the flow expires or is evicted), it allocates that site's objects directly in the old
 * generation ("allocation-site pretenuring"). Every flow then dies there (evicted at the table's
 * cap, or with its engine), where only a full mark-compact frees it, and every young value stored in
 * it (a URL, an AS identity, a secret's record) goes through the old-to-new write barrier. On the
 * bench's OAuth messages (fresh engines, no rules) that cost ~10 % of the engine (GC 10.7 % → 2.2 %
 * and `newFlow` 4.6 % → 1.1 % self with `--no-allocation-site-pretenuring`). A constructor call has
 * no allocation site: its objects are born young, like every other short-lived object.
 *
 * The records have the same own properties, in the same order, as the literals they replace (JSON,
 * the journal and `toEqual` see the same objects); a flow restored from a saved state stays the
 * plain object JSON.parse made. Arrays are made by `listOf1`/`emptyList` for the same reason.
 */
import type { MessageKind } from '../classify/message';
import type { SourceRef } from '../observe/observation';
import type { SecretRef } from '../util/secret';
import type { McpFlowMark } from '../mcp/ledger';
import type { AsIdentity, Flow, FlowRequest, FlowResponse, FlowStep, IssuerSource, RequestBinding, ResponseBinding } from './flow';
import type { CodeDelivery, RefreshUse } from './credentials';
import type { Hop } from './navigation';
import type { RecentRequest } from './recent';

/** `[]` without an array literal's allocation site (see above) */
export function emptyList<T>(): T[] {
  return NO_ITEMS.slice() as T[];
}
/** `[x]` without an array literal's allocation site */
export function listOf1<T>(x: T): T[] {
  const a = NO_ITEMS.slice() as T[];
  a.push(x);
  return a;
}
/** `[a, b]` without an array literal's allocation site */
export function listOf2<T>(a: T, b: T): T[] {
  const l = listOf1(a);
  l.push(b);
  return l;
}
/** (never changed: only sliced) */
const NO_ITEMS: unknown[] = [];

export class StepRecord implements FlowStep {
  declare ref: SourceRef;
  declare obsId: string;
  declare time: number;
  declare kind: MessageKind;
  declare url: string;
  constructor(ref: SourceRef, obsId: string, time: number, kind: MessageKind, url: string) {
    this.ref = ref;
    this.obsId = obsId;
    this.time = time;
    this.kind = kind;
    this.url = url;
  }
}

export class RequestRecord implements FlowRequest {
  declare ref: SourceRef;
  declare obsId: string;
  declare time: number;
  declare url: string;
  declare as: AsIdentity;
  declare clientId: string | undefined;
  declare redirectUri: string | undefined;
  declare from: string | undefined;
  declare via: FlowRequest['via'];
  declare responseType: string | undefined;
  declare boundBy?: RequestBinding;
  constructor(
    ref: SourceRef,
    obsId: string,
    time: number,
    url: string,
    as: AsIdentity,
    clientId: string | undefined,
    redirectUri: string | undefined,
    from: string | undefined,
    via: FlowRequest['via'],
    responseType: string | undefined,
  ) {
    this.ref = ref;
    this.obsId = obsId;
    this.time = time;
    this.url = url;
    this.as = as;
    this.clientId = clientId;
    this.redirectUri = redirectUri;
    this.from = from;
    this.via = via;
    this.responseType = responseType;
  }
}

export class ResponseRecord implements FlowResponse {
  declare ref: SourceRef;
  declare obsId: string;
  declare time: number;
  declare url: string;
  declare base: string;
  declare mode: FlowResponse['mode'];
  declare code: SecretRef | undefined;
  declare hasToken: boolean;
  declare iss: string | undefined;
  declare error: string | undefined;
  declare boundBy: ResponseBinding | undefined;
  constructor(
    ref: SourceRef,
    obsId: string,
    time: number,
    url: string,
    base: string,
    mode: FlowResponse['mode'],
    code: SecretRef | undefined,
    hasToken: boolean,
    iss: string | undefined,
    error: string | undefined,
    boundBy: ResponseBinding | undefined,
  ) {
    this.ref = ref;
    this.obsId = obsId;
    this.time = time;
    this.url = url;
    this.base = base;
    this.mode = mode;
    this.code = code;
    this.hasToken = hasToken;
    this.iss = iss;
    this.error = error;
    this.boundBy = boundBy;
  }
}

/** a new flow (correlate/request.ts newFlow): every field of `Flow` in the order the literal had them */
export class FlowRecord implements Flow {
  declare id: string;
  declare context: string;
  declare t0: number;
  declare tLast: number;
  declare client: string | undefined;
  declare opener: string | undefined;
  declare as: AsIdentity;
  declare clientId: string | undefined;
  declare redirectUri: string | undefined;
  declare state: SecretRef | undefined;
  declare nonce: SecretRef | undefined;
  declare codeChallenge: string | undefined;
  declare codeChallengeMethod: string | undefined;
  declare responseType: string | undefined;
  declare responseMode: string | undefined;
  declare scope: string | undefined;
  declare paramsKnown: boolean;
  declare mcp: McpFlowMark | undefined;
  declare children: string[];
  declare requests: FlowRequest[];
  declare responses: FlowResponse[];
  declare steps: FlowStep[];
  declare pushed?: boolean;
  declare parent?: string;
  constructor(
    id: string,
    context: string,
    time: number,
    client: string | undefined,
    opener: string | undefined,
    request: FlowRequest,
    clientId: string | undefined,
    state: SecretRef | undefined,
    nonce: SecretRef | undefined,
    codeChallenge: string | undefined,
    codeChallengeMethod: string | undefined,
    responseMode: string | undefined,
    scope: string | undefined,
    paramsKnown: boolean,
    mcp: McpFlowMark | undefined,
    step: FlowStep,
  ) {
    this.id = id;
    this.context = context;
    this.t0 = time;
    this.tLast = time;
    this.client = client;
    this.opener = opener;
    this.as = request.as;
    this.clientId = clientId;
    this.redirectUri = request.redirectUri;
    this.state = state;
    this.nonce = nonce;
    this.codeChallenge = codeChallenge;
    this.codeChallengeMethod = codeChallengeMethod;
    this.responseType = request.responseType;
    this.responseMode = responseMode;
    this.scope = scope;
    this.paramsKnown = paramsKnown;
    this.mcp = mcp;
    this.children = emptyList();
    this.requests = listOf1(request);
    this.responses = emptyList();
    this.steps = listOf1(step);
  }
}

/** a code's delivery (learn.ts; credentials.ts CodeDelivery) */
export class CodeDeliveryRecord implements CodeDelivery {
  declare flowId: string | undefined;
  declare ref: SourceRef;
  declare obsId: string;
  declare time: number;
  declare context: string;
  declare stateHash: string | undefined;
  declare base: string;
  declare url: string;
  declare from: string | undefined;
  constructor(
    flowId: string | undefined,
    ref: SourceRef,
    obsId: string,
    time: number,
    context: string,
    stateHash: string | undefined,
    base: string,
    url: string,
    from: string | undefined,
  ) {
    this.flowId = flowId;
    this.ref = ref;
    this.obsId = obsId;
    this.time = time;
    this.context = context;
    this.stateHash = stateHash;
    this.base = base;
    this.url = url;
    this.from = from;
  }
}

/** a refresh token's use (learn.ts; credentials.ts RefreshUse) */
export class RefreshUseRecord implements RefreshUse {
  declare ref: SourceRef;
  declare time: number;
  declare responseTime: number | undefined;
  declare status: number | undefined;
  declare rotatedTo: string | undefined;
  declare dpop: boolean;
  declare clientAuthenticated: boolean;
  constructor(
    ref: SourceRef,
    time: number,
    responseTime: number | undefined,
    status: number | undefined,
    rotatedTo: string | undefined,
    dpop: boolean,
    clientAuthenticated: boolean,
  ) {
    this.ref = ref;
    this.time = time;
    this.responseTime = responseTime;
    this.status = status;
    this.rotatedTo = rotatedTo;
    this.dpop = dpop;
    this.clientAuthenticated = clientAuthenticated;
  }
}

/** a navigation hop (navigation.ts recordHop) */
export class HopRecord implements Hop {
  declare obsId: string;
  declare time: number;
  declare key: string;
  declare origin: string;
  declare to: string | undefined;
  declare followed?: true;
  constructor(obsId: string, time: number, key: string, origin: string, to: string | undefined) {
    this.obsId = obsId;
    this.time = time;
    this.key = key;
    this.origin = origin;
    this.to = to;
  }
}

/** a request of a context's recent list (navigation.ts isReplay; recent.ts) */
export class RecentRecord implements RecentRequest {
  declare key: string;
  declare time: number;
  declare initiator: string | undefined;
  constructor(key: string, time: number, initiator: string | undefined) {
    this.key = key;
    this.time = time;
    this.initiator = initiator;
  }
}

/** an AS identity (as-directory.ts resolveAs): origin, issuer, source, endpoint, sendsIss, then what is added */
export class AsRecord implements AsIdentity {
  declare origin: string;
  declare issuer: string;
  declare source: IssuerSource;
  declare endpoint: string;
  declare sendsIss: boolean | undefined;
  declare issuerPattern?: string;
  declare issuerAliases?: readonly string[];
  declare ownScope?: string;
  declare provider?: string;
  constructor(origin: string, issuer: string, source: IssuerSource, endpoint: string, sendsIss: boolean | undefined) {
    this.origin = origin;
    this.issuer = issuer;
    this.source = source;
    this.endpoint = endpoint;
    this.sendsIss = sendsIss;
  }
}
