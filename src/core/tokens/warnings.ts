/**
 * The token rules' verdicts on one decoded token, for a view that has the token and where it was
 * met but no engine message (the DevTools panel's Tokens tab, a pasted token): the rules' own pure
 * checks, severities and wording (`meta.messages`), so the panel grades nothing itself. Plus the
 * date checks no rule owns (expired, not yet valid, not a date), as `inspect` reports them.
 */
import type { MetadataRecord } from '../flows/store';
import type { Severity } from '../report/finding';
import { ruleMessage } from '../rules/support/messages';
import type { TokenDraft, TokenPlace } from '../rules/support/token-place';
import assertionAudNotIssuerOrTarget, { audNotIssuerDraft } from '../rules/tokens/assertion-aud-not-issuer-or-target';
import assertionHygiene, { assertionShapeDrafts } from '../rules/tokens/assertion-hygiene';
import audienceInjection, { audienceInjectionDrafts } from '../rules/tokens/audience-injection';
import idTokenAudMismatch, { idTokenAudienceDraft } from '../rules/tokens/id-token-aud-mismatch';
import jwtAlgNone, { algNoneDraft, bearerAlgNoneDraft } from '../rules/tokens/jwt-alg-none';
import jwtRiskyHeader, { riskyHeaderDrafts } from '../rules/tokens/jwt-risky-header';
import metadataEndpointForeign from '../rules/tokens/metadata-endpoint-foreign';
import metadataIssuerMismatch from '../rules/tokens/metadata-issuer-mismatch';
import tokenLifetimeLong, { jwtLifetimeDraft } from '../rules/tokens/token-lifetime-long';
import type { Rule } from '../rules/types';
import { severityRank } from '../report/finding';
import { parseUrl } from '../util/url';
import { analyzeAudience, type ReceivingKind } from './assertion-audience';
import type { JsonObject, TokenFinding, TokenReport } from './decode';
import { dateChecks, looksLikeAccessToken } from './findings';
import { auditMetadata } from './metadata-audit';

/** A finding-shaped verdict: the rule that owns it (absent for a note), its title and message. */
export interface TokenWarning {
  severity: Severity;
  ruleId?: string;
  variant?: string;
  title: string;
  message: string;
}

/** A token and where it was met, as the token view knows it. */
export interface TokenSeen extends TokenPlace {
  /** the client the token was issued to (ID token audience), when known */
  clientId?: string;
  flowId?: string;
  /** ms; default Date.now() */
  now?: number;
  /** AS metadata the capture holds (the receiving AS of an assertion) */
  metadata?: Iterable<MetadataRecord>;
  /** what kind of endpoint received an assertion */
  endpoint?: ReceivingKind;
}

function fromRule(rule: Rule, d: TokenDraft): TokenWarning {
  return { severity: d.severity ?? rule.meta.severity, ruleId: rule.meta.id, ...(d.variant ? { variant: d.variant } : {}), title: rule.meta.title, message: ruleMessage(rule.meta, d.messageId, d.data) };
}

function fromCheck(f: TokenFinding, rule?: Rule): TokenWarning {
  return { severity: f.severity, ruleId: f.ruleId, ...(f.variant ? { variant: f.variant } : {}), title: rule?.meta.title ?? f.ruleId, message: f.message };
}

const bySeverity = (a: TokenWarning, b: TokenWarning) => severityRank(b.severity) - severityRank(a.severity);

/** Every verdict of the token rules (and the date checks) on one token, most severe first. */
export function tokenWarnings(r: TokenReport, at: TokenSeen): TokenWarning[] {
  const out: TokenWarning[] = [];
  const add = (rule: Rule, d: TokenDraft | undefined) => d && out.push(fromRule(rule, d));
  add(jwtAlgNone, at.param.toLowerCase() === 'authorization' ? bearerAlgNoneDraft(r, at.url) : algNoneDraft(r, at));
  for (const d of riskyHeaderDrafts(r, at)) add(jwtRiskyHeader, d);
  const p = r.payload;
  if (r.kind !== 'JWE' && p && typeof p === 'object') {
    if (at.use === 'id_token') {
      if (at.clientId) add(idTokenAudMismatch, idTokenAudienceDraft(p, at.clientId, at, at.flowId));
      else out.push({ severity: 'info', title: 'Audience not checked', message: 'The client_id of this flow is unknown, so the ID token audience could not be checked.' });
    }
    if (at.use === 'access_token' || (at.use === 'unknown' && looksLikeAccessToken(r))) {
      const where = at.inResponse ? `token response from ${at.url}` : at.frontChannel ? `authorization response at ${at.url}` : `sent to ${at.url}`;
      add(tokenLifetimeLong, jwtLifetimeDraft(r, where));
    }
    if (at.use === 'assertion') out.push(...assertionWarnings(r, p, at));
    out.push(...dateChecks(p, at.now ?? Date.now()).map((f) => fromCheck(f)));
  }
  return out.sort(bySeverity);
}

/** A client assertion: its audience where it was sent (draft-02 §2.1) and its shape (RFC 7523 §3). */
function assertionWarnings(r: TokenReport, p: JsonObject, at: TokenSeen): TokenWarning[] {
  const out: TokenWarning[] = [];
  const url = parseUrl(at.url);
  const an = url ? analyzeAudience(at.metadata ?? [], url, at.endpoint ?? 'unknown', p) : undefined;
  if (an) {
    for (const { note: _note, ...d } of audienceInjectionDrafts(an, at.param)) out.push(fromRule(audienceInjection, d));
    const d = audNotIssuerDraft(an, at.param);
    if (d) out.push(fromRule(assertionAudNotIssuerOrTarget, d));
  }
  if (at.param === 'client_assertion') for (const d of assertionShapeDrafts(r, url?.base ?? at.url)) out.push(fromRule(assertionHygiene, d));
  return out;
}

const METADATA_RULES = new Map<string, Rule>([metadataIssuerMismatch, metadataEndpointForeign].map((r) => [r.meta.id, r]));

/** The metadata audit (the two metadata rules and the `metadata` command's feature checks), most severe first. */
export function metadataWarnings(doc: JsonObject, fetchedFrom: string): TokenWarning[] {
  return auditMetadata(doc, fetchedFrom).map((f) => fromCheck(f, METADATA_RULES.get(f.ruleId))).sort(bySeverity);
}
