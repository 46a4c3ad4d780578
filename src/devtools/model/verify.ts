/**
 * Signature verification on the user's request: the issuer's JWKS found through its metadata
 * (already captured, or fetched now), then the core's `inspectToken` with those keys. Never runs
 * by itself: the panel calls it from a button (or when the user enabled auto-verification).
 */
import { type FetchPolicy, fetchRefusal, type FetchRefusal, inspectToken, isProviderEndpointHost, type JsonObject, type TokenReport } from '../../core';

export type FetchJson = (url: string) => Promise<unknown>;

export interface KnownDocs {
  /** metadata documents by issuer */
  metadata: Map<string, JsonObject>;
  /** JWKS documents by URL */
  jwks: Map<string, JsonObject>;
}

export interface VerifyResult {
  verified: boolean | null;
  kid: string | null;
  alg: string | null;
  reason: string | null;
  issuer?: string;
  jwksUri?: string;
  /** where the keys came from */
  keysFrom?: 'capture' | 'fetched';
  /** kids the JWKS has, to explain a kid mismatch */
  availableKids: string[];
  report?: TokenReport;
  /** a URL the token led to that was not fetched (private host, not https, another site): the UI offers to allow its origin */
  blocked?: FetchRefusal & { url: string };
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function metadataUrls(issuer: string): string[] {
  const u = issuer.replace(/\/$/, '');
  let path = '';
  let origin = u;
  try {
    const p = new URL(issuer);
    origin = p.origin;
    path = p.pathname.replace(/\/$/, '');
  } catch {
    /* keep */
  }
  const out = [`${u}/.well-known/openid-configuration`];
  out.push(`${origin}/.well-known/oauth-authorization-server${path}`);
  if (path) out.push(`${origin}/.well-known/openid-configuration${path}`);
  return [...new Set(out)];
}

/**
 * What verifying this token would fetch (nothing when the capture holds its issuer's metadata and
 * keys): shown beside the button, so the user knows before clicking.
 */
export function plannedFetches(payloadIss: unknown, known: KnownDocs): string[] {
  if (typeof payloadIss !== 'string' || !/^https?:\/\//.test(payloadIss)) return [];
  const md = known.metadata.get(payloadIss) ?? known.metadata.get(payloadIss.replace(/\/$/, '')) ?? known.metadata.get(`${payloadIss}/`);
  if (!md) return [metadataUrls(payloadIss)[0], "the metadata's jwks_uri"];
  return typeof md.jwks_uri === 'string' && !known.jwks.has(md.jwks_uri) ? [md.jwks_uri] : [];
}

/**
 * Verify a token's signature with its issuer's keys: from the capture when it holds them, else
 * fetched under `policy` (core/util/fetch-policy: public https hosts only, a jwks_uri on the
 * issuer's site or a host the provider table gives it, unless the user allowed the origin). A
 * refused URL comes back as `blocked`, never fetched.
 */
export async function verifyWithIssuer(raw: string, payloadIss: unknown, known: KnownDocs, fetchJson: FetchJson, policy: FetchPolicy = {}): Promise<VerifyResult> {
  const none = (reason: string, extra: Partial<VerifyResult> = {}): VerifyResult => ({ verified: null, kid: null, alg: null, reason, availableKids: [], ...extra });
  if (typeof payloadIss !== 'string' || !/^https?:\/\//.test(payloadIss)) return none('the token has no http(s) iss claim to find the issuer\'s keys by');
  const issuer = payloadIss;
  const refused = (url: string, r: FetchRefusal, extra: Partial<VerifyResult> = {}) => none(`not fetched: ${r.reason}`, { issuer, blocked: { ...r, url }, ...extra });
  let from: 'capture' | 'fetched' = 'capture';
  let md = known.metadata.get(issuer) ?? known.metadata.get(issuer.replace(/\/$/, '')) ?? known.metadata.get(`${issuer}/`);
  if (!md) {
    from = 'fetched';
    const errors: string[] = [];
    for (const url of metadataUrls(issuer)) {
      const r = fetchRefusal(url, policy);
      if (r) return refused(url, r);
      try {
        const doc = await fetchJson(url);
        if (isObject(doc) && typeof doc.jwks_uri === 'string') {
          md = doc;
          break;
        }
        errors.push(`${url}: no jwks_uri`);
      } catch (e) {
        errors.push(`${url}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    if (!md) return none(`no metadata with a jwks_uri for ${issuer} (${errors.join('; ')})`, { issuer });
  }
  if (typeof md.issuer === 'string' && md.issuer !== issuer) {
    return none(`the metadata's issuer "${md.issuer}" is not the token's iss "${issuer}": refusing its keys`, { issuer });
  }
  const jwksUri = typeof md.jwks_uri === 'string' ? md.jwks_uri : undefined;
  if (!jwksUri) return none(`the metadata of ${issuer} has no jwks_uri`, { issuer });
  let jwks = known.jwks.get(jwksUri);
  if (!jwks) {
    from = 'fetched';
    const r = fetchRefusal(jwksUri, policy, { url: issuer, sameOwner: (h) => isProviderEndpointHost(issuer, h) });
    if (r) return refused(jwksUri, r, { jwksUri });
    try {
      const doc = await fetchJson(jwksUri);
      if (!isObject(doc) || !Array.isArray(doc.keys)) return none(`${jwksUri} is not a JWKS`, { issuer, jwksUri });
      jwks = doc;
    } catch (e) {
      return none(`cannot fetch ${jwksUri}: ${e instanceof Error ? e.message : String(e)}`, { issuer, jwksUri });
    }
  }
  const availableKids = (jwks.keys as unknown[]).map((k) => (isObject(k) && typeof k.kid === 'string' ? k.kid : '(no kid)'));
  let report: TokenReport;
  try {
    report = await inspectToken(raw, { keys: jwks });
  } catch (e) {
    return none(e instanceof Error ? e.message : String(e), { issuer, jwksUri, availableKids });
  }
  const sig = report.signature ?? report.signatures?.[0];
  return {
    verified: sig?.verified ?? null,
    kid: sig?.kid ?? null,
    alg: sig?.alg ?? null,
    reason: sig?.reason ?? (report.kind === 'JWE' ? 'a JWE is encrypted, not signed by the issuer: the client\'s key is needed' : null),
    issuer,
    jwksUri,
    keysFrom: from,
    availableKids,
    report,
  };
}

/** Metadata and JWKS documents the capture already holds (DevTools saw the SPA fetch them). */
export function knownDocsFrom(steps: readonly { msg: { kind: string; json?: JsonObject; url?: { href: string } }; obs: { url: string } }[]): KnownDocs {
  const k: KnownDocs = { metadata: new Map(), jwks: new Map() };
  for (const s of steps) {
    if (s.msg.kind === 'metadata' && s.msg.json && typeof s.msg.json.issuer === 'string') k.metadata.set(s.msg.json.issuer, s.msg.json);
    if (s.msg.kind === 'jwks' && s.msg.json) k.jwks.set(s.obs.url, s.msg.json);
  }
  return k;
}

/**
 * Verify with a key the user pasted (JWK, JWKS or PEM), and the payload of a detached JWS when it
 * has one (RFC 7515 App. F; RFC 7797 `b64: false`, the open-banking x-jws-signature shape). Nothing
 * is fetched.
 */
export async function verifyWithKey(raw: string, keyText: string, detachedPayload?: string): Promise<VerifyResult> {
  const none = (reason: string): VerifyResult => ({ verified: null, kid: null, alg: null, reason, availableKids: [] });
  if (!keyText.trim()) return none('paste a JWK, JWKS or PEM key first');
  let report: TokenReport;
  try {
    report = await inspectToken(raw, { keys: keyText.trim(), ...(detachedPayload !== undefined && detachedPayload !== '' ? { detachedPayload } : {}) });
  } catch (e) {
    return none(e instanceof Error ? e.message : String(e));
  }
  const sig = report.signature ?? report.signatures?.[0];
  return { verified: sig?.verified ?? null, kid: sig?.kid ?? null, alg: sig?.alg ?? null, reason: sig?.reason ?? null, availableKids: [], report };
}

