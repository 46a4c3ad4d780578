/**
 * Every JWT/JWS/JWE the panel meets (parameters, JSON bodies, bearer headers), decoded with the
 * core's `decodeToken`, and the token view: header and claims with human times and remaining
 * lifetime, a JWE's protected header and what key would decrypt it, and the audience checks.
 */
import { decodeToken, numericDateIso, type JsonObject, type TokenReport } from '../../core/tokens/decode';
import { audienceCheck, formatDuration, tokenFindings, type TokenCheckOptions } from '../../core/tokens/findings';
import type { Flow } from '../../core/flows/flow';
import type { MetadataRecord } from '../../core/flows/store';
import { originOf, parseUrl } from '../../core/util/url';
import { isCoreError } from '../../core/errors';
import { analyzeAudience, normUrl, type ReceivingKind } from '../../core/tokens/assertion-audience';
import { auditMetadata } from '../../core/tokens/metadata-audit';
import type { Capture } from './capture';

export type TokenUse = NonNullable<TokenCheckOptions['use']>;

export interface TokenItem {
  id: string;
  /** where it was found: parameter or JSON member name, or `Authorization` */
  name: string;
  use: TokenUse;
  obsId: string;
  /** the step's URL (raw, in memory) */
  url: string;
  time: number;
  raw: string;
  /** the decoded token; absent when it could not be decoded (see `error`) */
  report?: TokenReport;
  /** why the token could not be decoded (too large, malformed, nested too deep): shown, never dropped */
  error?: string;
  flowId?: string;
  clientId?: string;
  frontChannel: boolean;
}

const TOKEN_NAMES: Record<string, TokenUse> = {
  id_token: 'id_token',
  access_token: 'access_token',
  refresh_token: 'access_token',
  client_assertion: 'assertion',
  assertion: 'assertion',
  request: 'request',
  logout_token: 'logout_token',
  response: 'jarm',
  id_token_hint: 'id_token',
  subject_token: 'unknown',
  actor_token: 'unknown',
};

const JOSE_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*(\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)?$/;

/** Shaped like a compact JWS/JWE (any size: one over the decode limit is still shown, as too large). */
export function looksLikeJose(v: string): boolean {
  return v.startsWith('eyJ') && JOSE_SHAPE.test(v);
}

export function tryDecode(raw: string): TokenReport | undefined {
  return decodeOrError(raw).report;
}

/** Decode a token, or say why not (the core's error message: size limit, malformed part, depth). */
export function decodeOrError(raw: string): { report?: TokenReport; error?: string } {
  try {
    return { report: decodeToken(raw) };
  } catch (e) {
    return { error: isCoreError(e) ? e.message : `cannot decode: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** Tokens in the panel's capture, in time order, one item per (value, place). */
export function collectTokens(capture: Capture): TokenItem[] {
  const out: TokenItem[] = [];
  const flows = capture.flows();
  const flowOf = (obsId: string) => flows.find((f) => f.steps.some((s) => s.obsId === obsId) || f.requests.some((r) => r.obsId === obsId) || f.responses.some((r) => r.obsId === obsId));
  const seen = new Set<string>();
  for (const s of capture.steps) {
    const found: [string, string][] = [];
    for (const [k, v] of s.msg.params.entries) if (looksLikeJose(v)) found.push([k, v]);
    if (s.msg.json) for (const [k, v] of Object.entries(s.msg.json)) if (typeof v === 'string' && looksLikeJose(v)) found.push([k, v]);
    const auth = s.obs.requestHeaders.find((h) => h.name.toLowerCase() === 'authorization')?.value;
    const bearer = auth?.match(/^(?:bearer|dpop)\s+(\S+)$/i)?.[1];
    if (bearer && looksLikeJose(bearer)) found.push(['Authorization', bearer]);
    const dpop = s.obs.requestHeaders.find((h) => h.name.toLowerCase() === 'dpop')?.value;
    if (dpop && looksLikeJose(dpop)) found.push(['DPoP', dpop]);
    for (const [name, raw] of found) {
      const key = `${s.obs.id}|${name}|${raw}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const { report, error } = decodeOrError(raw);
      const flow = flowOf(s.obs.id);
      const use: TokenUse = name === 'Authorization' ? 'access_token' : TOKEN_NAMES[name] ?? 'unknown';
      out.push({
        id: `t${out.length + 1}`,
        name,
        use,
        obsId: s.obs.id,
        url: s.obs.url,
        time: s.obs.time,
        raw,
        ...(report ? { report } : { error }),
        flowId: flow?.id,
        clientId: flow?.clientId ?? s.msg.params.get('client_id'),
        frontChannel: s.msg.kind === 'authorization-response' || s.msg.kind === 'authorization-request',
      });
    }
  }
  return out;
}

