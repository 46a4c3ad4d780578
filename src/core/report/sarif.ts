/**
 * SARIF 2.1.0 output: one run, the rule catalogue as `tool.driver.rules[]`, one result per finding
 * with a location in the HAR file (the entry as a logical location, its bytes as the region).
 */
import { parseUrl } from '../util/url';
import type { Rule } from '../rules/types';
import { type Finding, type Severity, sortFindings } from './finding';
import type { ReportModel } from './json';
import { resolveReference, standardById } from './standards';

export type SarifLevel = 'error' | 'warning' | 'note';

export function sarifLevel(s: Severity): SarifLevel {
  return s === 'critical' || s === 'high' ? 'error' : s === 'medium' ? 'warning' : 'note';
}

/** GitHub code scanning reads `security-severity` (0–10) to rank security results. */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '1.0' };

export interface SarifOptions {
  /** the rule catalogue (allRules) */
  rules: readonly Rule[];
  /** absolute URI the rule doc pages live under, ending in `/` (`<base><id>.md`) */
  docsBase: string;
  informationUri?: string;
}

/** A path as a SARIF URI reference: forward slashes, percent-encoded, `file://` when absolute. */
export function artifactUri(path: string): string {
  if (path === '-') return 'stdin';
  const p = path.replace(/\\/g, '/');
  const enc = p
    .split('/')
    .map((s) => encodeURIComponent(s))
    .join('/');
  if (/^[A-Za-z]:\//.test(p)) return `file:///${p.slice(0, 2)}${enc.slice(p.slice(0, 2).length + 2)}`;
  return p.startsWith('/') ? `file://${enc}` : enc;
}

function ruleDescriptor(r: Rule, docsBase: string) {
  return {
    id: r.meta.id,
    name: r.meta.id
      .split('-')
      .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
      .join(''),
    shortDescription: { text: r.meta.title },
    fullDescription: { text: r.meta.description || r.meta.title },
    helpUri: `${docsBase}${r.meta.id}.md`,
    help: { text: `${r.meta.description || r.meta.title} References: ${r.meta.references.join('; ')}.`, markdown: helpMarkdown(r) },
    defaultConfiguration: { level: sarifLevel(r.meta.severity) },
    properties: {
      tags: ['security', 'oauth', `tier-${r.meta.tier}`],
      precision: r.meta.confidence === 'strong' ? 'high' : 'medium',
      'security-severity': SECURITY_SEVERITY[r.meta.severity],
      references: r.meta.references,
      standards: standardsOf(r.meta.references),
    },
  };
}

/**
 * Each reference resolved against the standards table: the document at the revision the rule
 * relies on, its date, when CoatCheck checked it, the section and whether that section was read in
 * the primary text (`verified: false` otherwise, never left out).
 */
export function standardsOf(references: readonly string[]) {
  return references.map((text) => {
    const r = resolveReference(text);
    if (!r) return { reference: text, verified: false };
    const d = standardById(r.document)!;
    return {
      reference: text,
      document: d.label,
      revision: r.revision,
      published: r.published,
      checked: d.checked,
      ...(r.section !== undefined ? { section: r.section } : {}),
      ...(r.sectionTitle ? { sectionTitle: r.sectionTitle } : {}),
      url: r.url,
      verified: r.verified,
    };
  });
}

function helpMarkdown(r: Rule): string {
  const refs = standardsOf(r.meta.references).map((x) => `- ${'url' in x ? `[${x.reference}](${x.url})` : x.reference}${x.verified ? '' : ' (unverified)'}`);
  return `${r.meta.description || r.meta.title}\n\n**References** (revisions as checked, see docs/standards.md):\n\n${refs.join('\n')}`;
}

export function toSarif(m: ReportModel, opts: SarifOptions): object {
  const ruleIndex = new Map<string, number>();
  const rules = opts.rules.map((r, i) => {
    ruleIndex.set(r.meta.id, i);
    return ruleDescriptor(r, opts.docsBase);
  });
  const findings = sortFindings([...m.findings]);
  // a finding of a rule missing from the catalogue still gets a descriptor
  for (const f of findings) {
    if (ruleIndex.has(f.ruleId)) continue;
    ruleIndex.set(f.ruleId, rules.length);
    rules.push({
      id: f.ruleId,
      name: f.ruleId,
      shortDescription: { text: f.title },
      fullDescription: { text: f.title },
      helpUri: `${opts.docsBase}${f.ruleId}.md`,
      help: { text: f.title, markdown: f.title },
      defaultConfiguration: { level: sarifLevel(f.severity) },
      properties: { tags: ['security', 'oauth'], precision: 'medium', 'security-severity': SECURITY_SEVERITY[f.severity], references: f.references, standards: standardsOf(f.references) },
    });
  }
  const artifacts = m.inputs.map((i) => ({ location: { uri: artifactUri(i.path) }, ...(i.path === '-' ? {} : { mimeType: 'application/json' }) }));
  const results = findings.map((f) => result(f, m, ruleIndex.get(f.ruleId)!));
  // how an input was read (entries without a parseable time, …): SARIF's tool notifications
  const notifications = m.inputs.flatMap((i, index) =>
    (i.warnings ?? []).map((w) => ({ level: 'warning', message: { text: `${i.path === '-' ? 'standard input' : i.path}: ${w}` }, locations: [{ physicalLocation: { artifactLocation: { uri: artifactUri(i.path), index } } }] })),
  );
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: m.tool.name,
            version: m.tool.version,
            semanticVersion: m.tool.version,
            ...(opts.informationUri ? { informationUri: opts.informationUri } : {}),
            rules,
          },
        },
        artifacts,
        ...(notifications.length ? { invocations: [{ executionSuccessful: true, toolExecutionNotifications: notifications }] } : {}),
        columnKind: 'unicodeCodePoints',
        results,
      },
    ],
  };
}

