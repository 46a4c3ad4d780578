/**
 * What a capture taught about protected-resource discovery and about where credentials went
 * (detectors.md §0.2, §1 I `credential-sent-to-other-issuer`, §1 L). The flow store owns one and
 * feeds it every observation before classification (`observe`); the group L rules and the flow
 * store's MCP mark read it. Secrets are kept only as hashes. Bounded, and saved with the store's
 * journal (only the keys a change touched).
 */
import { header, type Observation } from '../observe/observation';
import { hasWellKnown, H_ALL, H_AUTHORIZATION, H_MCP_VERSION, requestOrigin } from '../observe/raw';
import { decodeJwtHeaderUnsafe, decodeJwtPayloadUnsafe } from '../tokens/peek';
import { authorizationJwt, type PresentedJwt } from '../tokens/sources';
import { parseJsonDocument, parseJsonObject } from '../util/json';
import { equalityKey } from '../util/secret';
import { originOf, parseUrl, stripFragment } from '../util/url';
import { asMetadataProbe, bearerChallenge, compareResource, initializeVersion, isPrmWellKnown } from './discovery';
import { isRegistrationRequest } from './registration';
import { Dirty, entriesUnder, entryAt, isRecord, OrderedMap, type JournalBatch, type JournalEntries } from '../flows/journal';
import { dropFirst } from '../flows/lists';

const MAX_CONTEXTS = 200;
const MAX_PER_LIST = 40;
const MAX_GLOBAL = 2000;
/** discovery older than this does not mark an authorization request (the flow TTL, §0.3) */
export const DISCOVERY_TTL_MS = 30 * 60 * 1000;

export type { BearerUse, CredentialUse, McpAsDoc, McpChallenge, McpContext, McpFlowMark, McpRegistration, McpResourceDoc } from './records';
import type { BearerUse, CredentialUse, McpAsDoc, McpContext, McpFlowMark } from './records';

function push<T>(list: T[], x: T, max = MAX_PER_LIST): void {
  list.push(x);
  if (list.length > max) dropFirst(list, list.length - max);
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}


/**
 * The ledger's key of a credential presented or issued at a token endpoint: its kind and the
 * credential's `equalityKey` (util/secret.ts: a fastHash, compared for equality only; no finding
 * shows it, a finding's fingerprint is the credential's SHA-256). A token response's refresh token
 * and a client assertion are fingerprinted by nothing else: the ledger cost a SHA-256 of each.
 */
export function credentialKey(kind: CredentialUse['kind'], value: string): string {
  return `${kind}:${equalityKey(value)}`;
}

/** The ledger's key of a bearer access token (`bearers`): its `equalityKey`, as credentialKey. */
export function bearerKey(jwt: string): string {
  return equalityKey(jwt);
}

/**
 * A key saved before the ledger's keys were equality keys: a SHA-256 prefix of 16 hex characters
 * (an equality key has 14), which no credential can match any more. Dropped on restore (and from
 * the journal at the next flush); storage.session, where the journal lives, is cleared when the
 * extension updates anyway.
 */
const OLD_KEY = /^(?:(?:refresh_token|client_secret|client_assertion):)?[0-9a-f]{16}$/;

/**
 * Journal keys (flows/journal.ts): `mcp:ctx:<context>`, `mcp:cred:<kind>:<key>`,
 * `mcp:bearer:<key>`, `mcp:reg` (keys: credentialKey, bearerKey). Every change marks its key; a
 * flush writes only those.
 */