// --------------------------------------------------------------------------------- the view

export interface ClaimRow {
  name: string;
  /** JSON text of the value */
  value: string;
  /** human reading: dates for NumericDate claims */
  human?: string;
}

export interface TokenView {
  kind: TokenReport['kind'];
  alg: string;
  kid?: string;
  typ?: string;
  header: ClaimRow[];
  claims: ClaimRow[];
  payloadText?: string;
  lifetime?: string;
  expired?: boolean;
  /** JWE: what would decrypt it */
  keyHint?: string;
}

const TIME_CLAIMS = new Set(['iat', 'exp', 'nbf', 'auth_time', 'updated_at', 'rat']);

export function humanTime(seconds: number, now: number): string {
  const iso = numericDateIso(seconds);
  if (!iso) return 'not a date (outside the range a date can hold)';
  const delta = seconds - now / 1000;
  const rel = Math.abs(delta) < 1 ? 'now' : delta > 0 ? `in ${formatDuration(delta)}` : `${formatDuration(-delta)} ago`;
  return `${iso.replace('.000Z', 'Z')} (${rel})`;
}

export function lifetimeText(payload: JsonObject, now: number): { text?: string; expired?: boolean } {
  const exp = payload.exp;
  if (typeof exp !== 'number') return { text: 'no exp: does not expire by itself' };
  const left = exp - now / 1000;
  const total = typeof payload.iat === 'number' ? ` of ${formatDuration(exp - payload.iat)}` : '';
  if (left <= 0) return { text: `expired ${formatDuration(-left)} ago${total ? ` (lifetime${total.replace(' of', '')})` : ''}`, expired: true };
  return { text: `${formatDuration(left)} left${total}`, expired: false };
}

/** What key would decrypt a JWE, from its protected header (RFC 7516/7518). */
export function jweKeyHint(h: JsonObject): string {
  const alg = typeof h.alg === 'string' ? h.alg : '?';
  const enc = typeof h.enc === 'string' ? h.enc : '?';
  const kid = typeof h.kid === 'string' ? ` with kid "${h.kid}"` : ' (no kid: try every key of that type)';
  let what: string;
  if (/^RSA-OAEP|^RSA1_5$/.test(alg)) what = `the recipient's RSA private key${kid}`;
  else if (/^ECDH-ES/.test(alg)) {
    const epk = h.epk as { crv?: string } | undefined;
    what = `the recipient's ${epk?.crv ?? 'EC/OKP'} private key${kid} (ephemeral key agreement${alg === 'ECDH-ES' ? ', direct' : `, then ${alg.slice(8)} key wrap`})`;
  } else if (/^A(128|192|256)(GCM)?KW$/.test(alg)) what = `a shared ${alg.match(/\d+/)![0]}-bit AES key-wrapping key${kid}`;
  else if (alg === 'dir') what = `the shared content key itself (${enc}, ${/A(\d+)CBC-HS(\d+)/.test(enc) ? `${Number(enc.match(/A(\d+)CBC/)![1]) * 2} bits` : `${enc.match(/\d+/)?.[0] ?? '?'} bits`})${kid}`;
  else if (/^PBES2/.test(alg)) what = `a password (PBES2, ${typeof h.p2c === 'number' ? `${h.p2c} iterations` : 'iteration count missing'})`;
  else what = `a key for the unknown algorithm "${alg}"`;
  const cty = typeof h.cty === 'string' && h.cty.toUpperCase() === 'JWT' ? ' It wraps a nested JWT (cty JWT).' : '';
  return `Decrypting needs ${what}; content encryption ${enc}. For an encrypted ID token or userinfo response this is the client's key (its registered jwks), which the browser never sees.${cty}`;
}

