import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { MessageKind } from '../classify/message';
import type { SourceRef } from '../observe/observation';
import type { SecretRef } from '../util/secret';
import type { McpFlowMark } from '../mcp/ledger';
import type { AsIdentity, Flow, FlowRequest, FlowResponse, FlowStep, ResponseBinding } from './flow';
import { CodeDeliveryRecord, emptyList, FlowRecord, HopRecord, listOf1, listOf2, RecentRecord, RefreshUseRecord, RequestRecord, ResponseRecord, StepRecord } from './records';
import type { CodeDelivery, RefreshUse } from './credentials';
import type { Hop } from './navigation';
import type { RecentRequest } from './recent';

// The records replace object literals (records.ts says why): each must be the literal it replaces,
// own keys in the same order, the same JSON (the journal), the same values. The reference builders
// below are the literals of correlate/request.ts and correlate/response.ts before the change.

function oldRequest(
  ref: SourceRef, obsId: string, time: number, url: string, as: AsIdentity, clientId: string | undefined,
  redirectUri: string | undefined, from: string | undefined, via: FlowRequest['via'], responseType: string | undefined,
): FlowRequest {
  return { ref, obsId, time, url, as, clientId, redirectUri, from, via, responseType };
}

function oldStep(ref: SourceRef, obsId: string, time: number, kind: MessageKind, url: string): FlowStep {
  return { ref, obsId, time, kind, url };
}

function oldResponse(
  ref: SourceRef, obsId: string, time: number, url: string, base: string, mode: FlowResponse['mode'], code: SecretRef | undefined,
  hasToken: boolean, iss: string | undefined, error: string | undefined, boundBy: ResponseBinding | undefined,
): FlowResponse {
  return { ref, obsId, time, url, base, mode, code, hasToken, iss, error, boundBy };
}

function oldFlow(
  id: string, context: string, time: number, client: string | undefined, opener: string | undefined, request: FlowRequest,
  clientId: string | undefined, state: SecretRef | undefined, nonce: SecretRef | undefined, codeChallenge: string | undefined,
  codeChallengeMethod: string | undefined, responseMode: string | undefined, scope: string | undefined, paramsKnown: boolean,
  mcp: McpFlowMark | undefined, step: FlowStep,
): Flow {
  return {
    id, context, t0: time, tLast: time, client, opener, as: request.as, clientId, redirectUri: request.redirectUri, state, nonce,
    codeChallenge, codeChallengeMethod, responseType: request.responseType, responseMode, scope, paramsKnown, mcp,
    children: [], requests: [request], responses: [], steps: [step],
  };
}

const str = fc.option(fc.string({ maxLength: 12 }), { nil: undefined });
const ref = fc.record({ input: fc.nat(5), entry: fc.nat(1000) }) as fc.Arbitrary<SourceRef>;
const secret = fc.option(
  fc.record({ hash: fc.string({ minLength: 16, maxLength: 16 }), shown: fc.string(), length: fc.nat(99), alphabet: fc.nat(64) }),
  { nil: undefined },
) as fc.Arbitrary<SecretRef | undefined>;
const asId = fc.record(
  { origin: fc.string(), issuer: fc.string(), source: fc.constantFrom('metadata', 'id_token', 'provider', 'origin'), endpoint: fc.string(), sendsIss: fc.option(fc.boolean(), { nil: undefined }) },
  { requiredKeys: ['origin', 'issuer', 'source', 'endpoint'] },
) as fc.Arbitrary<AsIdentity>;
const via = fc.constantFrom(undefined, 'redirect', 'initiator', 'referer', 'client_redirect', 'none') as fc.Arbitrary<FlowRequest['via']>;
const kind = fc.constantFrom('authorization-request', 'authorization-response', 'token-request') as fc.Arbitrary<MessageKind>;

/** the same object as far as anyone can tell: keys in order, JSON, deep equality of a plain copy */
function same(a: object, b: object): void {
  expect(Object.keys(a)).toEqual(Object.keys(b));
  expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  expect({ ...a }).toStrictEqual({ ...b });
}

