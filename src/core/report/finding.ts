/** The finding schema shared by the CLI's JSON report, SARIF, the popup, the panel and getFindings. */

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export type Confidence = 'strong' | 'heuristic';

export const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

export function severityRank(s: Severity): number {
  return 4 - SEVERITIES.indexOf(s); // critical 4 … info 0
}

export function atLeast(s: Severity, threshold: Severity): boolean {
  return severityRank(s) >= severityRank(threshold);
}

export interface Evidence {
  /** HAR input index (CLI) */
  input?: number;
  /** HAR entry index */
  entry?: number;
  /** browser request id */
  requestId?: string;
  /** the URL of the request (redacted unless revealing) */
  url: string;
  /** the parameter or header that carries the evidence */
  param?: string;
  /** the (redacted) value */
  value?: string;
  /** a short human note: what this piece of evidence shows */
  note?: string;
}

/** The provider table row a verdict rests on, and when that row was last checked. */
export interface ProviderTableBasis {
  /** provider name, e.g. "GitHub" */
  provider: string;
  /** ISO date the row was last checked */
  checked: string;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  confidence: Confidence;
  title: string;
  message: string;
  references: string[];
  flowId: string | null;
  evidence: Evidence[];
  /** the rule's variant (e.g. audience-injection "foreign"), when the rule has several */
  variant?: string;
  /** identity used to de-duplicate (and SARIF partialFingerprints), when the rule set one */
  fingerprint?: string;
  /**
   * Set when the verdict rests on CoatCheck's provider table (detectors.md §3) rather than on what
   * the capture showed: the row and the date it was last checked ("from CoatCheck's provider table,
   * checked <date>").
   */
  providerTable?: ProviderTableBasis;
  /** browsing context (tab:<id> or har:<input>:<pageref>) */
  context: string;
  /** time of the observation that raised it (ms since epoch) */
  time: number;
}

export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.time - b.time);
}

/** A well-formed finding (what a restored state or a message from another page must hold before it is used). */
export function isFinding(v: unknown): v is Finding {
  if (typeof v !== 'object' || v === null) return false;
  const f = v as Partial<Finding>;
  return (
    typeof f.ruleId === 'string' &&
    SEVERITIES.includes(f.severity as Severity) &&
    (f.confidence === 'strong' || f.confidence === 'heuristic') &&
    typeof f.title === 'string' &&
    typeof f.message === 'string' &&
    Array.isArray(f.references) &&
    f.references.every((r) => typeof r === 'string') &&
    (f.flowId === null || typeof f.flowId === 'string') &&
    Array.isArray(f.evidence) &&
    f.evidence.every((e) => typeof e === 'object' && e !== null && typeof (e as Evidence).url === 'string') &&
    typeof f.context === 'string' &&
    typeof f.time === 'number'
  );
}
