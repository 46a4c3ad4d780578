/**
 * The lanes and arrows of a flow diagram (diagram.ts): who talks to whom, and one arrow per hop of
 * the flow model (authorization requests, AS-to-AS redirects, callbacks, back-channel requests,
 * token request and response) or of the plain inputs (interaction pages at an AS, fetches).
 */
import type { Flow, FlowRequest, FlowResponse, FlowStep } from '../flows/flow';
import type { Arrow, Lane } from './diagram';
import type { DiagramFetch, DiagramHop, TokenExchange } from './diagram-inputs';
import { redactUrl } from '../util/secret';
import { originOf, parseUrl, siteOf } from '../util/url';

const MAX_LANES = 10;

/** An arrow before it has its place: labels may still be empty. */
export type Draft = Omit<Arrow, 'index' | 'id' | 'findings' | 'labels'> & { labels: [string, string | undefined][] };

function hostOf(u: string | undefined): string | undefined {
  return u ? (parseUrl(u)?.host ?? undefined) : undefined;
}

/** The diagram's lanes: the browser, the client C, then each AS (and other site) as first met. */
export class LaneSet {
  readonly lanes: Lane[] = [{ id: 'browser', kind: 'browser', name: 'Browser' }];
  readonly client: Lane;
  private byOrigin = new Map<string, Lane>();
  private asCount = 0;
  private upstreamCount = 0;

  constructor(clientOrigin: string | undefined) {
    this.client = clientOrigin ? { id: 'C', kind: 'client', name: 'C', origin: clientOrigin, host: hostOf(clientOrigin) } : { id: 'C', kind: 'client', name: 'C' };
    this.lanes.push(this.client);
    if (clientOrigin) this.byOrigin.set(clientOrigin, this.client);
  }

  get browser(): Lane {
    return this.lanes[0];
  }

  known(origin: string): Lane | undefined {
    return this.byOrigin.get(origin);
  }

  /** The lane of an authorization server (an upstream one for a brokered child flow). */
  as(origin: string, issuer: string | undefined, depth: number): Lane {
    const known = this.byOrigin.get(origin);
    if (known) {
      if (known.kind === 'as' && !known.issuer && issuer) known.issuer = issuer;
      return known;
    }
    if (this.lanes.length >= MAX_LANES) return this.lanes[this.lanes.length - 1];
    const name = depth > 0 ? `Upstream${++this.upstreamCount > 1 ? ` ${this.upstreamCount}` : ''}` : `AS${++this.asCount}`;
    return this.add({ id: `as${this.lanes.length}`, kind: 'as', name, origin, host: hostOf(origin), issuer });
  }

  /** The lane of an origin seen as a previous hop or a target: a known lane, an AS on the same site, or a new "other" lane. */
  of(origin: string | undefined, fallback: Lane, name = 'Other site'): Lane {
    if (!origin) return fallback;
    const known = this.byOrigin.get(origin);
    if (known) return known;
    const host = parseUrl(origin)?.hostname;
    if (host) {
      const site = siteOf(host);
      const sameSite = this.lanes.find((l) => l.kind === 'as' && l.origin && siteOf(parseUrl(l.origin)?.hostname ?? '') === site);
      if (sameSite) return sameSite;
    }
    if (this.lanes.length >= MAX_LANES) return fallback;
    return this.add({ id: `o${this.lanes.length}`, kind: 'other', name, origin, host: hostOf(origin) });
  }

  private add(l: Lane): Lane {
    this.lanes.push(l);
    if (l.origin) this.byOrigin.set(l.origin, l);
    return l;
  }
}

export function requestArrow(lanes: LaneSet, f: Flow, r: FlowRequest, i: number, depth: number, redact: boolean): Draft {
  const to = lanes.as(r.as?.origin ?? originOf(r.url) ?? '?', r.as?.issuer, depth);
  const prevAs = i > 0 ? f.requests[i - 1].as?.origin : undefined;
  const fromLane = r.from ? lanes.of(r.from, lanes.browser) : lanes.browser;
  const relayed = i > 0 && fromLane.kind === 'as' && fromLane !== to;
  const q = parseUrl(r.url)?.query;
  const uri = r.redirectUri ?? q?.get('redirect_uri');
  return {
    kind: relayed ? 'as-redirect' : 'authorization-request',
    title: relayed ? `AS-to-AS redirect: authorization request to ${to.name}` : i > 0 && prevAs !== r.as?.origin ? `authorization request to ${to.name} (another AS)` : `authorization request${depth > 0 ? ' (brokered upstream)' : ''}`,
    from: fromLane.id,
    to: to.id,
    as: to.id,
    channel: 'front',
    time: r.time,
    obsId: r.obsId,
    ref: r.ref,
    flowId: f.id,
    url: r.url,
    labels: [
      ['client_id', r.clientId ?? q?.get('client_id')],
      ['redirect_uri', uri === undefined ? undefined : redactUrl(uri, { redact })],
      ['response_type', r.responseType ?? q?.get('response_type')],
      ['state', q?.get('state') ?? (i === 0 ? f.state?.shown : undefined)],
      ['nonce', q?.get('nonce') ?? (i === 0 ? f.nonce?.shown : undefined)],
      ['code_challenge', q?.get('code_challenge') ?? (i === 0 ? f.codeChallenge : undefined)],
      ['code_challenge_method', q?.get('code_challenge_method')],
      ['request_uri', q?.get('request_uri')],
    ],
  };
}

