/**
 * The AS directory (§0.4): who an authorization endpoint belongs to, and what the capture taught
 * about each AS. Facts carry where they came from: observed in the capture (metadata, an issuer
 * learnt from a clean flow, an `iss` it sent) are hard; the provider table (dated rows) and the
 * origin fallback are soft. Journal keys `as:md:<issuer>`, `as:idt:<endpoint>`, `as:iss:<endpoint>`.
 */
import type { OAuthMessage } from '../classify/message';
import { originOf, parseUrl, siteOf, type ParsedUrl } from '../util/url';
import type { AsIdentity } from './flow';
import { issuerForTokenEndpoint } from '../mcp/ledger';
import { isRecord, OrderedMap, type JournalBatch, type JournalEntries } from './journal';
import { removeAt } from './lists';
import { stripQuery } from './keys';
import { AsRecord } from './records';
import { providerForEndpoint, providerRow, tableSendsIss, type ProviderMatch, type ProviderRow } from './providers';

const MAX_METADATA = 200;
const MAX_ID_TOKEN_ISSUERS = 500;

export interface MetadataRecord {
  issuer: string;
  /** URL it was fetched from */
  fetchedFrom: string;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  endpoints: Record<string, string>;
  issParameterSupported?: boolean;
  codeChallengeMethods?: string[];
}

/** hard: observed in the capture; soft: CoatCheck's dated table or the origin fallback */
export function factStrength(as: AsIdentity): 'hard' | 'soft' {
  return as.source === 'metadata' || as.source === 'id_token' ? 'hard' : 'soft';
}

const ENDPOINT_KINDS: Record<string, OAuthMessage['endpoint']> = {
  token_endpoint: 'token',
  pushed_authorization_request_endpoint: 'par',
  revocation_endpoint: 'revocation',
  introspection_endpoint: 'introspection',
  device_authorization_endpoint: 'device',
  backchannel_authentication_endpoint: 'ciba',
  userinfo_endpoint: 'userinfo',
};

const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number';
const isMetadata = (v: unknown): v is MetadataRecord => isRecord(v) && typeof v.issuer === 'string' && isRecord(v.endpoints);

/** what the provider table's row adds to an AS identity: its id, the issuers of the same AS, its own issuer space */
function withTable(r: AsIdentity, provider: ProviderMatch | undefined): AsIdentity {
  if (!provider) return r;
  r.provider = provider.row.id;
  if (provider.aliases.length) r.issuerAliases = provider.aliases.slice();
  if (provider.ownScope) r.ownScope = provider.ownScope;
  return r;
}

export class AsDirectory {
  private md = new OrderedMap<MetadataRecord>(MAX_METADATA);
  /** authorization endpoint → issuer learnt from an earlier clean flow (front-channel ID token or RFC 9207 iss) */
  private idt = new OrderedMap<string>(MAX_ID_TOKEN_ISSUERS);
  /** authorization endpoint → time of the first response of its AS that carried its iss (RFC 9207 support seen) */
  private iss = new OrderedMap<number>(MAX_ID_TOKEN_ISSUERS);
  /** authorization endpoint base → issuer (derived from the metadata) */
  private endpointIssuer = new Map<string, string>();
  /**
   * token endpoint without query or fragment → the documents naming it, in the metadata's order:
   * what `issuerForTokenEndpoint` keeps of a walk over every document (asked for every token
   * request); false when a stored document's token endpoint is not text (then the walk decides)
   */
  private byTokenEndpoint: Map<string, MetadataRecord[]> | false = new Map();
  /**
   * token endpoint → what issuerForTokenEndpoint answered for it (null: nothing), while its list of
   * documents is unchanged: every token request asks, and most documents that come are the same
   * AS's document again (it replaces itself in place: the answer stays)
   */
  private tokenIssuer = new Map<string, string | null>();

  constructor(readonly providers: readonly ProviderRow[]) {}

  /** The issuer whose observed metadata lists `base` as its token endpoint (mcp/ledger.ts issuerForTokenEndpoint). */
  issuerOfTokenEndpoint(base: string): string | undefined {
    const index = this.byTokenEndpoint;
    if (index === false) return issuerForTokenEndpoint(this.md.map.values(), base, siteOf);
    let v = this.tokenIssuer.get(base);
    if (v === undefined) {
      v = issuerForTokenEndpoint(index.get(base) ?? NO_RECORDS, base, siteOf) ?? null;
      if (this.tokenIssuer.size >= 1024) this.tokenIssuer.clear();
      this.tokenIssuer.set(base, v);
    }
    return v ?? undefined;
  }

