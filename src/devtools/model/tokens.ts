/**
 * Every JWT/JWS/JWE the panel meets (parameters, JSON bodies, bearer headers), decoded with the
 * core's `decodeToken`, and the token view: header and claims with human times and remaining
 * lifetime, a JWE's protected header and what key would decrypt it, and the audience checks.
 */
import { decodeToken, formatDuration, isCoreError, type JsonObject, type MetadataRecord, numericDateIso, parseUrl, type ReceivingKind, type TokenCheckOptions, type TokenReport, type TokenWarning, tokenWarnings } from '../../core';
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
  /** found in a response body (a token response) */
  inResponse?: boolean;
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
  const flows = new Map(capture.flows().map((f) => [f.id, f]));
  const seen = new Set<string>();
  for (const s of capture.steps) {
    const found: [string, string, boolean?][] = [];
    for (const [k, v] of s.msg.params.entries) if (looksLikeJose(v)) found.push([k, v]);
    if (s.msg.json) for (const [k, v] of Object.entries(s.msg.json)) if (typeof v === 'string' && looksLikeJose(v)) found.push([k, v, true]);
    const auth = s.obs.requestHeaders.find((h) => h.name.toLowerCase() === 'authorization')?.value;
    const bearer = auth?.match(/^(?:bearer|dpop)\s+(\S+)$/i)?.[1];
    if (bearer && looksLikeJose(bearer)) found.push(['Authorization', bearer]);
    const dpop = s.obs.requestHeaders.find((h) => h.name.toLowerCase() === 'dpop')?.value;
    if (dpop && looksLikeJose(dpop)) found.push(['DPoP', dpop]);
    // the flow the engine attached the message to (its onMessage), not a search of the flows
    const flow = s.flowId === undefined ? undefined : flows.get(s.flowId);
    for (const [name, raw, inResponse] of found) {
      const key = `${s.obs.id}|${name}|${raw}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const { report, error } = decodeOrError(raw);
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
        ...(inResponse ? { inResponse } : {}),
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

// ------------------------------------------------------------------------------- warnings

/** What the token view shows above a token: the token rules' own verdicts (core/tokens/warnings.ts). */
export type Warning = TokenWarning;

/** Every warning the token view shows for one token: the rules' checks run on it where it was met. */
export function warningsFor(t: TokenItem, ctx: { metadata: readonly MetadataRecord[]; endpoint?: ReceivingKind; now?: number }): Warning[] {
  if (!t.report) return [];
  return tokenWarnings(t.report, {
    use: t.use,
    param: t.name,
    url: parseUrl(t.url)?.base ?? t.url,
    frontChannel: t.frontChannel,
    inResponse: t.inResponse,
    clientId: t.use === 'id_token' ? t.clientId : undefined,
    flowId: t.flowId,
    now: ctx.now,
    metadata: ctx.metadata,
    endpoint: ctx.endpoint,
  });
}
