/**
 * #12: flows without state (§0.3). Requests join an open stateless flow of their tab by
 * code_challenge, then nonce; the callback joins by redirect_uri prefix and timing; a token request
 * by its code_verifier. Each binding is recorded on the flow (boundBy) for the rules.
 */
import { describe, expect, it } from 'vitest';
import { obs, post, q, rand, resetBuilders, run } from '../../testing/builders';
import { ATTACKER, HONEST, P, statelessAreq, statelessTransplant } from '../../testing/mixup-scenarios';
import { pkceS256 } from '../../util/sha256';

const flowsOf = (e: ReturnType<typeof run>['engine']) => [...e.store.table.values()];

describe('stateless correlation (#12)', () => {
  it('a request relaying the code_challenge joins the flow, and its callback and token request follow', () => {
    resetBuilders();
    const verifier = rand('verifier', 43);
    const C = pkceS256(verifier);
    const a1 = statelessAreq(ATTACKER, { client_id: 'a', redirect_uri: `${P}/cb/attacker-tool`, code_challenge: C });
    const a2 = statelessAreq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb/honest-tool`, code_challenge: C });
    const cb = `${P}/cb/honest-tool?${q({ code: rand('code') })}`;
    const { engine } = run([
      obs(a1, { location: a2, referer: `${P}/` }),
      obs(a2),
      obs(`${HONEST}/login`, { method: 'POST', form: { u: 'a' }, location: cb }),
      obs(cb),
      // a token request whose code the capture saw delivered, and one (another code) bound only by its verifier
      post(`${HONEST}/token`, { grant_type: 'authorization_code', code: rand('other-code'), code_verifier: verifier, client_id: 'h' }),
    ]);
    const flows = flowsOf(engine);
    expect(flows).toHaveLength(1);
    const f = flows[0];
    expect(f.requests.map((r) => r.boundBy)).toEqual([undefined, 'code_challenge']);
    expect(f.responses.map((r) => r.boundBy)).toEqual(['redirect_uri']);
    expect(f.steps.map((s) => s.kind)).toContain('token-request');
  });

  it('the nonce binds when there is no state and no challenge; differing challenges never join by nonce', () => {
    resetBuilders();
    const N = rand('nonce');
    const a = (as: string, cc?: string) => statelessAreq(as, { client_id: 'c', redirect_uri: `${P}/cb`, nonce: N, scope: 'openid', code_challenge: cc });
    let { engine } = run([obs(a(ATTACKER), { location: a(HONEST) }), obs(a(HONEST))]);
    expect(flowsOf(engine).map((f) => f.requests.map((r) => r.boundBy))).toEqual([[undefined, 'nonce']]);
    resetBuilders();
    ({ engine } = run([obs(a(ATTACKER, rand('c1', 43)), { location: a(HONEST, rand('c2', 43)) }), obs(a(HONEST, rand('c2', 43)))]));
    expect(flowsOf(engine)).toHaveLength(2);
  });

  it('a stateful flow is never joined by its challenge; a stateless request in another tab is never joined', () => {
    resetBuilders();
    const C = rand('cc', 43);
    const withState = `${ATTACKER}/authorize?${q({ response_type: 'code', client_id: 'a', redirect_uri: `${P}/cb`, state: rand('s'), code_challenge: C, code_challenge_method: 'S256' })}`;
    let { engine } = run([obs(withState, { referer: `${P}/` }), obs(statelessAreq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, code_challenge: C }), { referer: `${ATTACKER}/` })]);
    expect(flowsOf(engine)).toHaveLength(2);
    resetBuilders();
    ({ engine } = run([
      obs(statelessAreq(ATTACKER, { client_id: 'a', redirect_uri: `${P}/cb`, code_challenge: C }), { context: 'tab:1' }),
      obs(statelessAreq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, code_challenge: C }), { context: 'tab:2', referer: `${ATTACKER}/` }),
    ]));
    expect(flowsOf(engine)).toHaveLength(2);
  });

  it('two tabs each under a stateless COAT stay apart and both are caught', () => {
    resetBuilders();
    const { findings, engine } = run([...statelessTransplant({ context: 'tab:1', seed: 'one' }), ...statelessTransplant({ context: 'tab:2', seed: 'two' })]);
    expect(flowsOf(engine)).toHaveLength(2);
    const coat = findings.filter((f) => f.ruleId === 'coat-context-switch');
    expect(new Set(coat.map((f) => f.flowId)).size).toBe(2);
  });
});

describe('stateless correlation: answered flows (#12)', () => {
  it('a client that reuses its challenge for its next login starts a new flow, and that flow gets its callback', () => {
    resetBuilders();
    const C = rand('reused', 43);
    const a = statelessAreq(HONEST, { client_id: 'h', redirect_uri: `${P}/cb`, code_challenge: C });
    const cb = (n: string) => `${P}/cb?${q({ code: rand(n), iss: HONEST })}`;
    const { engine, findings } = run([
      obs(a, { referer: `${P}/` }),
      obs(`${HONEST}/login`, { method: 'POST', form: { u: 'a' }, location: cb('c1') }),
      obs(cb('c1')),
      obs(a, { referer: `${P}/`, at: 120 }),
      obs(`${HONEST}/login`, { method: 'POST', form: { u: 'a' }, location: cb('c2') }),
      obs(cb('c2')),
    ]);
    const flows = flowsOf(engine);
    expect(flows).toHaveLength(2);
    expect(flows.map((f) => f.responses.length)).toEqual([1, 1]);
    expect(findings.filter((f) => f.ruleId === 'unsolicited-callback')).toEqual([]);
  });
});