  /** a document was set (it is the newest now) or went */
  private indexToken(rec: MetadataRecord, add: boolean): void {
    const index = this.byTokenEndpoint;
    if (index === false) return;
    const t = rec.tokenEndpoint as unknown;
    if (!t) return;
    if (typeof t !== 'string') {
      this.byTokenEndpoint = false;
      return;
    }
    const key = stripQuery(t);
    this.tokenIssuer.delete(key);
    const list = index.get(key);
    if (add) {
      if (list) list.push(rec);
      else index.set(key, [rec]);
      return;
    }
    const at = list ? list.indexOf(rec) : -1;
    if (at < 0) return;
    removeAt(list!, at);
    if (list!.length === 0) index.delete(key);
  }

  /** set a document: the one it replaces (and any the cap pushes out) leave the token endpoint index */
  private setMetadata(rec: MetadataRecord, onEvict?: (issuer: string) => void): void {
    const old = this.md.map.get(rec.issuer);
    const inPlace = old !== undefined && this.replaceToken(old, rec);
    if (old && !inPlace) this.indexToken(old, false);
    this.md.set(rec.issuer, rec, (gone, r) => {
      this.indexToken(r, false);
      onEvict?.(gone);
    });
    if (!inPlace) this.indexToken(rec, true);
  }

  /**
   * a document of the same issuer and token endpoint replaces one that is the newest of its token
   * endpoint's list: it takes that place (where removing the old and adding the new puts it), and
   * the list answers as before
   */
  private replaceToken(old: MetadataRecord, rec: MetadataRecord): boolean {
    const index = this.byTokenEndpoint;
    const t = rec.tokenEndpoint as unknown;
    if (index === false || typeof t !== 'string' || t === '' || old.tokenEndpoint !== t || old.issuer !== rec.issuer) return false;
    const list = index.get(stripQuery(t));
    if (list === undefined || list[list.length - 1] !== old) return false;
    list[list.length - 1] = rec;
    return true;
  }

  get metadata(): ReadonlyMap<string, MetadataRecord> {
    return this.md.map;
  }

  get idTokenIssuer(): ReadonlyMap<string, string> {
    return this.idt.map;
  }

  /**
   * §0.4: issuer(authorization endpoint), in this order: observed metadata, an issuer learnt from
   * an earlier clean flow of the capture (ID token or RFC 9207 iss), the provider table, the
   * origin. `time` is when the request was made: a table row's `always since D` applies from D on.
   */
  resolveAs(url: ParsedUrl, time: number): AsIdentity {
    // (records, not literals: flows/records.ts says why; the keys in the order the literals had them)
    const fromMd = this.endpointIssuer.get(url.base);
    if (fromMd) {
      const md = this.md.map.get(fromMd);
      return new AsRecord(url.origin, fromMd, 'metadata', url.base, md?.issParameterSupported);
    }
    const provider = this.providerFor(url.base);
    const sendsIss = (provider && tableSendsIss(provider.row, time)) || this.iss.map.has(url.base) || undefined;
    const fromId = this.idt.map.get(url.base);
    if (fromId) return withTable(new AsRecord(url.origin, fromId, 'id_token', url.base, sendsIss), provider);
    if (provider) {
      const r: AsIdentity = new AsRecord(url.origin, provider.issuer, 'provider', url.base, sendsIss);
      if (provider.pattern) r.issuerPattern = provider.pattern;
      return withTable(r, provider);
    }
    return new AsRecord(url.origin, url.origin, 'origin', url.base, sendsIss);
  }

  /**
   * Does `iss` name this AS? Known issuers compare as strings (RFC 3986 §6.2.1), templated ones
   * (Entra's /common/) and the aliases the table lists for the AS (Entra v1/v2 of one tenant) as
   * patterns; with only the origin known, origins compare (a Keycloak realm path, an Entra tenant
   * or Auth0's trailing slash do not count as a difference).
   */
  issuerMatches(as: AsIdentity, iss: string): boolean {
    if (as.source === 'origin') return originOf(iss) === as.origin;
    if (iss === as.issuer) return true;
    for (const p of [as.issuerPattern, ...(as.issuerAliases ?? [])]) {
      if (p !== undefined && safeTest(p, iss)) return true;
    }
    return false;
  }

