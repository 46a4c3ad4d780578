import type { OAuthMessage } from '../../classify/message';
import type { Observation } from '../../observe/observation';
import type { Evidence } from '../../report/finding';
import { ref } from '../../report/standards';
import { hashSecret } from '../../util/secret';
import { parseParams, parseUrl, siteOf, type Params, type ParsedUrl } from '../../util/url';
import { DELIVERED as CARRIED, DELIVERED_LABEL as LABEL, type DeliveredName as CarriedName } from '../support/delivered';
import { defineRule, type RuleContext } from '../types';

/** a value this short could appear in a URL by chance: only an exact parameter value counts then */
const MIN_SUBSTRING = 8;
/** the chain after a callback is judged for this long (a redirect chain takes milliseconds) */
const CHAIN_MS = 30_000;

/**
 * Per browsing context (the rule's context memo, saved with the context: hashes and redacted URLs
 * only): a callback answered with a redirect that stayed on the client's site while still carrying
 * a value, so that the next hop (the second) is judged too.
 */
interface Chain {
  /** scheme + host + path of the first hop's target: the context's next navigation must be it */
  next: string;
  time: number;
  client: Party;
  /** the carried values' names and SHA-256 fingerprints */
  values: [CarriedName, string][];
  /** the names whose values ride in the fragment the browser shows at the first hop's target (re-attached or explicit) */
  fragment: CarriedName[];
  response: Evidence;
  flowId: string | null;
}

/** the client that received the authorization response, and the flow's authorization servers */
interface Party {
  origin: string;
  site: string;
  asOrigins: string[];
  asSites: string[];
}

/** RFC 9700 §4.1.2, §4.11.1: a code or token carried off the client's site by the redirect that follows its callback. */
export default defineRule({
  meta: {
    id: 'open-redirect-token-exfil',
    title: 'Code or token carried to another site by a redirect right after the callback',
    severity: 'critical',
    confidence: 'strong',
    references: [ref('RFC9700', '4.1.2'), ref('RFC9700', '4.11.1')],
    description:
      'Within two redirects after an authorization response that delivered a code or token, a redirect leaves the client\'s site and either carries the value in its URL, or has a Location without a fragment while the response had the code or token in its fragment (the browser re-attaches the fragment to the new URL): the client (or a page it redirects through) is an open redirector and the credential reaches the target. Critical for another site; medium when the target is another origin of the client\'s own site (eTLD+1); low when it is the flow\'s authorization server. Redirects that stay on the client\'s origin, an explicit fragment in the Location (it replaces the old one) and values that are not carried are not reported.',
    tier: 2,
    on: 'any',
    // an 'other' message: only the next navigation of a context whose callback redirected within the client's site
    prefilter: { contextMemo: true },
    // an OAuth message: a callback (its own redirect is the first hop), or a navigation of a context it remembers
    needs: { kinds: ['authorization-response'], contextMemo: ['main_frame', 'sub_frame'] },
    vantage: ['BG', 'DT', 'HAR'],
  },
  check(ctx) {
    const { msg } = ctx;
    const o = msg.obs;
    const nav = o.type === 'main_frame' || o.type === 'sub_frame';
    if (nav && !o.navigationOnly) {
      const chain = ctx.contextMemo.get<Chain>();
      if (chain) {
        const here = msg.url ?? parseUrl(o.url);
        if (here && here.base === chain.next && o.time - chain.time <= CHAIN_MS) {
          ctx.contextMemo.delete();
          if (o.location) secondHop(ctx, o, chain);
          return;
        }
        // the chain broke: another document in the frame that shows it
        if (o.type === 'main_frame' || o.time - chain.time > CHAIN_MS) ctx.contextMemo.delete();
      }
    }
    if (msg.kind === 'authorization-response' && o.location) firstHop(ctx, msg, o);
  },
});

