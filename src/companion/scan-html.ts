/**
 * `coatcheck scan --format html`: the report page with a diagram per flow (those with findings
 * first) and each rule's "How to fix" from the docs shipped with the package; and where SARIF's
 * helpUri points.
 */
import { type Engine, type Flow, buildDiagrams, type DiagramFetch, fixSection, toHtml, type ReportModel } from '../core';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from './host';

/** At most this many flows get a diagram in the HTML report (those with findings first). */
const MAX_DIAGRAMS = 200;
export const MAX_FETCHES = 2000;

export function htmlReport(model: ReportModel, engine: Engine, fetches: DiagramFetch[]): string {
  const withFindings = new Set(model.findings.map((f) => f.flowId));
  const flows = [...model.flows];
  const byId = new Map(flows.map((f) => [f.id, f]));
  const root = (f: Flow): Flow => {
    let r = f;
    for (let i = 0; i < 8 && r.parent && byId.has(r.parent); i++) r = byId.get(r.parent)!;
    return r;
  };
  const wanted = new Set<string>();
  for (const f of flows) if (withFindings.has(f.id)) wanted.add(root(f).id);
  for (const f of flows) if (wanted.size < MAX_DIAGRAMS) wanted.add(root(f).id);
  const drawn = flows.filter((f) => wanted.has(root(f).id));
  const diagrams = buildDiagrams(drawn, { findings: model.findings, fetches, hops: (c) => engine.store.hops.get(c), redact: model.redact }).slice(0, MAX_DIAGRAMS);
  const fixes: Record<string, string> = {};
  for (const id of new Set(model.findings.map((f) => f.ruleId))) {
    const fix = /^[a-z0-9-]+$/.test(id) ? ruleDocFix(id) : undefined;
    if (fix) fixes[id] = fix;
  }
  return toHtml(model, { diagrams, docsBase: docsBase(), fixes, generated: new Date().toISOString() });
}

/** The "How to fix" section of docs/rules/<id>.md in the package, if the page is there. */
function ruleDocFix(id: string): string | undefined {
  try {
    return fixSection(readFileSync(join(packageRoot() ?? resolve('.'), 'docs', 'rules', `${id}.md`), 'utf8'));
  } catch {
    return undefined;
  }
}

/** Where SARIF's helpUri points: the docs/rules pages shipped with the package. */
export function docsBase(): string {
  const root = packageRoot();
  return pathToFileURL(join(root ?? resolve('.'), 'docs', 'rules') + '/').href;
}