  /**
   * §0.4 soft table knowledge: is `iss` inside the issuer space of this AS (its origin, or the
   * scope its table row names, e.g. one Entra tenant)? An iss there that differs from a table
   * issuer means the table is stale; one outside is a foreign issuer.
   */
  inOwnScope(as: AsIdentity, iss: string): boolean {
    if (as.ownScope !== undefined) return safeTest(as.ownScope, iss);
    return originOf(iss) === as.origin;
  }

  /** the provider row with this id: the caller's rows first, then CoatCheck's table */
  providerRow(id: string | undefined): ProviderRow | undefined {
    return providerRow(id, this.providers);
  }

  /**
   * RFC 9207 support of an AS at `time` (mixup-iss-missing (a)), and where that is known from:
   * its observed metadata, an earlier response of the capture that carried its iss, or the
   * provider table (`always since D`, D ≤ time). Undefined when nothing says it sends iss.
   */
  issSupport(as: AsIdentity, time: number): { from: 'metadata' | 'capture' | 'provider'; row?: ProviderRow } | undefined {
    const row = this.providerRow(as.provider);
    if (as.source === 'metadata' && (this.md.map.get(as.issuer)?.issParameterSupported ?? as.sendsIss)) return { from: 'metadata' };
    const sent = this.iss.map.get(as.endpoint);
    if (sent !== undefined && sent < time) return { from: 'capture', row };
    if (as.source !== 'metadata' && row && tableSendsIss(row, time)) return { from: 'provider', row };
    return undefined;
  }

  /**
   * §0.4 "different AS": different known issuers (templates as patterns); with the origin fallback
   * on either side, a different site (G2: hosts of one eTLD+1 are one AS).
   */
  differentAs(a: AsIdentity, b: AsIdentity): boolean {
    if (a.source !== 'origin' && b.source !== 'origin') {
      return !(a.issuer === b.issuer || this.issuerMatches(a, b.issuer) || this.issuerMatches(b, a.issuer));
    }
    if (a.origin === b.origin) return false;
    const ha = parseUrl(a.origin)?.hostname ?? a.origin;
    const hb = parseUrl(b.origin)?.hostname ?? b.origin;
    return siteOf(ha) !== siteOf(hb);
  }

  isKnownAuthorizationEndpoint(base: string): boolean {
    return this.endpointIssuer.has(base) || this.providerFor(base) !== undefined;
  }

  /**
   * The provider table's row for an endpoint (the table and this directory's rows are fixed): a
   * regex per row, so remembered per endpoint; few endpoints come back again and again.
   */
  private providerFor(base: string): ProviderMatch | undefined {
    let m = this.providerByEndpoint.get(base);
    if (m === undefined) {
      m = providerForEndpoint(base, this.providers) ?? null;
      if (this.providerByEndpoint.size >= 1024) this.providerByEndpoint.clear();
      this.providerByEndpoint.set(base, m);
    }
    return m ?? undefined;
  }
  private providerByEndpoint = new Map<string, ProviderMatch | null>();

  endpointKindFromMetadata(base: string): OAuthMessage['endpoint'] | undefined {
    for (const md of this.md.map.values()) {
      for (const [k, v] of Object.entries(md.endpoints)) {
        if (stripQuery(v) !== base) continue;
        const kind = ENDPOINT_KINDS[k];
        if (kind) return kind;
      }
    }
    return undefined;
  }

  // ---------------------------------------------------------------- learning

  /**
   * §0.4 (2), after the rules ran on a response of a clean flow (one AS, matched by state, not a
   * replay): its RFC 9207 iss shows the AS sends iss, and an issuer it names on the AS's own site is
   * learnt for its authorization endpoint — unless metadata already names it or the table already
   * says exactly this (templates and aliases stay).
   */
  learnFromResponse(as: AsIdentity, iss: string | undefined, time: number, fromIdToken: string | undefined): void {
    if (iss !== undefined && iss !== '' && (this.issuerMatches(as, iss) || (as.source === 'provider' && this.inOwnScope(as, iss)))) {
      if (!this.iss.map.has(as.endpoint)) this.iss.set(as.endpoint, time);
    }
    const named = iss !== undefined && iss !== '' ? iss : fromIdToken;
    if (named === undefined || as.source === 'metadata' || as.source === 'id_token') return;
    if (as.source === 'provider' && (this.issuerMatches(as, named) || !this.inOwnScope(as, named))) return;
    this.learnIdTokenIssuer(as.endpoint, named);
  }

