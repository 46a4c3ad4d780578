/**
 * mixup-no-defense against its code before the check skipped its walks for a client at one AS
 * (2026-12-05): random logins of one client at several ASes, through shared and per-AS redirect
 * URIs, with and without iss, in two tabs, some started from an AS's page, give the same findings.
 * The reference below is the old check, verbatim.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../engine';
import type { FlowView } from '../../flows/view';
import { normalizeRedirectBase, siteOfOrigin } from '../../flows/store';
import { obs, q, rand } from '../../testing/builders';
import { areq, HONEST, P } from '../../testing/mixup-scenarios';
import { requestEvidence, responseIssuers } from '../support/mixup';
import type { RuleContext } from '../types';
import rule from './mixup-no-defense';

function oldCheck(ctx: RuleContext): void {
  const { flow, msg, store } = ctx;
  if (!flow || ctx.replay || !flow.client || !msg.url) return;
  const p = msg.params;
  if (!p.has('code') && !p.has('access_token')) return;
  const names = responseIssuers(ctx);
  if (names.param !== undefined || names.idToken !== undefined || names.jarm !== undefined) return;
  // flows the client started itself: not brokered children (G1), and not opened by an AS hop
  // (§1.A: "AREQs whose opener is C, not an AS hop"): an AS that sends the browser on to another
  // AS is not the client using two ASes
  const all = [...store.flows.values()];
  const openedByAs = (f: FlowView): boolean => {
    if (!f.opener || f.opener === f.client) return false;
    const clientSite = f.client ? siteOfOrigin(f.client) : undefined;
    const openerSite = siteOfOrigin(f.opener);
    return all.some(
      (g) =>
        g !== f &&
        g.context === f.context &&
        g.t0 <= f.t0 &&
        g.requests.some((r) => r.as.origin === f.opener || (openerSite !== clientSite && siteOfOrigin(r.as.origin) === openerSite)),
    );
  };
  const own: FlowView[] = all.filter((f) => f.client === flow.client && f.parent === undefined && f.requests.length > 0 && f.paramsKnown && !openedByAs(f));
  if (!own.includes(flow)) return;
  // distinct ASes among them (G2: hosts of one site with the origin fallback are one AS)
  const distinct: FlowView[] = [];
  for (const f of own) if (!distinct.some((d) => !store.differentAs(d.requests[0].as, f.requests[0].as))) distinct.push(f);
  if (distinct.length < 2) return;
  const here = normalizeRedirectBase(flow.redirectUri ?? msg.url.base);
  const sharing = own.filter((f) => f.redirectUri && normalizeRedirectBase(f.redirectUri) === here);
  const sharedAses: FlowView[] = [];
  for (const f of sharing) if (!sharedAses.some((d) => !store.differentAs(d.requests[0].as, f.requests[0].as))) sharedAses.push(f);
  const shared = sharedAses.length >= 2;
  const issuers = distinct.map((f) => f.requests[0].as.issuer);
  const anchor = distinct[0];
  ctx.report({
    severity: shared ? 'medium' : 'info',
    variant: shared ? 'shared-redirect-uri' : 'per-issuer-redirect-uris',
    flowId: null,
    message: shared
      ? `${flow.client} starts flows at ${issuers.join(', ')} and receives responses without iss at ${here}, which serves ${sharedAses.length} issuers: it cannot tell which AS answered (no RFC 9207 iss, no per-AS redirect URI).`
      : `${flow.client} starts flows at ${issuers.join(', ')}; responses at ${here} carry no iss, but each issuer has its own redirect URI (the RFC 9700 §4.4.2.2 fallback).`,
    evidence: [
      requestEvidence(anchor.requests[0], 'redirect_uri', `flow to ${anchor.requests[0].as.origin} with redirect_uri ${anchor.redirectUri}`),
      ctx.evidence(msg.obs, 'iss', `response without iss at ${here}`),
    ],
  });
}

const ASES = [HONEST, 'https://other-as.example', 'https://login.example-as.com', 'https://auth.example-as.com'];
const CALLBACKS = [`${P}/cb`, `${P}/cb/other`, 'https://second-client.example/cb'];

const login = fc.record({ as: fc.nat(ASES.length - 1), cb: fc.nat(CALLBACKS.length - 1), iss: fc.boolean(), tab: fc.constantFrom('tab:1', 'tab:2'), fromAs: fc.boolean() });

describe('mixup-no-defense equals its old check', () => {
  it('on random logins of clients at several ASes', () => {
    let run = 0;
    fc.assert(
      fc.property(fc.array(login, { minLength: 1, maxLength: 9 }), (logins) => {
        run += 1;
        const observations = logins.flatMap((l, i) => {
          const as = ASES[l.as];
          const cb = CALLBACKS[l.cb];
          const S = rand(`s${run}-${i}`);
          const resp = `${cb}?${q({ code: rand(`c${run}-${i}`), state: S, ...(l.iss ? { iss: as } : {}) })}`;
          // started from the client's login page, or from another AS's page (an AS hop: not the client's own flow)
          const referer = l.fromAs ? `${ASES[(l.as + 1) % ASES.length]}/consent` : `${new URL(cb).origin}/login`;
          return [
            obs(areq(as, { client_id: 'c', redirect_uri: cb, state: S }), { referer, context: l.tab }),
            obs(`${as}/login`, { method: 'POST', form: { u: 'a' }, location: resp, context: l.tab }),
            obs(resp, { context: l.tab }),
          ];
        });
        const findings = (check: (ctx: RuleContext) => void) => {
          const e = new Engine({ rules: [{ ...rule, check }] });
          for (const o of observations) e.push(o);
          return e.findings.map((f) => ({ ...f }));
        };
        expect(findings(rule.check)).toEqual(findings(oldCheck));
      }),
      { numRuns: 1500 },
    );
  });
});
