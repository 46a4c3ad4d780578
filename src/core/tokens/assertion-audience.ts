/**
 * Client assertion audiences (draft-02 §2.1): which `aud` values make an assertion replayable,
 * shared by `audience-injection` and `assertion-aud-not-issuer-or-target`.
 */
import type { OAuthMessage } from '../classify/message';
import type { MetadataRecord } from '../flows/store';
import { parseUrl, type ParsedUrl } from '../util/url';
import { ruleToken } from './decode';
import { assertionsIn } from './sources';

/** Compare URLs as an AS would (scheme/host case-insensitive, no query, no trailing slash). */
export function normUrl(u: string): string | undefined {
  const p = parseUrl(u);
  if (!p || !/^https?:$/.test(p.protocol)) return undefined;
  return (p.origin + p.pathname).replace(/\/+$/, '');
}

function baseOf(u: string): string {
  const i = u.search(/[?#]/);
  return i < 0 ? u : u.slice(0, i);
}

export type ReceivingKind = 'token' | 'par' | 'revocation' | 'introspection' | 'device' | 'ciba' | 'userinfo' | 'unknown';
const NON_TOKEN = new Set<ReceivingKind>(['par', 'revocation', 'introspection', 'device', 'ciba']);

export interface AudienceProblem {
  variant: 'foreign' | 'token-endpoint-elsewhere' | 'multi' | 'single-element-array';
  severity: 'critical' | 'high' | 'low';
  aud?: string;
}

export interface AudienceAnalysis {
  receivingUrl: string;
  kind: ReceivingKind;
  /** the receiving AS's issuer, from observed metadata */
  issuer?: string;
  auds: string[];
  audRaw: unknown;
  problems: AudienceProblem[];
}

/** The receiving AS's metadata: the document that lists this endpoint, else one whose issuer shares its origin. */
export function receivingMetadata(metadata: Iterable<MetadataRecord>, receiving: string, origin: string): MetadataRecord | undefined {
  const mds = [...metadata];
  const listed = mds.find((m) => Object.values(m.endpoints).some((e) => normUrl(baseOf(e)) === receiving));
  if (listed) return listed;
  return mds.find((m) => parseUrl(m.issuer)?.origin === origin);
}

function isTokenEndpoint(metadata: Iterable<MetadataRecord>, aud: string): boolean {
  const n = normUrl(aud);
  if (!n) return false;
  for (const m of metadata) if (m.tokenEndpoint && normUrl(baseOf(m.tokenEndpoint)) === n) return true;
  return /\/token$/i.test(parseUrl(aud)?.pathname.replace(/\/+$/, '') ?? '');
}

export function analyzeAudience(
  metadata: Iterable<MetadataRecord>,
  url: ParsedUrl,
  kind: ReceivingKind,
  payload: Record<string, unknown>,
): AudienceAnalysis | undefined {
  const receiving = normUrl(url.base);
  if (!receiving) return undefined;
  const mds = [...metadata];
  const md = receivingMetadata(mds, receiving, url.origin);
  const issuer = md?.issuer;
  const issuerN = issuer ? normUrl(issuer) : undefined;
  const issuerOrigin = issuer ? parseUrl(issuer)?.origin : undefined;
  const audRaw = payload.aud;
  const auds = typeof audRaw === 'string' ? [audRaw] : Array.isArray(audRaw) ? audRaw.filter((x): x is string => typeof x === 'string') : [];
  const problems: AudienceProblem[] = [];
  for (const aud of auds) {
    const n = normUrl(aud);
    if (!n) continue; // not a URL (a client_id-style audience)
    if (n === receiving || (issuerN !== undefined && n === issuerN)) continue; // §2.1.2.1–2.1.2.2
    const audOrigin = parseUrl(aud)!.origin;
    if (audOrigin !== url.origin && audOrigin !== issuerOrigin) problems.push({ variant: 'foreign', severity: 'critical', aud });
    else if (NON_TOKEN.has(kind) && isTokenEndpoint(mds, aud)) problems.push({ variant: 'token-endpoint-elsewhere', severity: 'high', aud });
  }
  if (Array.isArray(audRaw) && audRaw.length > 1) problems.push({ variant: 'multi', severity: 'high' });
  else if (Array.isArray(audRaw) && audRaw.length === 1) problems.push({ variant: 'single-element-array', severity: 'low' });
  return { receivingUrl: url.base, kind, issuer, auds, audRaw, problems };
}

/**
 * Every client assertion / jwt-bearer assertion of a message that decodes, with the audience
 * analysis at the endpoint that receives it (the shared front half of the assertion audience rules).
 */
export function* assertionAudiences(
  msg: OAuthMessage,
  metadata: Iterable<MetadataRecord>,
): Generator<{ param: string; value: string; kind: ReceivingKind; an: AudienceAnalysis }> {
  if (!msg.url) return;
  const kind: ReceivingKind = msg.kind === 'token-request' ? 'token' : ((msg.endpoint as ReceivingKind | undefined) ?? 'unknown');
  // read once: callers pass the store's `metadata.values()`, an iterator that a second assertion of
  // the same request (a jwt-bearer grant with a client assertion) would find empty
  let mds: readonly MetadataRecord[] | undefined;
  for (const a of assertionsIn(msg)) {
    const r = ruleToken(a.value);
    if (!r || !r.payload || typeof r.payload !== 'object') continue;
    mds ??= Array.isArray(metadata) ? (metadata as MetadataRecord[]) : [...metadata];
    const an = analyzeAudience(mds, msg.url, kind, r.payload as Record<string, unknown>);
    if (an) yield { ...a, kind, an };
  }
}