  /**
   * §0.4 (2): learn issuer(authorization endpoint) from a clean flow. Only an issuer on the AS's
   * own site is learnt (an AS cannot claim another site's identity this way). Keyed by endpoint,
   * not origin: tenants and realms that share an origin have their own issuers.
   */
  learnIdTokenIssuer(endpoint: string, iss: string): void {
    if (this.idt.map.has(endpoint)) return;
    const a = parseUrl(endpoint);
    const b = parseUrl(iss);
    if (!a || !b || siteOf(a.hostname) !== siteOf(b.hostname)) return;
    this.idt.set(endpoint, iss);
  }

  recordMetadata(fetchedFrom: string, doc: Record<string, unknown>): MetadataRecord | undefined {
    if (typeof doc.issuer !== 'string') return undefined;
    const endpoints: Record<string, string> = {};
    for (const [k, v] of Object.entries(doc)) if (k.endsWith('_endpoint') && typeof v === 'string') endpoints[k] = v;
    const rec: MetadataRecord = {
      issuer: doc.issuer,
      fetchedFrom,
      authorizationEndpoint: endpoints.authorization_endpoint,
      tokenEndpoint: endpoints.token_endpoint,
      endpoints,
      issParameterSupported: doc.authorization_response_iss_parameter_supported === true,
      codeChallengeMethods: Array.isArray(doc.code_challenge_methods_supported)
        ? doc.code_challenge_methods_supported.filter((x): x is string => typeof x === 'string')
        : undefined,
    };
    // the oldest document beyond the cap goes, and the endpoints it named with it
    this.setMetadata(rec, (gone) => {
      for (const [ep, iss] of this.endpointIssuer) if (iss === gone) this.endpointIssuer.delete(ep);
    });
    this.mapEndpoint(rec);
    return rec;
  }

  /**
   * authorization_endpoint → issuer, only for an endpoint on the site the document was fetched
   * from: a document on attacker.example must not rename another site's authorization endpoint.
   */
  private mapEndpoint(rec: MetadataRecord): void {
    if (!rec.authorizationEndpoint) return;
    const ep = parseUrl(rec.authorizationEndpoint);
    const src = parseUrl(rec.fetchedFrom);
    if (!ep || !src || siteOf(ep.hostname) !== siteOf(src.hostname)) return;
    this.endpointIssuer.set(ep.base, rec.issuer);
  }

  // ---------------------------------------------------------------- journal

  flush(batch: JournalBatch): void {
    this.md.flush(batch, 'as:md:');
    this.idt.flush(batch, 'as:idt:');
    this.iss.flush(batch, 'as:iss:');
  }

  /** never saved: changes are not tracked (Dirty.untrack) */
  untrack(): void {
    this.md.untrack();
    this.idt.untrack();
    this.iss.untrack();
  }

  markAll(): void {
    this.md.markAll();
    this.idt.markAll();
    this.iss.markAll();
  }

  restore(entries: JournalEntries): void {
    this.md.restore(entries, 'as:md:', isMetadata);
    this.idt.restore(entries, 'as:idt:', isString);
    this.iss.restore(entries, 'as:iss:', isNumber);
    this.byTokenEndpoint = new Map();
    this.tokenIssuer.clear();
    for (const rec of this.md.map.values()) {
      this.mapEndpoint(rec);
      this.indexToken(rec, true);
    }
  }

  /** the old layout */
  load(part: { metadata?: MetadataRecord[]; idTokenIssuer?: [string, string][]; issSent?: [string, number][] }): void {
    for (const m of part.metadata ?? []) {
      if (!isMetadata(m)) continue;
      this.setMetadata(m);
      this.mapEndpoint(m);
    }
    for (const [k, v] of part.idTokenIssuer ?? []) if (isString(v)) this.idt.set(k, v);
    for (const [k, v] of part.issSent ?? []) if (isNumber(v)) this.iss.set(k, v);
  }
}

const NO_RECORDS: readonly MetadataRecord[] = [];

function safeTest(pattern: string, s: string): boolean {
  try {
    return new RegExp(pattern).test(s);
  } catch {
    return false; // a malformed pattern matches nothing
  }
}