function result(f: Finding, m: ReportModel, ruleIndex: number) {
  const locations = [];
  const related = [];
  for (const [n, e] of f.evidence.entries()) {
    if (e.input === undefined && e.entry === undefined) continue;
    const input = e.input ?? 0;
    const file = m.inputs[input];
    const span = e.entry !== undefined ? file?.spans?.get(e.entry) : undefined;
    const loc = {
      ...(n === 0 ? {} : { id: n }),
      physicalLocation: {
        artifactLocation: { uri: artifactUri(file?.path ?? '-'), index: input },
        ...(span ? { region: { byteOffset: span.start, byteLength: span.end - span.start } } : {}),
      },
      ...(e.entry !== undefined
        ? { logicalLocations: [{ name: `entries[${e.entry}]`, fullyQualifiedName: `log.entries[${e.entry}]`, kind: 'element' }] }
        : {}),
      message: { text: [e.note, e.param ? `${e.param}${e.value ? ` = ${e.value}` : ''}` : undefined, e.url].filter(Boolean).join(' · ') },
    };
    if (locations.length === 0) locations.push(loc);
    else related.push(loc);
  }
  return {
    ruleId: f.ruleId,
    ruleIndex,
    level: sarifLevel(f.severity),
    message: { text: f.message },
    ...(locations.length ? { locations } : {}),
    ...(related.length ? { relatedLocations: related } : {}),
    partialFingerprints: { 'coatcheck/v2': sarifFingerprint(f) },
    properties: {
      severity: f.severity,
      confidence: f.confidence,
      title: f.title,
      flowId: f.flowId,
      references: f.references,
      ...(f.variant ? { variant: f.variant } : {}),
      ...(f.providerTable ? { providerTable: { ...f.providerTable } } : {}),
    },
  };
}

/**
 * What makes a finding the same alert in the next run (GitHub code scanning dedupes on it): the
 * rule, its variant, and where each piece of evidence is (method-free origin + path, with path
 * segments that look random or numeric masked, and the parameter), never a position in the
 * capture or a value. Two captures of the same flow with fresh states, codes and ids, or with other
 * traffic around it, give the same fingerprint.
 */
export function sarifFingerprint(f: Finding): string {
  const where = f.evidence.map((e) => `${stableLocation(e.url)}#${e.param ?? ''}`);
  return [f.ruleId, f.variant ?? '', ...where].join('|');
}

function stableLocation(url: string): string {
  const u = parseUrl(url);
  if (!u) return '';
  const path = u.pathname
    .split('/')
    .map((seg) => (/^\d+$/.test(seg) || (seg.length >= 16 && /\d/.test(seg)) || /^[0-9a-f-]{32,36}$/i.test(seg) ? '*' : seg))
    .join('/');
  return `${u.origin}${path}`;
}
