/**
 * Token-level checks shared by the engine's rules (which decode without verifying) and the CLI's
 * `inspect` command. Claims are read, never trusted: they are never used to suppress a finding.
 */
import { numericDateIso, type JsonObject, type TokenFinding, type TokenReport } from './decode';

export interface TokenCheckOptions {
  /** the client the token was issued to (ID token audience checks) */
  clientId?: string;
  /** --expect-aud: a value `aud` must contain */
  expectAud?: string;
  /** --expect-iss: the exact expected `iss` */
  expectIss?: string;
  /** the client is public (no client secret): HS* ID tokens are then a finding */
  publicClient?: boolean;
  /** the token travelled through the browser (front channel): alg none is then critical */
  frontChannel?: boolean;
  /** what the token is, when the caller knows */
  use?: 'id_token' | 'access_token' | 'assertion' | 'request' | 'logout_token' | 'jarm' | 'unknown';
  /** the current time in ms (default Date.now()) */
  now?: number;
}

function audList(aud: unknown): string[] | undefined {
  if (typeof aud === 'string') return [aud];
  if (Array.isArray(aud)) return aud.filter((x): x is string => typeof x === 'string');
  return undefined;
}

/** alg = none (any case) or an empty signature under a real alg. */
export function algNoneCheck(r: TokenReport, frontChannel: boolean): TokenFinding | undefined {
  if (r.kind === 'JWE') return undefined;
  // one signature (a compact token): a signed, non-empty one is the usual answer, found without an array
  const one = r.signatures === undefined ? r.signature : undefined;
  if (one !== undefined && !one.empty && (one.alg === null || one.alg.toLowerCase() !== 'none')) return undefined;
  const sigs = r.signatures ?? (r.signature ? [r.signature] : []);
  const severity = frontChannel ? 'critical' : 'high';
  for (const s of sigs) {
    if (s.alg !== null && s.alg.toLowerCase() === 'none') {
      return { ruleId: 'jwt-alg-none', severity, variant: 'alg-none', message: `The token is unsecured: its header says alg "${s.alg}", so anyone can forge it.` };
    }
  }
  for (const s of sigs) {
    if (s.empty && s.alg) {
      return { ruleId: 'jwt-alg-none', severity, variant: 'empty-signature', message: `The token's header says alg "${s.alg}" but its signature is empty.` };
    }
  }
  return undefined;
}

/**
 * OIDC Core §3.1.3.7 items 3–5: `aud` must contain the client_id; `azp`, when present, should be
 * the client_id. A multi-valued aud without azp is low; the Google cross-client shape (aud =
 * client_id alone, azp = another client) is low.
 */
export function audienceCheck(payload: JsonObject, clientId: string): TokenFinding | undefined {
  // the usual ID token: aud is the client_id, azp absent or the client_id (no list built)
  if (payload.aud === clientId && (payload.azp === undefined || payload.azp === clientId)) return undefined;
  const aud = audList(payload.aud);
  const azp = payload.azp;
  if (!aud || aud.length === 0) {
    return { ruleId: 'id-token-aud-mismatch', severity: 'high', variant: 'aud-missing', data: { clientId }, message: `The ID token has no usable "aud" claim; it must contain the client_id "${clientId}".` };
  }
  if (!aud.includes(clientId)) {
    return {
      ruleId: 'id-token-aud-mismatch',
      severity: 'high',
      variant: 'aud-lacks-client',
      data: { clientId, aud: JSON.stringify(payload.aud) },
      message: `The ID token's aud ${JSON.stringify(payload.aud)} does not contain the client_id "${clientId}": it was issued to another client.`,
    };
  }
  if (azp !== undefined && azp !== clientId) {
    if (aud.length === 1) {
      return {
        ruleId: 'id-token-aud-mismatch',
        severity: 'low',
        variant: 'azp-other-client',
        data: { clientId, azp: String(azp) },
        message: `The ID token's azp "${String(azp)}" differs from the client_id "${clientId}" (aud is the client alone: a cross-client token).`,
      };
    }
    return {
      ruleId: 'id-token-aud-mismatch',
      severity: 'high',
      variant: 'azp-mismatch',
      data: { clientId, azp: String(azp), aud: JSON.stringify(payload.aud) },
      message: `The ID token's azp "${String(azp)}" differs from the client_id "${clientId}" (aud ${JSON.stringify(payload.aud)}).`,
    };
  }
  if (aud.length > 1 && azp === undefined) {
    return {
      ruleId: 'id-token-aud-mismatch',
      severity: 'low',
      variant: 'multi-aud-no-azp',
      data: { aud: JSON.stringify(payload.aud) },
      message: `The ID token has several audiences ${JSON.stringify(payload.aud)} and no azp claim.`,
    };
  }
  return undefined;
}