describe('records are the literals they replace', () => {
  it('requests and steps', () => {
    fc.assert(
      fc.property(ref, fc.string(), fc.integer(), fc.string(), asId, str, str, str, via, str, kind, (r, id, t, url, as, c, ru, from, v, rt, k) => {
        const args = [r, id, t, url, as, c, ru, from, v, rt] as const;
        same(new RequestRecord(...args), oldRequest(...args));
        same(new StepRecord(r, id, t, k, url), oldStep(r, id, t, k, url));
        // join() adds boundBy later: last, as on the literal
        const a = new RequestRecord(...args);
        const b = oldRequest(...args);
        a.boundBy = b.boundBy = 'nonce';
        same(a, b);
      }),
    );
  });

  it('responses', () => {
    const mode = fc.constantFrom('query', 'fragment', 'form_post') as fc.Arbitrary<FlowResponse['mode']>;
    const bound = fc.constantFrom(undefined, 'state', 'par', 'redirect_uri') as fc.Arbitrary<ResponseBinding | undefined>;
    fc.assert(
      fc.property(ref, fc.string(), fc.integer(), fc.string(), fc.string(), mode, secret, fc.boolean(), str, str, bound, (...args) => {
        same(new ResponseRecord(...args), oldResponse(...args));
      }),
    );
  });

  it('flows, with what newFlow adds later (pushed, parent) and what the table changes (children, steps)', () => {
    const mcp = fc.option(fc.record({ discovered: fc.boolean() }), { nil: undefined }) as unknown as fc.Arbitrary<McpFlowMark | undefined>;
    fc.assert(
      fc.property(
        fc.tuple(fc.string(), fc.string(), fc.integer(), str, str, asId, str, str, str),
        fc.tuple(secret, secret, str, str, str, str, fc.boolean(), mcp, kind),
        ([id, ctx, t, client, opener, as, clientId, ru, rt], [state, nonce, cc, ccm, rm, scope, known, m, k]) => {
          const req = oldRequest({ input: 0, entry: 1 }, 'o1', t, 'u', as, clientId, ru, opener, 'none', rt);
          const step = oldStep({ input: 0, entry: 1 }, 'o1', t, k, 'u');
          const args = [id, ctx, t, client, opener, req, clientId, state, nonce, cc, ccm, rm, scope, known, m, step] as const;
          const a: Flow = new FlowRecord(...args);
          const b = oldFlow(...args);
          same(a, b);
          for (const f of [a, b]) {
            f.pushed = true;
            f.parent = 'f0';
            f.children.push('f9');
            f.steps.push(step);
            f.tLast = t + 1;
          }
          same(a, b);
          expect(Array.isArray(a.children) && Array.isArray(a.requests) && Array.isArray(a.responses) && Array.isArray(a.steps)).toBe(true);
        },
      ),
    );
  });

  it('code deliveries, refresh token uses, hops and recent requests (learn.ts, navigation.ts)', () => {
    // the literals of learn.ts and navigation.ts before the change
    const oldCode = (
      flowId: string | undefined, ref: SourceRef, obsId: string, time: number, context: string, stateHash: string | undefined,
      base: string, url: string, from: string | undefined,
    ): CodeDelivery => ({ flowId, ref, obsId, time, context, stateHash, base, url, from });
    const oldRefresh = (
      ref: SourceRef, time: number, responseTime: number | undefined, status: number | undefined, rotatedTo: string | undefined,
      dpop: boolean, clientAuthenticated: boolean,
    ): RefreshUse => ({ ref, time, responseTime, status, rotatedTo, dpop, clientAuthenticated });
    const oldHop = (obsId: string, time: number, key: string, origin: string, to: string | undefined): Hop => ({ obsId, time, key, origin, to });
    const oldRecent = (key: string, time: number, initiator: string | undefined): RecentRequest => ({ key, time, initiator });
    const num = fc.option(fc.integer(), { nil: undefined });
    fc.assert(
      fc.property(
        fc.tuple(str, ref, fc.string(), fc.integer(), fc.string(), str, fc.string(), fc.string(), str),
        fc.tuple(ref, fc.integer(), num, num, str, fc.boolean(), fc.boolean()),
        fc.tuple(fc.string(), fc.integer(), fc.string(), fc.string(), str),
        (c, r, h) => {
          same(new CodeDeliveryRecord(...c), oldCode(...c));
          same(new RefreshUseRecord(...r), oldRefresh(...r));
          const a: Hop = new HopRecord(...h);
          const b = oldHop(...h);
          same(a, b);
          a.followed = b.followed = true;
          same(a, b);
          same(new RecentRecord(h[0], h[1], h[4]), oldRecent(h[0], h[1], h[4]));
        },
      ),
    );
  });

  it('the lists are new arrays each time, empty or of one', () => {
    const a = emptyList<string>();
    const b = emptyList<string>();
    a.push('x');
    expect(a).toEqual(['x']);
    expect(b).toEqual([]);
    expect(emptyList()).toEqual([]);
    const one = listOf1(3);
    one.push(4);
    expect(one).toEqual([3, 4]);
    expect(listOf1(5)).toEqual([5]);
    const two = listOf2('a', 'b');
    two.push('c');
    expect(two).toEqual(['a', 'b', 'c']);
    expect(listOf2('a', 'b')).toEqual(['a', 'b']);
  });
});