/** The callback's own redirect: the first hop. */
function firstHop(ctx: RuleContext, msg: OAuthMessage, o: Observation): void {
  const values: [CarriedName, string][] = [];
  for (const name of CARRIED) {
    const v = msg.params.get(name);
    if (v) values.push([name, v]);
  }
  if (values.length === 0 || !msg.url) return; // an error response, or a state alone
  const target = parseUrl(o.location!, o.url);
  if (!target || !/^https?:$/.test(target.protocol)) return;
  const client = partyOf(ctx, msg.url);
  if (!client) return;
  const location = o.location!;
  const hashIdx = location.indexOf('#');
  const query = hashIdx < 0 ? location : location.slice(0, hashIdx);
  const explicitFragment = hashIdx < 0 ? undefined : location.slice(hashIdx + 1);
  // the values the target's URL itself shows (query, path or an explicit fragment), raw or percent-encoded
  const inQuery = values.filter(([, v]) => shows(query, v, target.query));
  const inFragment = explicitFragment === undefined ? [] : values.filter(([, v]) => shows(explicitFragment, v, target.fragment));
  // a Location without a fragment keeps the response's fragment (the browser re-attaches it)
  const reattached = explicitFragment === undefined ? values.filter(([n]) => msg.fragment.get(n) !== undefined) : [];
  const fragment = [...inFragment, ...reattached];
  if (inQuery.length === 0 && fragment.length === 0) return; // nothing rides along
  // the response's evidence names the first value that rides along (the one the finding is about)
  const [name, v] = inQuery[0] ?? fragment[0];
  const response = ctx.evidence(o, name, `${LABEL[name]} delivered to the client`, v);
  const where = placeOf(client, target);
  if (where !== 'client') {
    report(ctx, {
      where,
      hop: 1,
      name,
      fingerprint: `${hashSecret(v)}:${siteOf(target.hostname)}`,
      how: inQuery.length > 0 ? 'url' : reattached.length > 0 ? 'reattached' : 'url',
      client,
      target,
      redirect: { ...o.ref, url: ctx.redactUrl(o.url), param: 'Location', value: ctx.redactUrl(location), note: 'the callback\'s redirect' },
      response,
      flowId: ctx.flow?.id ?? null,
    });
    if (where !== 'same-site') return;
  }
  // still on the client's site, still carrying a value: the next hop decides
  const carried = new Map<CarriedName, string>();
  for (const [n, v] of [...inQuery, ...fragment]) carried.set(n, v);
  ctx.contextMemo.set({
    next: target.base,
    time: o.time,
    client,
    values: [...carried].map(([n, v]) => [n, hashSecret(v)]),
    fragment: [...new Set(fragment.map(([n]) => n))],
    response,
    flowId: ctx.flow?.id ?? null,
  } satisfies Chain);
}

/** The redirect of the first hop's target: the second hop. */
function secondHop(ctx: RuleContext, o: Observation, chain: Chain): void {
  const target = parseUrl(o.location!, o.url);
  if (!target || !/^https?:$/.test(target.protocol)) return;
  const where = placeOf(chain.client, target);
  if (where === 'client') return; // two hops on the client's origin: done
  const location = o.location!;
  const byHash = new Map(chain.values.map(([n, h]) => [h, n]));
  let name = findCarried(target, byHash);
  let how: 'url' | 'reattached' = 'url';
  if (!name && chain.fragment.length > 0 && location.indexOf('#') < 0) {
    name = chain.fragment[0];
    how = 'reattached';
  }
  if (!name) return;
  const hash = chain.values.find(([n]) => n === name)?.[1] ?? name;
  report(ctx, {
    where,
    hop: 2,
    name,
    fingerprint: `${hash}:${siteOf(target.hostname)}`,
    how,
    client: chain.client,
    target,
    redirect: { ...o.ref, url: ctx.redactUrl(o.url), param: 'Location', value: ctx.redactUrl(location), note: 'the second redirect after the callback' },
    response: chain.response,
    flowId: chain.flowId,
  });
}

type Place = 'client' | 'same-site' | 'as' | 'other-site';

function placeOf(client: Party, target: ParsedUrl): Place {
  if (target.origin === client.origin) return 'client';
  if (client.asOrigins.includes(target.origin)) return 'as';
  const site = siteOf(target.hostname);
  if (site === client.site) return 'same-site';
  return client.asSites.includes(site) ? 'as' : 'other-site';
}

