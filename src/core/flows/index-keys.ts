/**
 * Which keys a flow has in each of the flow table's indexes (flow-table.ts): its own keys (state,
 * nonce, client_id, code_challenge, context), and its requests' keys (the AS origin of each, the
 * code_challenge of each after the first).
 */
import { parseUrl } from '../util/url';
import type { Flow, FlowRequest } from './flow';

export type Index = 'state' | 'nonce' | 'client' | 'challenge' | 'context';
export const INDEXES: readonly Index[] = ['state', 'nonce', 'client', 'challenge', 'context'];

export function indexKey(f: Flow, index: Index): string | undefined {
  switch (index) {
    case 'state':
      return f.state?.hash;
    case 'nonce':
      return f.nonce?.hash;
    case 'client':
      return f.clientId;
    case 'challenge':
      return f.codeChallenge;
    case 'context':
      return f.context;
  }
}

/**
 * Keys of a flow's requests, each request its own key (several per flow): the AS origin of every
 * request, and the code_challenge of every request after the first (the first's is the flow's
 * own, `codeChallenge`). Rules and correlation look flows up by them instead of scanning the table.
 */
export type RequestIndex = 'requestOrigin' | 'laterChallenge';

export function requestKeys(f: Flow, index: RequestIndex, from = 0): string[] {
  const out: string[] = [];
  for (let i = from; i < f.requests.length; i++) {
    const k = requestKey(f.requests[i], i, index);
    if (k !== undefined && !out.includes(k)) out.push(k);
  }
  return out;
}

/** (a restored flow may hold anything: a damaged request has no key) */
export function requestKey(r: FlowRequest | null | undefined, i: number, index: RequestIndex): string | undefined {
  if (!r || typeof r !== 'object') return undefined;
  if (index === 'requestOrigin') {
    const origin = (r.as as { origin?: unknown } | null | undefined)?.origin;
    return typeof origin === 'string' ? origin : undefined;
  }
  return i === 0 || typeof r.url !== 'string' ? undefined : parseUrl(r.url)?.query.get('code_challenge') || undefined;
}
export const REQUEST_INDEXES: readonly RequestIndex[] = ['requestOrigin', 'laterChallenge'];

/**
 * requestKeys(f, index) of a flow with one request (most flows: its AS origin, no later challenge),
 * without the array; ONE_OF_MANY when the flow has more requests (then requestKeys)
 */
export const ONE_OF_MANY = Symbol('several requests');
export function soleRequestKey(f: Flow, index: RequestIndex): string | undefined | typeof ONE_OF_MANY {
  return f.requests.length === 1 ? requestKey(f.requests[0], 0, index) : ONE_OF_MANY;
}