export function responseArrow(lanes: LaneSet, f: Flow, resp: FlowResponse): Draft {
  const p = parseUrl(resp.url);
  const get = (n: string) => p?.query.get(n) ?? p?.fragment.get(n);
  // who delivered it: the AS of the flow's last request before it
  let last: FlowRequest | undefined;
  for (const r of f.requests ?? []) if (r.time <= resp.time) last = r;
  last ??= f.requests?.[f.requests.length - 1];
  const fromLane = last?.as?.origin ? (lanes.known(last.as.origin) ?? lanes.browser) : lanes.browser;
  const target = lanes.of(originOf(resp.base) ?? originOf(resp.url), lanes.client);
  return {
    kind: 'callback',
    title: `callback (authorization response${resp.mode === 'form_post' ? ', form_post' : resp.mode === 'fragment' ? ', fragment' : ''})`,
    from: fromLane.id,
    to: target.id,
    as: fromLane.kind === 'as' ? fromLane.id : undefined,
    channel: 'front',
    time: resp.time,
    obsId: resp.obsId,
    ref: resp.ref,
    flowId: f.id,
    url: resp.url,
    labels: [
      // the flow model's fingerprint of the decoded code first: a token request shows the same one
      ['code', resp.code?.shown ?? get('code')],
      ['state', get('state')],
      ['iss', resp.iss ?? get('iss')],
      ['error', resp.error ?? get('error')],
      ['token', resp.hasToken ? 'access token in the response' : undefined],
    ],
  };
}

/** A back-channel step of the flow model for which the capture gave nothing more (a browser's view). */
export function stepArrow(lanes: LaneSet, f: Flow, s: FlowStep): Draft {
  const to = lanes.of(originOf(s.url), lanes.browser, s.kind === 'token-request' ? 'Token endpoint' : undefined);
  const codes = (f.responses ?? []).filter((r) => r.code).map((r) => r.code!.shown);
  const token = s.kind === 'token-request';
  return {
    kind: token ? 'token-request' : s.kind === 'metadata' ? 'metadata' : s.kind === 'jwks' ? 'jwks' : 'other',
    title: token ? `token request${to.kind === 'as' ? ` to ${to.name}` : ''}` : s.kind,
    from: lanes.client.id,
    to: to.id,
    as: to.kind === 'as' ? to.id : undefined,
    channel: 'back',
    time: s.time,
    obsId: s.obsId,
    ref: s.ref,
    flowId: f.id,
    url: s.url,
    // the token request was tied to this flow by its code: with one code delivered, it is that one
    labels: [['code', token && new Set(codes).size === 1 ? codes[0] : undefined]],
  };
}

/** A token request (C → token endpoint, with the code's fingerprint) and its response (token endpoint → C), when one was seen. */
export function tokenArrows(lanes: LaneSet, flowId: string, x: DiagramFetch & { token: TokenExchange }): Draft[] {
  const t = x.token;
  const to = lanes.of(originOf(x.url), lanes.browser, 'Token endpoint');
  const at = to.kind === 'as' ? ` to ${to.name}` : '';
  const base = { as: to.kind === 'as' ? to.id : undefined, channel: 'back' as const, obsId: x.obsId, ref: x.ref, flowId, url: x.url };
  const request: Draft = {
    ...base,
    kind: 'token-request',
    title: `token request${at}${t.grantType && t.grantType !== 'authorization_code' ? `, ${t.grantType}` : ''}`,
    from: lanes.client.id,
    to: to.id,
    time: x.time,
    labels: [['code', t.code], ...t.request],
  };
  if (t.response.length === 0) return [request];
  const status = Number(t.response.find(([n]) => n === 'status')?.[1]);
  const failed = t.response.some(([n]) => n === 'error') || status >= 400;
  return [
    request,
    {
      ...base,
      kind: 'token-response',
      title: `token response${failed ? ' (error)' : ''}${to.kind === 'as' ? ` from ${to.name}` : ''}`,
      from: to.id,
      to: lanes.client.id,
      time: Math.max(x.time, t.responseTime ?? x.time),
      labels: t.response,
    },
  ];
}

/**
 * User interaction at an AS (login, consent, account chooser): navigations at an AS lane's origin
 * between the flow's first request and its end that are not steps themselves. Consecutive pages at
 * one AS are one arrow, labelled with the number of distinct pages.
 */
export function interactionArrows(lanes: LaneSet, hops: readonly DiagramHop[], t0: number, tEnd: number, stepObs: ReadonlySet<string>, flowId: string): Draft[] {
  const out: Draft[] = [];
  let last: { d: Draft; keys: Set<string> } | undefined;
  for (const h of hops) {
    if (!h || typeof h.time !== 'number' || h.time < t0 || h.time > tEnd) continue;
    const known = stepObs.has(h.obsId) ? undefined : lanes.known(h.origin);
    const lane = known?.kind === 'as' ? known : undefined;
    if (!lane) {
      last = undefined;
      continue;
    }
    if (last && last.d.to === lane.id) {
      last.keys.add(h.key ?? h.obsId);
      last.d.labels[0][1] = String(last.keys.size);
      continue;
    }
    const d: Draft = { kind: 'interaction', title: `user interaction at ${lane.name} (login, consent)`, from: 'browser', to: lane.id, as: lane.id, channel: 'front', time: h.time, obsId: h.obsId, ref: {}, flowId, labels: [['pages', '1']] };
    last = { d, keys: new Set([h.key ?? h.obsId]) };
    out.push(d);
  }
  return out;
}