export class McpLedger {
  private contexts = new Map<string, McpContext>();
  private dirtyContexts = new Dirty();
  private creds = new OrderedMap<CredentialUse[]>(MAX_GLOBAL);
  private bearerMap = new OrderedMap<BearerUse[]>(MAX_GLOBAL);
  /**
   * changes whenever a token's recorded uses can lose an origin or gain a second one (a key
   * evicted, a list's oldest use dropped, a use at another origin added to a list, a restore): the
   * marks kept with presented tokens (tokens/presented.ts LedgerMark) of an older generation are
   * not trusted. A new token's first use leaves the others' marks valid.
   */
  private bearerGen = 0;
  private readonly onBearerEvict = (): void => {
    this.bearerGen += 1;
  };
  /** registration endpoints named by AS metadata seen */
  registrationEndpoints = new Set<string>();
  private regChanged = false;
  /** some 401 challenge named a resource_metadata URL (until then no URL can be one) */
  private anyNamed = false;

  /** `<kind>:<hash>` → uses, first first */
  get credentials(): ReadonlyMap<string, readonly CredentialUse[]> {
    return this.creds.map;
  }

  /** access-token hash → the resource origins it was sent to */
  get bearers(): ReadonlyMap<string, readonly BearerUse[]> {
    return this.bearerMap.map;
  }

  /** how the issuer of a token endpoint is resolved (the store answers from observed metadata) */
  constructor(private readonly issuerOfTokenEndpoint: (base: string) => string | undefined = () => undefined) {}

  ctx(context: string): McpContext | undefined {
    return this.contexts.get(context);
  }

  private ensure(context: string, time: number): McpContext {
    let c = this.contexts.get(context);
    if (!c) {
      c = { challenges: [], resourceDocs: [], asDocs: [], registrations: [], last: time };
      this.contexts.set(context, c);
      if (this.contexts.size > MAX_CONTEXTS) {
        let oldest: string | undefined;
        let t = Infinity;
        for (const [k, v] of this.contexts) if (v.last < t && k !== context) [oldest, t] = [k, v.last];
        if (oldest !== undefined) {
          this.contexts.delete(oldest);
          this.dirtyContexts.drop(oldest);
        }
      }
    }
    c.last = Math.max(c.last, time);
    // every change of a context goes through here
    this.dirtyContexts.mark(context);
    return c;
  }

  /** Has this context shown protected-resource discovery (a 401 naming resource_metadata, or a PRM fetch) within the TTL before `time`? */
  discovered(context: string, time: number): boolean {
    const c = this.contexts.get(context);
    if (!c) return false;
    const fresh = (t: number) => t <= time && time - t <= DISCOVERY_TTL_MS;
    return c.resourceDocs.some((d) => fresh(d.time)) || c.challenges.some((x) => x.resourceMetadata !== undefined && fresh(x.time));
  }

  /** Was this URL named by a 401's resource_metadata in this context (a PRM document at a custom location)? */
  namedResourceMetadata(url: string, context: string): boolean {
    if (!this.anyNamed) return false; // no 401 so far named a metadata URL (every event asks, twice)
    const c = this.contexts.get(context);
    if (!c || c.challenges.length === 0) return false;
    const u = stripFragment(url);
    return c.challenges.some((x) => x.resourceMetadata === u);
  }

  /** Called for every observation, before classification. Cheap for ordinary traffic. */
  observe(o: Observation, headers = H_ALL): void {
    // `headers`: the request header bits (observe/raw.ts, the engine's one pass over the headers)
    if ((headers & H_MCP_VERSION) !== 0) {
      for (const h of o.requestHeaders) {
        if (h.name.length === 20 && h.name.toLowerCase() === 'mcp-protocol-version' && /^\d{4}-\d{2}-\d{2}$/.test(h.value.trim())) {
          this.ensure(o.context, o.time).protocolVersion = h.value.trim();
        }
      }
    }
    if ((headers & H_AUTHORIZATION) !== 0 && o.requestHeaders.length > 0) {
      const bearer = authorizationJwt(o);
      if (bearer?.scheme === 'bearer') this.recordBearer(o, bearer);
    }
    if (o.status === 401) this.recordChallenge(o);
    if (hasWellKnown(o.url) || this.namedResourceMetadata(o.url, o.context)) this.recordDocument(o);
    if (o.method === 'POST') this.recordPost(o);
  }

