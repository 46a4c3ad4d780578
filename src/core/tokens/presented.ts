/**
 * The JWT a request presents in `Authorization: Bearer|DPoP <JWT>` (sources.ts, authorizationJwt),
 * with what its readers derive from it: the MCP ledger's key, the payload and the rules' decoded
 * view. One object per distinct header value among the recent ones: a single-page app sends the
 * same token on every API call, and each reader's answer is then found on the object instead of
 * being looked up again per reader and call (the ledger and three rules each found, keyed and
 * decoded the token on every call). Every derived value is a pure function of the token, computed
 * on first use. Read-only for the callers.
 */
import { internOrigin } from '../observe/raw';
import { equalityKey } from '../util/secret';
import { parseUrl } from '../util/url';
import { ruleToken, type TokenReport } from './decode';
import { decodeJwtPayloadUnsafe } from './peek';

/** one absolute http(s) URL among a token's `aud` values, with its origin (undefined: the URL does not parse) */
export interface UrlAudience {
  aud: string;
  origin: string | undefined;
}

/** aud values that are absolute http(s) URLs (others — `api`, GUIDs, `api://…` — are not judged) */
export function urlAudiences(aud: unknown): string[] {
  const all = Array.isArray(aud) ? aud : [aud];
  return all.filter((a): a is string => typeof a === 'string' && /^https?:\/\/[^/]/i.test(a));
}

/**
 * What the MCP ledger (mcp/ledger.ts) knows of the token's recorded uses, kept with the token: at
 * generation `gen` of ledger `owner`, its list holds a use at `origin` (`only`: and no other).
 */
export interface LedgerMark {
  readonly owner: object;
  readonly gen: number;
  readonly origin: string;
  readonly only: boolean;
}

export class PresentedJwt {
  // (private fields: the object compares equal to `{ scheme, jwt }` whatever was derived)
  #mark: LedgerMark | undefined;
  #key: string | undefined;
  #payload: Record<string, unknown> | null | undefined;
  #report: TokenReport | null | undefined;
  #audiences: readonly UrlAudience[] | undefined;

  constructor(
    readonly scheme: 'bearer' | 'dpop',
    /** a compact JWS: `^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$` */
    readonly jwt: string,
  ) {}

  /** `equalityKey(jwt)` (util/secret.ts): the MCP ledger's key of the token (mcp/ledger.ts bearerKey) */
  get key(): string {
    return (this.#key ??= equalityKey(this.jwt));
  }

  /** the MCP ledger's mark (read and written by the ledger only) */
  get ledgerMark(): LedgerMark | undefined {
    return this.#mark;
  }

  set ledgerMark(m: LedgerMark | undefined) {
    this.#mark = m;
  }

  /**
   * `decodeJwtPayloadUnsafe(jwt)`: the payload when it is a JSON object. When the rules' view was
   * decoded first (the token rules run before the MCP group) its object payload is the same JSON
   * (property-tested): the payload is then not decoded a second time.
   */
  get payload(): Record<string, unknown> | undefined {
    if (this.#payload === undefined) this.#payload = objectPayloadOf(this.#report) ?? decodeJwtPayloadUnsafe(this.jwt) ?? null;
    return this.#payload ?? undefined;
  }

  /** `ruleToken(jwt, true)`: the token rules' decoded view (it reuses a payload decoded first: peek.ts peekedPayload) */
  get report(): TokenReport | undefined {
    if (this.#report === undefined) this.#report = ruleToken(this.jwt, true) ?? null;
    return this.#report ?? undefined;
  }

  /** `urlAudiences(payload.aud)` with each one's origin (`parseUrl(aud)?.origin`); none without a payload */
  get audiences(): readonly UrlAudience[] {
    if (this.#audiences === undefined) {
      const p = this.payload;
      this.#audiences = p ? urlAudiences(p.aud).map((aud) => ({ aud, origin: audienceOrigin(aud) })) : [];
    }
    return this.#audiences;
  }
}

/** `parseUrl(aud)?.origin`, as one of the recent request origins when it is one (observe/raw.ts internOrigin) */
function audienceOrigin(aud: string): string | undefined {
  const origin = parseUrl(aud)?.origin;
  return origin === undefined ? undefined : internOrigin(origin);
}

/**
 * The payload of a compact JWS's report when it is a JSON object decoded from base64url (the
 * header has no `"b64": false`): what decodeJwtPayloadUnsafe reads from the same part.
 */
function objectPayloadOf(r: TokenReport | null | undefined): Record<string, unknown> | undefined {
  if (!r || r.kind === 'JWE' || r.serialization !== 'compact' || r.header.b64 === false) return undefined;
  const p = r.payload;
  return p !== null && typeof p === 'object' && !Array.isArray(p) ? p : undefined;
}
