/**
 * What rules (and the shells) may read of the flow store: queries only, by type. Rules cannot
 * write flow state; what they must remember goes to their own memo (RuleContext.memo).
 */
import type { AsDirectory, MetadataRecord } from './as-directory';
import type { CodeDelivery, RefreshUse } from './credentials';
import type { Flow, FlowRequest } from './flow';
import type { Hop, NavigationLog } from './navigation';
import type { ParsedUrl } from '../util/url';
import type { McpLedger } from '../mcp/ledger';
import type { AsIdentity } from './flow';

/** A flow as rules see it: nothing in it can be assigned or pushed to. */
export type FlowView = Frozen<Flow>;

export type Frozen<T> = T extends (infer U)[]
  ? readonly Frozen<U>[]
  : T extends object
    ? { readonly [K in keyof T]: Frozen<T[K]> }
    : T;

export interface ReadonlyFlows {
  get(id: string): FlowView | undefined;
  values(): IterableIterator<FlowView>;
  readonly size: number;
  /** flows any of whose authorization requests sent this code_challenge, oldest first (an index, not a scan) */
  withSentChallenge(challenge: string): FlowView[];
}

export interface StoreView {
  readonly flows: ReadonlyFlows;
  readonly metadata: ReadonlyMap<string, MetadataRecord>;
  readonly idTokenIssuer: ReadonlyMap<string, string>;
  readonly codes: ReadonlyMap<string, readonly CodeDelivery[]>;
  readonly refreshTokens: ReadonlyMap<string, readonly RefreshUse[]>;
  readonly hops: { get(context: string): readonly Hop[] | undefined };
  readonly contextStart: { get(context: string): number | undefined };
  readonly areqTimes: { get(context: string): readonly number[] | undefined };
  readonly captureStart: number | undefined;
  readonly evicted: number;
  readonly now: number;
  cookieHeadersSeenBefore(time: number): boolean;
  resolveAs(url: ParsedUrl, time?: number): AsIdentity;
  issuerMatches: AsDirectory['issuerMatches'];
  inOwnScope: AsDirectory['inOwnScope'];
  providerRow: AsDirectory['providerRow'];
  issSupport: AsDirectory['issSupport'];
  differentAs: AsDirectory['differentAs'];
  chainReaches: NavigationLog['chainReaches'];
  endpointKindFromMetadata: AsDirectory['endpointKindFromMetadata'];
  /** what the capture showed of MCP discovery and where credentials went (read-only) */
  readonly mcp: Pick<McpLedger, 'ctx' | 'discovered' | 'issuerOf' | 'credentials' | 'bearers' | 'namedResourceMetadata'>;
  flowsOfClient(clientId: string): FlowView[];
  flowsWithNonce(nonceHash: string): FlowView[];
  flowsWithState(stateHash: string): FlowView[];
  flowsWithChallenge(challenge: string): FlowView[];
  openFlowsIn(context: string): FlowView[];
  hasOpenFlowIn(context: string): boolean;
  clientIssued(flow: FlowView): readonly Frozen<FlowRequest>[];
  relayedBy(flow: FlowView, i: number): Frozen<FlowRequest> | undefined;
  isKnownAsOrigin(origin: string, context: string): boolean;
  redactUrl(u: string): string;
}