  private recordChallenge(o: Observation): void {
    const ch = bearerChallenge(header(o.responseHeaders, 'www-authenticate'), o.url);
    if (!ch) return;
    const u = parseUrl(o.url);
    if (!u) return;
    const c = this.ensure(o.context, o.time);
    if (ch.resourceMetadata) this.anyNamed = true;
    push(c.challenges, { obsId: o.id, ref: o.ref, time: o.time, url: u.base, origin: u.origin, resourceMetadata: ch.resourceMetadata ? stripFragment(ch.resourceMetadata) : undefined });
  }

  private recordDocument(o: Observation): void {
    if (o.method !== 'GET') return;
    const url = stripFragment(o.url);
    // a discovery document or JWKS: served alike to every client, cached by its text (util/json.ts)
    const json = parseJsonDocument(o.responseBody);
    const ok = o.status === undefined || (o.status >= 200 && o.status < 300);
    if (isPrmWellKnown(url) || this.namedResourceMetadata(url, o.context)) {
      const c = this.ensure(o.context, o.time);
      push(c.resourceDocs, {
        obsId: o.id,
        ref: o.ref,
        time: o.time,
        url,
        status: o.status,
        body: !!json && ok,
        resource: ok && typeof json?.resource === 'string' ? json.resource : undefined,
        authorizationServers: ok ? strings(json?.authorization_servers) : [],
      });
      return;
    }
    if (!asMetadataProbe(url)) return;
    const c = this.ensure(o.context, o.time);
    const good = ok && !!json;
    const str = (k: string) => (good && typeof json?.[k] === 'string' ? (json[k] as string) : undefined);
    const doc: McpAsDoc = {
      obsId: o.id,
      time: o.time,
      url,
      status: o.status,
      ok: good,
      issuer: str('issuer'),
      authorizationEndpoint: str('authorization_endpoint'),
      tokenEndpoint: str('token_endpoint'),
      registrationEndpoint: str('registration_endpoint'),
      pkceAdvertised: good ? Array.isArray(json?.code_challenge_methods_supported) && (json.code_challenge_methods_supported as unknown[]).length > 0 : undefined,
      cimdSupported: good ? json?.client_id_metadata_document_supported === true : undefined,
    };
    push(c.asDocs, doc);
    if (doc.registrationEndpoint) {
      const r = parseUrl(doc.registrationEndpoint);
      if (r && !this.registrationEndpoints.has(r.base)) {
        this.registrationEndpoints.add(r.base);
        this.regChanged = true;
      }
      if (this.registrationEndpoints.size > 200) this.registrationEndpoints.delete(this.registrationEndpoints.values().next().value as string);
    }
  }

  private recordPost(o: Observation): void {
    const text = o.requestBody?.text;
    if (text !== undefined && text.includes('"initialize"')) {
      const v = initializeVersion(o.responseBody) ?? initializeVersion(text);
      if (v) this.ensure(o.context, o.time).protocolVersion = v;
    }
    if (isRegistrationRequest(o, this.registrationEndpoints)) {
      const json = parseJsonObject(o.responseBody);
      const c = this.ensure(o.context, o.time);
      push(c.registrations, { obsId: o.id, ref: o.ref, time: o.time, url: parseUrl(o.url)?.base ?? o.url, clientId: typeof json?.client_id === 'string' ? json.client_id : undefined });
      return;
    }
    const form = o.requestBody?.form;
    if (form && firstOf(form, 'grant_type') !== undefined) this.recordTokenRequest(o, form);
  }

  /** The issuer a token endpoint belongs to: observed metadata, else its origin (weak, §0.4). */
  issuerOf(endpoint: string): { issuer: string; known: boolean } {
    const base = parseUrl(endpoint)?.base ?? endpoint;
    const known = this.issuerOfTokenEndpoint(base);
    return known !== undefined ? { issuer: known, known: true } : { issuer: originOf(endpoint) ?? endpoint, known: false };
  }