function rowsOf(o: JsonObject, now: number): ClaimRow[] {
  return Object.entries(o).map(([name, v]) => ({
    name,
    value: typeof v === 'string' ? v : JSON.stringify(v),
    ...(TIME_CLAIMS.has(name) && typeof v === 'number' ? { human: humanTime(v, now) } : {}),
  }));
}

export function tokenView(r: TokenReport, now: number): TokenView {
  const h = r.header;
  const view: TokenView = {
    kind: r.kind,
    alg: typeof h.alg === 'string' ? h.alg : '(none)',
    ...(typeof h.kid === 'string' ? { kid: h.kid } : {}),
    ...(typeof h.typ === 'string' ? { typ: h.typ } : {}),
    header: rowsOf({ ...(r.unprotectedHeader ?? {}), ...h }, now),
    claims: [],
  };
  if (r.kind === 'JWE') {
    view.keyHint = jweKeyHint(h);
    return view;
  }
  if (r.payload && typeof r.payload === 'object') {
    view.claims = rowsOf(r.payload, now);
    const l = lifetimeText(r.payload, now);
    view.lifetime = l.text;
    if (l.expired !== undefined) view.expired = l.expired;
  } else if (typeof r.payload === 'string') view.payloadText = r.payload;
  return view;
}

// ---------------------------------------------------------------------------- audience checks

export interface Warning {
  severity: 'critical' | 'high' | 'medium' | 'low' | 'info';
  ruleId?: string;
  title: string;
  message: string;
}

function audValues(aud: unknown): string[] {
  if (typeof aud === 'string') return [aud];
  if (Array.isArray(aud)) return aud.filter((x): x is string => typeof x === 'string');
  return [];
}

/** ID token aud/azp against the flow's client_id (OIDC Core §3.1.3.7 items 3–5). */
export function idTokenAudienceWarnings(payload: JsonObject, clientId: string | undefined): Warning[] {
  if (!clientId) {
    return [{ severity: 'info', title: 'Audience not checked', message: 'The client_id of this flow is unknown, so the ID token audience could not be checked.' }];
  }
  const f = audienceCheck(payload, clientId);
  if (!f) return [];
  const title =
    f.variant === 'aud-lacks-client' ? `ID token issued to another client: aud ${JSON.stringify(payload.aud)} ≠ client_id "${clientId}"`
      : f.variant === 'azp-mismatch' || f.variant === 'azp-other-client' ? `ID token azp "${String(payload.azp)}" ≠ client_id "${clientId}"`
        : f.variant === 'aud-missing' ? 'ID token without aud'
          : 'ID token with several audiences and no azp';
  return [{ severity: f.severity, ruleId: f.ruleId, title, message: f.message }];
}

export interface AssertionContext {
  /** the URL the assertion was sent to */
  receivingUrl: string;
  /** AS metadata the capture holds (finds the receiving AS's issuer and token endpoints) */
  metadata: readonly MetadataRecord[];
  /** what kind of endpoint received it */
  endpoint?: ReceivingKind;
}

/**
 * Client assertion audience (draft-02 §2.1), via the core's `analyzeAudience`: token endpoint
 * named at another endpoint, foreign origin, several values; plus aud missing and aud that is
 * neither the receiving AS's issuer nor the receiving endpoint.
 */