function partyOf(ctx: RuleContext, url: ParsedUrl): Party | undefined {
  if (!url.hostname) return undefined;
  const asOrigins: string[] = [];
  const asSites: string[] = [];
  const reqs = ctx.flow?.requests ?? [];
  for (let i = 0; i < reqs.length; i++) {
    const origin = reqs[i].as.origin;
    if (asOrigins.includes(origin)) continue;
    asOrigins.push(origin);
    const host = parseUrl(origin)?.hostname;
    if (host) asSites.push(siteOf(host));
  }
  return { origin: url.origin, site: siteOf(url.hostname), asOrigins, asSites };
}

/** Does `text` (a part of the target URL) show `v`: as a parameter's value, or (long values) anywhere, raw or percent-encoded? */
function shows(text: string, v: string, params: Params): boolean {
  for (const [, pv] of params.entries) if (pv === v) return true;
  if (v.length < MIN_SUBSTRING) return false;
  if (text.includes(v)) return true;
  const enc = encodeURIComponent(v);
  return (enc !== v && text.includes(enc)) || text.includes(encodeURIComponent(enc));
}

/**
 * The name of a carried value (by fingerprint) among the target URL's parameter values, also inside
 * URLs nested in them (a `next=`/`url=` parameter, up to two levels): only fingerprints are kept.
 */
function findCarried(target: ParsedUrl, byHash: Map<string, CarriedName>): CarriedName | undefined {
  const seen = { n: 0 };
  return inParams(target.query.entries, byHash, 2, seen) ?? inParams(target.fragment.entries, byHash, 2, seen);
}

function inParams(entries: [string, string][], byHash: Map<string, CarriedName>, depth: number, seen: { n: number }): CarriedName | undefined {
  for (const [, v] of entries) {
    if (!v || ++seen.n > 200) continue; // a hostile URL with thousands of parameters: the first 200 values
    const hit = byHash.get(hashSecret(v));
    if (hit) return hit;
    if (depth > 0) {
      const q = v.search(/[?#]/);
      if (q >= 0) {
        const nested = inParams(parseParams(v.slice(q + 1).replace('#', '&')).entries, byHash, depth - 1, seen);
        if (nested) return nested;
      }
    }
  }
  return undefined;
}

interface Exfil {
  where: Exclude<Place, 'client'>;
  hop: 1 | 2;
  name: CarriedName;
  fingerprint: string;
  /** in the target's URL, or in the fragment the browser re-attached */
  how: 'url' | 'reattached';
  client: Party;
  target: ParsedUrl;
  redirect: Evidence;
  response: Evidence;
  flowId: string | null;
}

function report(ctx: RuleContext, x: Exfil): void {
  const what = LABEL[x.name];
  const carried = x.how === 'reattached' ? 'in the fragment the browser re-attaches to a Location that has none' : 'in the URL';
  const who = x.hop === 1 ? 'The callback' : 'The page the callback redirected to';
  const place =
    x.where === 'other-site'
      ? `another site (${x.target.origin})`
      : x.where === 'same-site'
        ? `another origin of the client's own site (${x.target.origin})`
        : `the flow's authorization server (${x.target.origin})`;
  const consequence =
    x.where === 'other-site'
      ? `that site can redeem or use it: the client acts as an open redirector (RFC 9700 §4.1.2, §4.11.1).`
      : x.where === 'same-site'
        ? `it leaves the origin that received it, and an open redirector there would carry it further (RFC 9700 §4.11.1).`
        : `the server that issued it, but the redirect shows the client passing credentials on (RFC 9700 §4.11.1).`;
  ctx.report({
    severity: x.where === 'other-site' ? 'critical' : x.where === 'same-site' ? 'medium' : 'low',
    variant: `${x.where}-${x.how}`,
    fingerprint: x.fingerprint,
    flowId: x.flowId,
    message: `${who} redirected to ${place}, carrying the ${what} ${carried}: ${consequence}`,
    evidence: [x.response, { ...x.redirect, note: `${x.redirect.note}: the ${what} carried ${x.how === 'reattached' ? 'in the re-attached fragment' : 'in the URL'} to ${x.target.origin}` }],
  });
}