  /** `form`: the request's form, the first of a repeated name winning */
  private recordTokenRequest(o: Observation, form: readonly (readonly [string, string])[]): void {
    const endpoint = parseUrl(o.url)?.base;
    if (!endpoint) return;
    // issuerOf(endpoint) without parsing the endpoint again (a parsed URL's base parses to itself)
    const knownIssuer = this.issuerOfTokenEndpoint(endpoint);
    const at: Where = { issuer: knownIssuer ?? originOf(endpoint) ?? endpoint, known: knownIssuer !== undefined, endpoint };
    const refresh = firstOf(form, 'grant_type') === 'refresh_token' ? firstOf(form, 'refresh_token') : undefined;
    if (refresh) this.addCredential(credentialKey('refresh_token', refresh), o, at, 'refresh_token', 'sent');
    const secret = firstOf(form, 'client_secret') ?? basicSecret(header(o.requestHeaders, 'authorization'));
    if (secret) this.addCredential(credentialKey('client_secret', secret), o, at, 'client_secret', 'sent');
    const assertion = firstOf(form, 'client_assertion');
    if (assertion) {
      this.addCredential(credentialKey('client_assertion', assertion), o, at, 'client_assertion', 'sent');
      const who = assertionClientKey(assertion);
      if (who) this.addCredential(`assertion-client:${who}`, o, at, 'client_assertion', 'sent');
    }
    const okStatus = o.status === undefined || (o.status >= 200 && o.status < 300);
    const json = okStatus ? parseJsonObject(o.responseBody) : undefined;
    if (typeof json?.refresh_token === 'string' && json.refresh_token) this.addCredential(credentialKey('refresh_token', json.refresh_token), o, at, 'refresh_token', 'issued');
  }

  private addCredential(key: string, o: Observation, at: Where, kind: CredentialUse['kind'], how: CredentialUse['how']): void {
    const list = this.creds.map.get(key) ?? [];
    for (let i = 0; i < list.length; i++) if (list[i].obsId === o.id && list[i].how === how) return;
    push(list, { kind, issuer: at.issuer, known: at.known, endpoint: at.endpoint, obsId: o.id, ref: o.ref, time: o.time, how }, 20);
    this.creds.set(key, list); // most recent last; the cap drops the oldest
  }

  /**
   * `bearer.key` is bearerKey(bearer.jwt), kept with the presented token (tokens/presented.ts); so
   * is the ledger's mark of where the token was recorded: a token sent again to the origin it was
   * recorded at, nothing dropped or added since, is answered without a lookup.
   */
  private recordBearer(o: Observation, bearer: PresentedJwt): void {
    const origin = requestOrigin(o);
    if (!origin) return;
    const m = bearer.ledgerMark;
    if (m !== undefined && m.owner === this && m.gen === this.bearerGen && m.origin === origin) return;
    const key = bearer.key;
    const list = this.bearerMap.map.get(key) ?? [];
    let known = false;
    for (let i = 0; i < list.length; i++) if (list[i].origin === origin) known = true;
    if (!known) {
      // another origin for a recorded token, or its oldest use dropped: other marks of it are stale
      if (list.length > 0) this.bearerGen += 1;
      push(list, { origin, obsId: o.id, ref: o.ref, time: o.time }, 10);
      this.bearerMap.set(key, list, this.onBearerEvict);
    }
    let only = true;
    for (let i = 0; i < list.length; i++) if (list[i].origin !== origin) only = false;
    bearer.ledgerMark = { owner: this, gen: this.bearerGen, origin, only };
  }