/** A JWT access token (RFC 9068) by its shape: typ at+jwt, or access-token claims without a nonce. */
export function looksLikeAccessToken(r: TokenReport): boolean {
  const typ = typeof r.header.typ === 'string' ? r.header.typ.toLowerCase() : '';
  if (typ === 'at+jwt' || typ === 'application/at+jwt') return true;
  const p = r.payload;
  if (!p || typeof p !== 'object') return false;
  return ('scope' in p || 'client_id' in p || 'scp' in p) && !('nonce' in p);
}

export function lifetimeCheck(r: TokenReport): TokenFinding | undefined {
  const p = r.payload;
  if (!p || typeof p !== 'object') return undefined;
  const { iat, exp } = p;
  if (typeof iat !== 'number' || typeof exp !== 'number') return undefined;
  const life = exp - iat;
  if (life > 3600) {
    return {
      ruleId: 'token-lifetime-long',
      severity: 'low',
      variant: 'jwt-exp',
      data: { life: formatDuration(life), seconds: life },
      message: `The JWT access token lives ${formatDuration(life)} (exp - iat = ${life} s), more than 1 hour.`,
    };
  }
  return undefined;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return `${seconds} s`;
  const s = Math.abs(Math.round(seconds));
  if (s >= 365 * 86400) return `${seconds < 0 ? '-' : ''}${(s / (365.25 * 86400)).toFixed(1)} years`;
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const parts: string[] = [];
  if (d) parts.push(`${d} d`);
  if (h) parts.push(`${h} h`);
  if (m) parts.push(`${m} min`);
  if (!parts.length || (!d && !h && s % 60)) parts.push(`${s % 60} s`);
  return `${seconds < 0 ? '-' : ''}${parts.join(' ')}`;
}

