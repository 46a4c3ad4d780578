/**
 * The credential ledger: where each authorization code was delivered, each refresh token used,
 * and what each pushed authorization request (RFC 9126) stood for. Keyed by hashes of the values,
 * never the values. Journal keys `cred:code:<hash>`, `cred:rt:<hash>`, `cred:par:<hash>`.
 */
import type { OAuthMessage } from '../classify/message';
import type { SourceRef } from '../observe/observation';
import { hashSecret, type SecretRef } from '../util/secret';
import { isRecord, OrderedMap, type JournalBatch, type JournalEntries } from './journal';
import { dropFirst } from './lists';
import { emptyList } from './records';

const MAX_CODES = 2000;
const MAX_REFRESH_TOKENS = 2000;
const MAX_PAR = 500;
/** RFC 9126 §2.2: request_uri lifetimes are short (Keycloak 60 s, most ASes ≤ 10 min) */
export const PAR_TTL_MS = 10 * 60 * 1000;

export interface CodeDelivery {
  flowId?: string;
  ref: SourceRef;
  obsId: string;
  time: number;
  context: string;
  stateHash?: string;
  base: string;
  url: string;
  /** origin of the previous hop (who delivered it) */
  from?: string;
}

export interface RefreshUse {
  ref: SourceRef;
  time: number;
  /** time the response arrived, if known */
  responseTime?: number;
  status?: number;
  /** hash of the refresh token the response returned (rotation), if any */
  rotatedTo?: string;
  dpop: boolean;
  clientAuthenticated: boolean;
}

/** What a pushed authorization request (DT/HAR) told about the flow its request_uri will open. */
export interface PushedRequest {
  time: number;
  ref: SourceRef;
  clientId?: string;
  redirectUri?: string;
  state?: SecretRef;
  nonce?: SecretRef;
  responseType?: string;
  responseMode?: string;
  codeChallenge?: string;
  codeChallengeMethod?: string;
  scope?: string;
}

const isList = <T>(v: unknown): v is T[] => Array.isArray(v);
const isPushed = (v: unknown): v is PushedRequest => isRecord(v) && typeof v.time === 'number';

export class CredentialLedger {
  private codeMap = new OrderedMap<CodeDelivery[]>(MAX_CODES);
  private rtMap = new OrderedMap<RefreshUse[]>(MAX_REFRESH_TOKENS);
  private par = new OrderedMap<PushedRequest>(MAX_PAR);

  /** code hash → its deliveries */
  get codes(): ReadonlyMap<string, readonly CodeDelivery[]> {
    return this.codeMap.map;
  }

  /** refresh token hash → its uses */
  get refreshTokens(): ReadonlyMap<string, readonly RefreshUse[]> {
    return this.rtMap.map;
  }

  /** a delivery of `codeHash` (the URL already redacted); most recent code last */
  recordCode(codeHash: string, d: CodeDelivery): CodeDelivery[] {
    const list = this.codeMap.map.get(codeHash) ?? emptyList<CodeDelivery>();
    if (list.length < 20) list.push(d);
    this.codeMap.set(codeHash, list); // re-insert: most recent last (the cap drops the oldest)
    return list;
  }

  /** the flow the code was delivered to, if any */
  flowIdForCode(codeHash: string): string | undefined {
    return this.codeMap.map.get(codeHash)?.find((d) => d.flowId)?.flowId;
  }

  recordRefreshUse(hash: string, use: RefreshUse): RefreshUse[] {
    const list = this.rtMap.map.get(hash) ?? emptyList<RefreshUse>();
    list.push(use);
    if (list.length > 50) dropFirst(list, list.length - 50);
    this.rtMap.set(hash, list);
    return list;
  }

  /**
   * A PAR request with its 201 reply (DT/HAR): remember the parameters behind the request_uri so
   * the opaque authorization request that uses it gets its state, redirect_uri and client.
   */
  recordPushedRequest(msg: OAuthMessage, secret: (v: string) => SecretRef): void {
    const uri = msg.json?.request_uri;
    if (typeof uri !== 'string' || uri.length === 0) return;
    const p = msg.params;
    const state = p.get('state');
    const nonce = p.get('nonce');
    this.par.set(hashSecret(uri), {
      time: msg.obs.time,
      ref: msg.obs.ref,
      clientId: p.get('client_id'),
      redirectUri: p.get('redirect_uri'),
      state: state !== undefined ? secret(state) : undefined,
      nonce: nonce !== undefined ? secret(nonce) : undefined,
      responseType: p.get('response_type'),
      responseMode: p.get('response_mode'),
      codeChallenge: p.get('code_challenge'),
      codeChallengeMethod: p.get('code_challenge_method'),
      scope: p.get('scope'),
    });
  }

  /** the pushed request behind a request_uri, while it may still be used */
  pushedFor(requestUri: string, time: number): PushedRequest | undefined {
    const found = this.par.map.get(hashSecret(requestUri));
    return found && time - found.time <= PAR_TTL_MS ? found : undefined;
  }

  /** drop code deliveries older than `limit` and expired PAR records */
  sweep(limit: number, now: number): void {
    // (a Map visits every entry once while the one visited is deleted: no copy of 2 000 entries per sweep)
    for (const [h, list] of this.codeMap.map) if (list.every((d) => d.time < limit)) this.codeMap.delete(h);
    for (const [h, p] of this.par.map) if (p.time < now - PAR_TTL_MS) this.par.delete(h);
  }

  flush(batch: JournalBatch): void {
    this.codeMap.flush(batch, 'cred:code:');
    this.rtMap.flush(batch, 'cred:rt:');
    this.par.flush(batch, 'cred:par:');
  }

  /** never saved: changes are not tracked (Dirty.untrack) */
  untrack(): void {
    this.codeMap.untrack();
    this.rtMap.untrack();
    this.par.untrack();
  }

  markAll(): void {
    this.codeMap.markAll();
    this.rtMap.markAll();
    this.par.markAll();
  }

  restore(entries: JournalEntries): void {
    this.codeMap.restore(entries, 'cred:code:', isList<CodeDelivery>);
    this.rtMap.restore(entries, 'cred:rt:', isList<RefreshUse>);
    this.par.restore(entries, 'cred:par:', isPushed);
  }

  /** the old layout */
  load(part: { codes?: [string, CodeDelivery[]][]; refreshTokens?: [string, RefreshUse[]][]; pushed?: [string, PushedRequest][] }): void {
    for (const [k, v] of part.codes ?? []) if (isList<CodeDelivery>(v)) this.codeMap.set(k, v);
    for (const [k, v] of part.refreshTokens ?? []) if (isList<RefreshUse>(v)) this.rtMap.set(k, v);
    for (const [k, v] of part.pushed ?? []) if (isPushed(v)) this.par.set(k, v);
  }
}