  /**
   * Every recorded use of the presented token went to `origin` (none recorded: true): what
   * `bearers.get(bearer.key)` holds, answered from the token's mark when it is current.
   */
  bearerUsedOnlyAt(bearer: PresentedJwt, origin: string): boolean {
    const m = bearer.ledgerMark;
    if (m !== undefined && m.owner === this && m.gen === this.bearerGen && m.origin === origin) return m.only;
    const uses = this.bearerMap.map.get(bearer.key);
    if (uses === undefined) return true;
    for (let i = 0; i < uses.length; i++) if (uses[i].origin !== origin) return false;
    return true;
  }

  /**
   * The MCP mark of an authorization request to `endpoint` whose AS is `issuer` (§1 L "MCP flow"):
   * the newest protected-resource document of the context whose authorization_servers names the AS
   * (its issuer, an issuer whose metadata lists this endpoint, or the endpoint's origin), else the
   * newest 401 naming resource_metadata. Only discovery within DISCOVERY_TTL_MS before counts.
   */
  flowMark(context: string, endpoint: string, issuer: string, time: number, requestedResource?: string): McpFlowMark | undefined {
    const c = this.contexts.get(context);
    if (!c) return undefined;
    const ep = parseUrl(endpoint);
    if (!ep) return undefined;
    const fresh = (t: number) => t <= time && time - t <= DISCOVERY_TTL_MS;
    const namesAs = (entry: string): boolean => {
      if (compareResource(entry, issuer) !== 'different') return true;
      if (originOf(entry) === ep.origin) return true;
      return c.asDocs.some((d) => d.ok && d.issuer !== undefined && compareResource(d.issuer, entry) !== 'different' && d.authorizationEndpoint !== undefined && parseUrl(d.authorizationEndpoint)?.base === ep.base);
    };
    const version = c.protocolVersion;
    const extra = { ...(version ? { protocolVersion: version } : {}), ...(requestedResource !== undefined ? { requestedResource } : {}) };
    for (let i = c.resourceDocs.length - 1; i >= 0; i--) {
      const d = c.resourceDocs[i];
      if (!fresh(d.time)) continue;
      const entry = d.authorizationServers.find(namesAs);
      if (!entry) continue;
      const ch = [...c.challenges].reverse().find((x) => fresh(x.time) && x.time <= d.time);
      return { via: 'resource-metadata', resourceServer: ch?.origin, resourceMetadata: d.url, resource: d.resource, authorizationServer: entry, ...extra };
    }
    const ch = [...c.challenges].reverse().find((x) => fresh(x.time) && x.resourceMetadata !== undefined);
    if (ch) return { via: 'challenge', resourceServer: ch.origin, resourceMetadata: ch.resourceMetadata, ...extra };
    return undefined;
  }

  flush(batch: JournalBatch): void {
    this.dirtyContexts.flush(batch, 'mcp:ctx:', (c) => this.contexts.get(c));
    this.creds.flush(batch, 'mcp:cred:');
    this.bearerMap.flush(batch, 'mcp:bearer:');
    if (this.regChanged) batch.set['mcp:reg'] = JSON.stringify([...this.registrationEndpoints]);
    this.regChanged = false;
  }

  /** never saved: changes are not tracked (Dirty.untrack) */
  untrack(): void {
    this.dirtyContexts.untrack();
    this.creds.untrack();
    this.bearerMap.untrack();
  }

  markAll(): void {
    for (const c of this.contexts.keys()) this.dirtyContexts.markAny(c);
    this.creds.markAll();
    this.bearerMap.markAll();
    this.regChanged = true;
  }