const KID_METACHARS = /[/\\]|\.\.|:\/\/|['";`]|--|\s|\0/;
/**
 * A kid that is a padded standard-base64 string (AWS Cognito: base64 of a key hash, often with "/"
 * and "+"): its "/" is part of the encoding, not a path. Traversal needs "..", which base64 lacks.
 */
const BASE64_KID = /^[A-Za-z0-9+/]{18,}={0,2}$/;
const isBase64Kid = (kid: string) => kid.length % 4 === 0 && BASE64_KID.test(kid) && kid.indexOf('//') < 0;

function mayBeRisky(h: JsonObject): boolean {
  return 'jku' in h || 'x5u' in h || 'jwk' in h || 'x5c' in h || (typeof h.kid === 'string' && KID_METACHARS.test(h.kid));
}

/**
 * Could riskyHeaderChecks find anything on this token, met as `use`? False for the usual token
 * (no key header, a plain kid, not an HS* ID token): the rule then builds nothing for it. A quick
 * superset of the checks, no array, set or closure.
 */
export function riskyHeaderPossible(r: TokenReport, use: string): boolean {
  if (use === 'id_token' && typeof r.header.alg === 'string' && r.header.alg.startsWith('HS')) return true;
  if (mayBeRisky(r.header) || (r.unprotectedHeader !== undefined && mayBeRisky(r.unprotectedHeader))) return true;
  const sigs = r.signatures;
  if (sigs === undefined) return r.signature?.header !== undefined && mayBeRisky(r.signature.header);
  for (let i = 0; i < sigs.length; i++) if (sigs[i].header !== undefined && mayBeRisky(sigs[i].header!)) return true;
  return false;
}

/** OIDC Core §2, §10.1: risky JOSE headers (tier 2 `jwt-risky-header`). */
export function riskyHeaderChecks(r: TokenReport, opts: TokenCheckOptions): TokenFinding[] {
  const out: TokenFinding[] = [];
  const headers: JsonObject[] = [r.header, ...(r.unprotectedHeader ? [r.unprotectedHeader] : [])];
  for (const s of r.signatures ?? (r.signature ? [r.signature] : [])) if (s.header) headers.push(s.header);
  const seen = new Set<string>();
  for (const h of headers) {
    for (const k of ['jku', 'x5u', 'jwk', 'x5c']) {
      if (k in h && !seen.has(k)) {
        seen.add(k);
        out.push({ ruleId: 'jwt-risky-header', severity: 'medium', variant: `header-${k}`, data: { header: k }, message: `The token carries a "${k}" header: a verifier that follows it lets the sender choose the key.` });
      }
    }
    if (typeof h.kid === 'string' && KID_METACHARS.test(h.kid) && !isBase64Kid(h.kid) && !seen.has('kid')) {
      seen.add('kid');
      out.push({ ruleId: 'jwt-risky-header', severity: 'medium', variant: 'kid-metacharacters', data: { kid: JSON.stringify(h.kid) }, message: `The token's kid ${JSON.stringify(h.kid)} contains path, URL or SQL metacharacters.` });
    }
  }
  const alg = typeof r.header.alg === 'string' ? r.header.alg : '';
  if (opts.publicClient && opts.use === 'id_token' && /^HS(256|384|512)$/.test(alg)) {
    out.push({ ruleId: 'jwt-risky-header', severity: 'medium', variant: 'hs-public-client', data: { alg }, message: `The ID token is signed ${alg} for a public client: the key is the client secret, which a public client cannot keep.` });
  }
  return out;
}

/** A token's dates (RFC 7519 §4.1.4–4.1.6): not a NumericDate, expired, not yet valid (no rule: the token view and `inspect`). */
export function dateChecks(p: JsonObject, now: number): TokenFinding[] {
  const out: TokenFinding[] = [];
  // RFC 7519 §2 NumericDate: a claim that is not a finite number of seconds a date can hold is
  // reported as such, never turned into a date (Date#toISOString throws on 1e308)
  for (const claim of ['exp', 'nbf', 'iat'] as const) {
    const v = p[claim];
    if (v !== undefined && numericDateIso(v) === undefined) {
      out.push({ ruleId: 'token-date-invalid', severity: 'low', message: `The token's ${claim} (${typeof v === 'number' ? String(v) : JSON.stringify(v)?.slice(0, 40)}) is not a NumericDate a date can hold (RFC 7519 §2); a client that checks it may crash or accept the token forever.` });
    }
  }
  const expIso = numericDateIso(p.exp);
  if (expIso && (p.exp as number) * 1000 <= now) {
    out.push({ ruleId: 'token-expired', severity: 'info', message: `The token expired at ${expIso}.` });
  }
  const nbfIso = numericDateIso(p.nbf);
  if (nbfIso && (p.nbf as number) * 1000 > now) {
    out.push({ ruleId: 'token-not-yet-valid', severity: 'info', message: `The token is not valid before ${nbfIso}.` });
  }
  return out;
}

/**
 * Every token-level check that applies to a decoded token, given what the caller knows. Used by
 * `inspect` (all checks) and by the rules (which call the individual checks they own).
 */
export function tokenFindings(r: TokenReport, opts: TokenCheckOptions = {}): TokenFinding[] {
  const out: TokenFinding[] = [];
  const none = algNoneCheck(r, opts.frontChannel ?? true);
  if (none) out.push(none);
  out.push(...riskyHeaderChecks(r, opts));
  const p = r.payload;
  if (p && typeof p === 'object') {
    const clientId = opts.clientId ?? opts.expectAud;
    if (clientId !== undefined) {
      const a = audienceCheck(p, clientId);
      if (a) out.push(opts.clientId === undefined && opts.use !== 'id_token' ? { ...a, message: a.message.replace(/ID token/g, 'token').replace('client_id', 'expected audience') } : a);
    }
    if (opts.expectIss !== undefined && p.iss !== opts.expectIss) {
      out.push({ ruleId: 'token-iss-mismatch', severity: 'high', message: `The token's iss ${JSON.stringify(p.iss ?? null)} is not the expected issuer "${opts.expectIss}".` });
    }
    out.push(...dateChecks(p, opts.now ?? Date.now()));
    if (opts.use === 'access_token' || ((opts.use === undefined || opts.use === 'unknown') && looksLikeAccessToken(r))) {
      const l = lifetimeCheck(r);
      if (l) out.push(l);
    }
  }
  return out;
}
