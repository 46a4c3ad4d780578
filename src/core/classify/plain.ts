/**
 * The classifier's hot path (issue #10 item 1): what it answers for traffic that cannot be OAuth
 * without parsing anything, and the lazy 'other' message it then returns. `classify`
 * (classify.ts) asks `plainOtherKind` first; the engine asks it too and builds the message only
 * when something reads it.
 */
import { isNavigation, type Observation } from '../observe/observation';
import { hasPrmWellKnown, hasWellKnown } from '../observe/raw';
import { scanOf } from '../observe/url-scan';
import { Params, parseUrl, type ParsedUrl } from '../util/url';
import type { ClassifyHints } from './classify';
import type { OAuthMessage, ParamSource } from './message';

export const EMPTY_PARAMS = new Params();
export const EMPTY_SOURCES: Map<string, ParamSource> = new Map();

/**
 * Quick test used on the hot path: can this URL possibly be an OAuth message? It names a parameter
 * matching `/[?&#](client_id|code|access_token|id_token|id_token_hint|post_logout_redirect_uri|error|response|state|iss|grant_type|request_uri|refresh_token|client_secret|code_verifier|assertion|client_assertion|sid|[a-z_]*sess[a-z_]*|link_?token|connect[a-z_]*|ticket|handoff|binding)=/i`,
 * found by the one pass over the URL that the rules' prefilter reads too (observe/url-scan.ts;
 * test/url-scan-equivalence.test.ts holds it to that expression).
 */
export const interesting = (o: Observation): boolean => o.url.indexOf('=') >= 0 && (reference ? OAUTH_PARAM.test(o.url) : scanOf(o).oauthName);