  /** Restore from the journal's entries; malformed entries are skipped. */
  restore(entries: JournalEntries): void {
    for (const [c, v] of entriesUnder(entries, 'mcp:ctx:')) if (isRecord(v) && Array.isArray(v.challenges) && Array.isArray(v.resourceDocs) && Array.isArray(v.asDocs) && Array.isArray(v.registrations)) this.contexts.set(c, v as unknown as McpContext);
    this.anyNamed = [...this.contexts.values()].some((c) => c.challenges.some((x) => x.resourceMetadata !== undefined));
    this.creds.restore(entries, 'mcp:cred:', (v): v is CredentialUse[] => Array.isArray(v));
    this.bearerMap.restore(entries, 'mcp:bearer:', (v): v is BearerUse[] => Array.isArray(v));
    this.bearerGen += 1;
    for (const m of [this.creds, this.bearerMap] as OrderedMap<unknown>[]) for (const k of [...m.map.keys()]) if (OLD_KEY.test(k)) m.delete(k);
    this.registrationEndpoints = new Set(strings(entryAt(entries, 'mcp:reg')));
  }
}

/**
 * Every recorded use of the presented token went to `origin` (none recorded: true), as the
 * ledger's `bearers` say; the flow store's ledger answers from the token's mark when it is current.
 */
export function bearerUsedOnlyAt(mcp: Pick<McpLedger, 'bearers'>, bearer: PresentedJwt, origin: string): boolean {
  if (mcp instanceof McpLedger) return mcp.bearerUsedOnlyAt(bearer, origin);
  const uses = mcp.bearers.get(bearer.key);
  if (uses === undefined) return true;
  for (let i = 0; i < uses.length; i++) if (uses[i].origin !== origin) return false;
  return true;
}

/** The secret of an HTTP Basic client authentication header (RFC 6749 §2.3.1). */
function basicSecret(auth: string | undefined): string | undefined {
  const m = auth?.match(/^basic\s+([A-Za-z0-9+/=]+)\s*$/i);
  if (!m) return undefined;
  try {
    const decoded = atob(m[1]);
    const i = decoded.indexOf(':');
    return i >= 0 && i < decoded.length - 1 ? decoded.slice(i + 1) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The issuer whose observed metadata lists `base` as its token endpoint. A document can claim
 * another site's endpoint (metadata-endpoint-foreign): an issuer of the endpoint's own site wins.
 */
export function issuerForTokenEndpoint(mds: Iterable<{ issuer: string; tokenEndpoint?: string }>, base: string, siteOf: (host: string) => string): string | undefined {
  let any: string | undefined;
  let host: string | undefined | null = null; // parsed on the first match
  // stripQueryOf(t) === base, without a regex per document: base has no ? or #, t is base up to one
  if (base.includes('?') || base.includes('#')) return undefined;
  for (const md of mds) {
    const t = md.tokenEndpoint;
    if (!t || !t.startsWith(base) || (t.length > base.length && t[base.length] !== '?' && t[base.length] !== '#')) continue;
    if (host === null) host = parseUrl(base)?.hostname;
    const ih = parseUrl(md.issuer)?.hostname;
    if (host && ih && siteOf(host) === siteOf(ih)) return md.issuer;
    any ??= md.issuer;
  }
  return any;
}


/** The client and key of a client assertion (`iss`/`sub` and `kid` or `x5t#S256`), the identity that must stay with one AS. */
export function assertionClientKey(assertion: string): string | undefined {
  const h = decodeJwtHeaderUnsafe(assertion);
  const p = decodeJwtPayloadUnsafe(assertion);
  const client = typeof p?.iss === 'string' ? p.iss : typeof p?.sub === 'string' ? p.sub : undefined;
  const key = typeof h?.kid === 'string' ? h.kid : typeof h?.['x5t#S256'] === 'string' ? (h['x5t#S256'] as string) : undefined;
  return client && key ? `${client}|${key}` : undefined;
}

/** where a token request went: the issuer (or origin) of its endpoint */
interface Where {
  issuer: string;
  known: boolean;
  endpoint: string;
}

/** the first value of a form parameter (no map of the form: a token request asks four names) */
function firstOf(form: readonly (readonly [string, string])[], name: string): string | undefined {
  for (let i = 0; i < form.length; i++) if (form[i][0] === name) return form[i][1];
  return undefined;
}