export function assertionAudienceWarnings(payload: JsonObject, ctx: AssertionContext): Warning[] {
  const url = parseUrl(ctx.receivingUrl);
  const aud = audValues(payload.aud);
  if (aud.length === 0) {
    return [{ severity: 'medium', ruleId: 'assertion-hygiene', title: 'Client assertion without aud', message: 'RFC 7523 §3 requires an aud claim naming the authorization server.' }];
  }
  if (!url) return [];
  const kind = ctx.endpoint ?? 'unknown';
  const a = analyzeAudience(ctx.metadata, url, kind, payload);
  if (!a) return [];
  const out: Warning[] = [];
  for (const p of a.problems) {
    if (p.variant === 'foreign') {
      out.push({ severity: 'critical', ruleId: 'audience-injection', title: `Client assertion aud on a foreign origin: ${p.aud}`, message: `The assertion was sent to ${url.origin} but its aud "${p.aud}" is another origin${a.issuer ? ` (the receiving AS's issuer is ${a.issuer})` : ''}: whoever received it can replay it there.` });
    } else if (p.variant === 'token-endpoint-elsewhere') {
      out.push({ severity: 'high', ruleId: 'audience-injection', title: `Client assertion aud is a token endpoint, sent to a ${kind} endpoint`, message: `aud "${p.aud}" names a token endpoint, but the assertion went to ${url.base}. RFC 9126 §2 makes ASes accept this value, which is what audience injection exploits: use the AS's issuer as aud.` });
    } else if (p.variant === 'multi') {
      out.push({ severity: 'high', ruleId: 'audience-injection', title: `Client assertion with ${aud.length} audiences`, message: `aud is ${JSON.stringify(payload.aud)}: draft-ietf-oauth-security-topics-update-03 §2.1.2 requires a single audience (the AS's issuer). Any of these recipients can replay it at the others.` });
    } else {
      out.push({ severity: 'low', ruleId: 'audience-injection', title: 'Client assertion aud is a one-element array', message: `aud is ${JSON.stringify(payload.aud)}; use the issuer as a plain string.` });
    }
  }
  const high = out.some((w) => w.severity === 'critical' || w.severity === 'high');
  if (!high && a.issuer) {
    const ok = a.auds.every((x) => normUrl(x) === normUrl(a.issuer!) || normUrl(x) === normUrl(url.base));
    if (!ok) out.push({ severity: 'medium', ruleId: 'assertion-aud-not-issuer-or-target', title: 'Client assertion aud is neither the issuer nor the receiving endpoint', message: `aud ${JSON.stringify(payload.aud)}; expected "${a.issuer}" or "${url.base}".` });
  }
  return out;
}

/** The core's metadata audit (issuer vs URL, endpoints on other origins, features), as warnings. */
export function metadataWarnings(doc: JsonObject, fetchedFrom: string): Warning[] {
  const issuer = typeof doc.issuer === 'string' ? doc.issuer : '(none)';
  return auditMetadata(doc, fetchedFrom).map((f) => {
    let title: string = f.ruleId;
    if (f.ruleId === 'metadata-endpoint-foreign') {
      const m = f.message.match(/(\w+_endpoint) (\S+)/);
      title = m ? `${m[1]} on ${f.severity === 'high' ? 'another site' : 'another host'}: ${originOf(m[2]) ?? m[2]} (issuer ${issuer})` : 'Endpoint on another origin';
    } else if (f.ruleId === 'metadata-issuer-mismatch') title = f.variant === 'missing' ? 'Metadata without issuer' : `Metadata issuer "${issuer}" does not match the URL it came from`;
    return { severity: f.severity, ruleId: f.ruleId, title, message: f.message };
  });
}

/** Every warning the token view shows for one token. */
export function warningsFor(t: TokenItem, ctx: { flows: readonly Flow[]; metadata: readonly MetadataRecord[]; endpoint?: ReceivingKind; now?: number }): Warning[] {
  const out: Warning[] = [];
  if (!t.report) return out;
  const p = t.report.payload;
  for (const f of tokenFindings(t.report, { use: t.use, clientId: t.use === 'id_token' ? t.clientId : undefined, frontChannel: t.frontChannel, now: ctx.now })) {
    if (f.ruleId === 'id-token-aud-mismatch') continue; // shown below, louder
    out.push({ severity: f.severity, ruleId: f.ruleId, title: f.ruleId, message: f.message });
  }
  if (p && typeof p === 'object') {
    if (t.use === 'id_token') out.push(...idTokenAudienceWarnings(p, t.clientId));
    if (t.use === 'assertion') {
      out.push(...assertionAudienceWarnings(p, { receivingUrl: t.url, metadata: ctx.metadata, endpoint: ctx.endpoint }));
    }
  }
  const rank = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };
  return out.sort((a, b) => rank[b.severity] - rank[a.severity]);
}
