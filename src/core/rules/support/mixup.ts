/** Helpers shared by the group A (mix-up / cross-context) rules. Not a rule. */
import type { AsIdentity, FlowRequest } from '../../flows/flow';
import type { FlowView } from '../../flows/view';
import type { StoreView } from '../../flows/view';
import { normalizeRedirectBase } from '../../flows/store';
import type { Evidence, ProviderTableBasis } from '../../report/finding';
import type { RuleContext } from '../types';
import { decodeJwtPayloadUnsafe } from '../../tokens/peek';
import { originOf, parseUrl, siteOf } from '../../util/url';
import { ref } from '../../report/standards';
import { flowBinding, type Binding } from './binding';

/**
 * normalizeRedirectBase, remembered per URI: a callback compares the same few redirect URIs (the
 * flow's, its client-issued requests', the callback's own) on every response, each a URL parse.
 */
export function redirectBaseOf(u: string): string {
  let b = redirectBases.get(u);
  if (b === undefined) {
    b = normalizeRedirectBase(u);
    if (redirectBases.size >= 512) redirectBases.clear();
    redirectBases.set(u, b);
  }
  return b;
}
const redirectBases = new Map<string, string>();

export function requestEvidence(req: FlowRequest, param: string, note: string): Evidence {
  return { ...req.ref, url: req.url, param, note };
}

/** The cross-AS transplant of detectors.md §1.A (mixup-as-switch / coat-context-switch). */
export interface CrossAsMatch {
  first: FlowRequest;
  prior: FlowRequest;
  current: FlowRequest;
  sameRedirect: boolean;
  severity: 'critical' | 'high';
  implicit: boolean;
  /** the key the relayed request carried on: state, else code_challenge, else nonce (§0.3) */
  binding: Binding;
}

const WINDOW_MS = 60_000;

export function crossAsTransplant(ctx: RuleContext): CrossAsMatch | undefined {
  const { flow, msg, store } = ctx;
  if (!flow || ctx.replay || !msg.paramsKnown || flow.requests.length < 2) return undefined;
  const current = flow.requests[flow.requests.length - 1];
  if (current.obsId !== msg.obs.id) return undefined;
  const first = flow.requests[0];
  // "reached from O1": the previous hop is an earlier AS of this flow (its origin, or another host
  // of its site that is not the client)
  const prior = store.relayedBy(flow, flow.requests.length - 1);
  if (!prior || current.via === 'none') return undefined;
  // within 60 s of AS1's request, or an exact 30x / client-side redirect from an AS1 page (the
  // user may have spent longer on AS1's login or consent page before it relayed)
  const exactHop = current.via === 'redirect' || current.via === 'client_redirect';
  if (current.time - prior.time > WINDOW_MS && !exactHop) return undefined;
  if (!store.differentAs(first.as, current.as) && !store.differentAs(prior.as, current.as)) return undefined;
  // both redirect URIs at the client C; G1 (a broker's own callback on O1's origin) fails this
  const c = flow.client ?? originOf(first.redirectUri);
  if (!c || originOf(current.redirectUri) !== c || originOf(first.redirectUri) !== c) return undefined;
  const sameRedirect = normalizeRedirectBase(current.redirectUri ?? '') === normalizeRedirectBase(first.redirectUri ?? '') &&
    current.redirectUri === first.redirectUri;
  // hand-offs between two hosts of one provider: critical only if client_id or redirect_uri change
  const h1 = parseUrl(first.as.origin)?.hostname ?? '';
  const h2 = parseUrl(current.as.origin)?.hostname ?? '';
  const sameSite = siteOf(h1) === siteOf(h2);
  const severity = sameSite && current.clientId === first.clientId && sameRedirect ? 'high' : 'critical';
  const implicit = /(^|\s)token(\s|$)/.test(current.responseType ?? '') || /(^|\s)token(\s|$)/.test(first.responseType ?? '');
  return { first, prior, current, sameRedirect, severity, implicit, binding: flowBinding(flow, current) };
}

export function describeAs(req: FlowRequest): string {
  return req.as.source === 'origin' ? req.as.origin : `${req.as.issuer} (${req.as.origin})`;
}

/** Issuer values a response names: the iss parameter, the front-channel ID token's and JARM's iss. */
export function responseIssuers(ctx: RuleContext): { param?: string; idToken?: string; jarm?: string } {
  const p = ctx.msg.params;
  const out: { param?: string; idToken?: string; jarm?: string } = {};
  const iss = p.get('iss');
  if (iss !== undefined && iss !== '') out.param = iss;
  const idt = p.get('id_token');
  if (idt) {
    const v = decodeJwtPayloadUnsafe(idt)?.iss;
    if (typeof v === 'string') out.idToken = v;
  }
  const jarm = p.get('response');
  if (jarm) {
    const v = decodeJwtPayloadUnsafe(jarm)?.iss;
    if (typeof v === 'string') out.jarm = v;
  }
  return out;
}

/** Did this flow's binding key (state, else code_challenge, else nonce) travel to two or more different ASes (cross-AS evidence)? */
export function crossAsEvidence(flow: FlowView, ctx: RuleContext): boolean {
  // a later request to another AS, reached from an earlier AS of the flow (a relay as in
  // mixup-as-switch / coat-context-switch); the client itself restarting elsewhere is not one
  const rs = flow.requests;
  for (let i = 1; i < rs.length; i++) {
    const relayed = ctx.store.relayedBy(flow, i) !== undefined;
    if (relayed && ctx.store.differentAs(rs[0].as, rs[i].as)) return true;
  }
  return false;
}

/** The response carries a code or a token (not only an error). */
export function carriesCredential(ctx: RuleContext): boolean {
  const p = ctx.msg.params;
  return p.has('code') || p.has('access_token') || p.has('id_token') || p.has('response');
}

/** The provider table row behind an AS identity, as a finding's basis ("from CoatCheck's provider table, checked <date>"). */
export function tableBasis(as: AsIdentity, store: StoreView): ProviderTableBasis | undefined {
  const row = store.providerRow(as.provider);
  return row ? { provider: row.name, checked: row.checked } : undefined;
}

/**
 * MCP authorization 2026-07-28, "Authorization Response Validation" (RFC 9207 §2.4): metadata
 * advertises iss and the response lacks it → reject; not advertised but present → compare;
 * neither → nothing. mixup-iss-missing and mixup-iss-mismatch apply this table to every flow.
 */
export const MCP_RESPONSE_VALIDATION = ref('MCP-AUTH', 'Authorization Response Validation');