/** @internal the expression the shared pass stands for (test/url-scan-equivalence.test.ts) */
export const OAUTH_PARAM = /[?&#](client_id|code|access_token|id_token|id_token_hint|post_logout_redirect_uri|error|response|state|iss|grant_type|request_uri|refresh_token|client_secret|code_verifier|assertion|client_assertion|sid|[a-z_]*sess[a-z_]*|link_?token|connect[a-z_]*|ticket|handoff|binding)=/i;

let reference = false;

/**
 * @internal true: classify as before the shared pass (the expression above instead of the pass,
 * no `plainOtherKind` shortcut): the equivalence test's reference
 */
export function useReferenceScan(on: boolean): void {
  reference = on;
}

export function merge(sources: readonly [ParamSource, Params][]): { params: Params; where: Map<string, ParamSource> } {
  return { params: mergeParams(sources), where: mergeWhere(sources) };
}

/**
 * Which source each parameter name comes from: the last source that has it wins, so each name is
 * set in list order and overwritten by later ones (one map operation per pair, no lookup first).
 * No rule reads it: a classified message builds it on first use (`sources`).
 */
export function mergeWhere(sources: readonly [ParamSource, Params][]): Map<string, ParamSource> {
  const where = new Map<string, ParamSource>();
  for (let i = 0; i < sources.length; i++) {
    const src = sources[i][0];
    const e = sources[i][1].entries;
    for (let j = 0; j < e.length; j++) where.set(e[j][0], src);
  }
  return where;
}

/** the parameters of the sources, in precedence order: later sources in the list win for `get` */
export function mergeParams(sources: readonly [ParamSource, Params][]): Params {
  let only = -1;
  let nonEmpty = 0;
  for (let i = 0; i < sources.length; i++) {
    if (sources[i][1].entries.length > 0) {
      nonEmpty++;
      only = i;
    }
  }
  // one source with parameters (an authorization request's query, a token request's form): its
  // pairs as they are, the array shared read-only
  if (nonEmpty <= 1) return nonEmpty === 0 ? new Params([]) : new Params(sources[only][1].entries);
  // later sources first (the entries themselves are shared, read-only, with the sources' Params:
  // no copy of each pair)
  const entries: [string, string][] = [];
  for (let i = sources.length - 1; i >= 0; i--) {
    const e = sources[i][1].entries;
    for (let j = 0; j < e.length; j++) entries.push(e[j]);
  }
  return new Params(entries);
}

/**
 * The message for traffic that cannot be OAuth (no OAuth-ish parameter name, no form body, no
 * metadata path): the URL is parsed only if a rule asks for it. This is the hot path (most of a
 * page's requests).
 */
export class OtherMessage implements OAuthMessage {
  readonly kind = 'other' as const;
  readonly form = EMPTY_PARAMS;
  readonly paramsKnown = true;
  private parsed: ParsedUrl | null | undefined;
  private mergedParams: { params: Params; where: Map<string, ParamSource> } | undefined;
  /**
   * `merged`: the URL names an OAuth-ish parameter, so `params` and `sources` are the query and
   * fragment merged, as the full classification below gives an 'other' message (built on first use)
   */
  constructor(
    readonly obs: Observation,
    private readonly merged = false,
  ) {}
  get url(): ParsedUrl | undefined {
    if (this.parsed === undefined) this.parsed = parseUrl(this.obs.url) ?? null;
    return this.parsed ?? undefined;
  }
  get query(): Params {
    return this.url?.query ?? EMPTY_PARAMS;
  }
  get fragment(): Params {
    return this.url?.fragment ?? EMPTY_PARAMS;
  }
  private get mergedOnce(): { params: Params; where: Map<string, ParamSource> } | undefined {
    if (!this.merged || !this.url) return undefined;
    this.mergedParams ??= merge([['query', this.query], ['fragment', this.fragment], ['form', EMPTY_PARAMS]]);
    return this.mergedParams;
  }
  get params(): Params {
    return this.mergedOnce?.params ?? this.query;
  }
  get sources(): Map<string, ParamSource> {
    return this.mergedOnce?.where ?? EMPTY_SOURCES;
  }
}

/**
 * A subresource GET (not a navigation, no body, not a redirect a client could follow itself, no
 * metadata or JWKS path) can only be an end-session request or 'other' below: when its URL cannot
 * name a logout (no logout/session/signout path, no …hint or post_logout parameter, no
 * percent-encoded parameter name), it is 'other' without parsing anything now. Most of a page's
 * requests with an OAuth-ish parameter name (an analytics beacon's `sid=`) take this path.
 */
const MAYBE_END_SESSION = /logout|session|signout|hint|[?&#][^&=#]*%/i;

export function plainSubresource(o: Observation): boolean {
  return (
    o.method === 'GET' &&
    !isNavigation(o) &&
    !o.navigationOnly &&
    o.requestBody === undefined &&
    (o.location === undefined || o.status === undefined || o.status < 300 || o.status >= 400) &&
    !hasWellKnown(o.url) &&
    !(o.responseBody !== undefined && /jwks|\/certs|\/keys/.test(o.url)) &&
    !MAYBE_END_SESSION.test(o.url)
  );
}

/** `plainOtherKind`: classify the message fully */
export const NOT_PLAIN = 0;

/** `plainOtherKind`: 'other' as `otherMessage(o, false)` (no OAuth-ish parameter name) */
export const PLAIN = 1;

/** `plainOtherKind`: 'other' as `otherMessage(o, true)` (a subresource GET that cannot be an end-session request) */
export const PLAIN_MERGED = 2;

/**
 * What `classify` returns for traffic that cannot be OAuth, decided without building anything:
 * PLAIN or PLAIN_MERGED when `classify(o, hints)` is `otherMessage(o, kind === PLAIN_MERGED)`,
 * NOT_PLAIN when it has to look further. Where the MCP classifier might answer (a 401, a POST, a
 * protected-resource metadata URL, one a 401 named) it is NOT_PLAIN. The engine asks this first
 * and builds the message only if something reads it (test/url-scan-equivalence.test.ts holds the two equal).
 */
export function plainOtherKind(o: Observation, hints: ClassifyHints): number {
  if (reference) return NOT_PLAIN;
  if (o.status === 401 || o.method === 'POST' || hasPrmWellKnown(o.url) || hints.namedResourceMetadata?.(o.url, o.context) === true) return NOT_PLAIN;
  const hasForm = o.requestBody?.form !== undefined && o.requestBody.form.length > 0;
  if (!hasForm && !interesting(o) && !(hasWellKnown(o.url) || (o.responseBody !== undefined && /jwks|\/certs|\/keys/.test(o.url)))) return PLAIN;
  return plainSubresource(o) ? PLAIN_MERGED : NOT_PLAIN;
}

/** the 'other' message of `plainOtherKind` (its URL is parsed only if a reader asks) */
export function otherMessage(o: Observation, merged: boolean): OAuthMessage {
  return new OtherMessage(o, merged);
}
