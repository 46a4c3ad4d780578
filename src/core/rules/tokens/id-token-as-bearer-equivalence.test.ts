/**
 * id-token-as-bearer against its check before the client index answered a token none of whose
 * audiences is a flow's client (2026-12-05; the old check copied below walked every flow on every
 * API call): random authorization requests of a few clients in two tabs, a small flow table that
 * evicts, and API calls with ID-token-like JWTs (audiences that are and are not clients, nonces,
 * typs) give the same findings, messages included.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../engine';
import { isNavigation } from '../../observe/observation';
import { obs, q } from '../../testing/builders';
import { ruleToken } from '../../tokens/decode';
import { authorizationJwt } from '../../tokens/sources';
import { hashSecret } from '../../util/secret';
import type { RuleContext } from '../types';
import rule from './id-token-as-bearer';

const AT_TYPES = new Set(['at+jwt', 'application/at+jwt']);

function oldCheck(ctx: RuleContext): void {
  const { msg } = ctx;
  const o = msg.obs;
  if (ctx.replay || isNavigation(o) || o.navigationOnly) return;
  const presented = authorizationJwt(o);
  if (!presented || presented.scheme !== 'bearer') return;
  const jwt = presented.jwt;
  const r = ruleToken(jwt, true);
  if (!r || r.kind === 'JWE' || !r.payload || typeof r.payload !== 'object') return;
  const typ = typeof r.header.typ === 'string' ? r.header.typ.toLowerCase() : '';
  if (AT_TYPES.has(typ)) return;
  const p = r.payload;
  const auds = typeof p.aud === 'string' ? [p.aud] : Array.isArray(p.aud) ? p.aud.filter((x): x is string => typeof x === 'string') : [];
  let clientAud: string | undefined;
  for (const f of ctx.store.flows.values()) {
    if (!f.clientId || !auds.includes(f.clientId)) continue;
    clientAud = f.clientId;
    if (f.context === o.context) break;
  }
  if (p.nonce === undefined && clientAud === undefined) return;
  ctx.report({
    // (the one finding per token of 2026-12-05 midday, given to both: what is compared here is how
    // the flows are looked up)
    fingerprint: `bearer:${hashSecret(jwt)}`,
    message: `A request to ${msg.url?.base ?? o.url} carries an ID token as its bearer token (${p.nonce !== undefined ? 'it has a nonce' : `its aud is the client_id ${clientAud}`}; typ ${typ ? `"${typ}"` : 'absent'}).`,
    evidence: [ctx.evidence(o, 'authorization', 'Bearer ID token', jwt)],
    flowId: null,
  });
}

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const CLIENTS = ['c1', 'c2', 'c3'];
const AUDS: unknown[] = ['c1', 'c2', ['c3', 'https://api.example'], 'https://api.example', 'c9', ['c9', 'c2'], '', undefined, 7];
const TYPS = [undefined, 'JWT', 'at+jwt', 'AT+JWT'];

const step = fc.oneof(
  fc.record({ login: fc.nat(CLIENTS.length - 1), tab: fc.constantFrom('tab:1', 'tab:2'), n: fc.nat() }),
  fc.record({ aud: fc.nat(AUDS.length - 1), nonce: fc.boolean(), typ: fc.nat(TYPS.length - 1), tab: fc.constantFrom('tab:1', 'tab:2'), k: fc.nat(3) }),
);

describe('id-token-as-bearer equals its old check', () => {
  it('on random logins and API calls', () => {
    let run = 0;
    let reported = 0;
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 16 }), (steps) => {
        run += 1;
        const observations = steps.map((s, i) => {
          if ('login' in s) return obs(`https://as.example/authorize?${q({ response_type: 'code', client_id: CLIENTS[s.login], redirect_uri: 'https://app.example/cb', state: `s-${run}-${i}-${s.n}`, scope: 'openid' })}`, { context: s.tab });
          const header = TYPS[s.typ] === undefined ? { alg: 'RS256' } : { alg: 'RS256', typ: TYPS[s.typ] };
          const jwt = `${b64(header)}.${b64({ iss: 'https://as.example', aud: AUDS[s.aud], ...(s.nonce ? { nonce: `n${s.k}` } : {}), jti: `${run}-${s.k}` })}.c2ln`;
          return obs(`https://api.example/v1/items?page=${s.k}`, { type: 'xhr', headers: { Authorization: `Bearer ${jwt}` }, context: s.tab });
        });
        const findings = (check: (ctx: RuleContext) => void) => {
          const e = new Engine({ rules: [{ ...rule, check }], maxFlows: 3 });
          for (const o of observations) e.push(o);
          return e.findings.map((f) => ({ ...f }));
        };
        const now = findings(rule.check);
        expect(now).toEqual(findings(oldCheck));
        reported += now.filter((f) => /client_id/.test(f.message)).length;
      }),
      { numRuns: 400 },
    );
    // the sequences raise the variant that names a client (the walk's answer), not only silence
    expect(reported).toBeGreaterThan(10);
  });
});
