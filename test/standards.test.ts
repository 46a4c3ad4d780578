/**
 * References by revision (#20 part 1): every reference a rule carries names a document of the
 * standards table (src/core/report/standards.ts) at the revision the table records; docs/standards.md
 * is generated from that table and the rules, and each rule's doc page shows the same references as
 * its metadata. `npm run docs:rules` rewrites the page and the doc pages' reference lines.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allRules } from '../src/core/rules/index';
import { ref, resolveReference, STANDARDS, type Standard } from '../src/core/report/standards';

const root = join(import.meta.dirname, '..');
const page = join(root, 'docs/standards.md');
const update = process.env.UPDATE_RULES_CATALOGUE === '1';

const cell = (s: string) => s.replace(/\s+/g, ' ').replace(/\|/g, '\\|').trim();

/** document id → section ('' for the document itself) → the rules citing it */
function citations(): Map<string, Map<string, string[]>> {
  const out = new Map<string, Map<string, string[]>>();
  for (const { meta } of allRules) {
    for (const text of meta.references) {
      const r = resolveReference(text);
      if (!r) continue;
      const doc = out.get(r.document) ?? new Map<string, string[]>();
      out.set(r.document, doc);
      const key = r.section ?? '';
      doc.set(key, [...new Set([...(doc.get(key) ?? []), meta.id])]);
    }
  }
  return out;
}

export function renderStandardsPage(): string {
  const cited = citations();
  const rulesOf = (d: Standard) => [...new Set([...(cited.get(d.id)?.values() ?? [])].flat())].sort();
  const out = [
    '# Standards CoatCheck cites',
    '',
    '<!-- Generated from src/core/report/standards.ts and the rules\' metadata by `npm run docs:rules`; test/standards.test.ts fails when it is out of date or when a rule cites a document not listed here. Do not edit by hand. -->',
    '',
    'Every finding, rule page and SARIF rule names the document and the revision it relies on. ' +
      'This page lists each document at that revision, when it was published, when CoatCheck last checked it, and the rules that rely on it. ' +
      'A section is **verified** when its number and title were read in the primary text of that revision (or of its source, as the "checked in" line says); ' +
      'everything else is marked **unverified**, never assumed.',
    '',
    '| document | revision | published | checked | revision verified | rules |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const d of STANDARDS) {
    const rules = rulesOf(d);
    out.push(
      `| [${cell(d.title)}](${d.url}) (\`${d.label}\`) | ${cell(d.revision)} | ${d.published} | ${d.checked} | ${d.verified ? 'yes' : 'unverified'} | ${rules.length ? rules.map((id) => `[\`${id}\`](rules/${id}.md)`).join(', ') : '—'} |`,
    );
  }
  out.push('');
  for (const d of STANDARDS) {
    out.push(`## ${d.label}`, '', `${d.title}. Revision ${d.revision}, published ${d.published}; checked ${d.checked}: ${d.checkedIn}.`);
    if (d.replaces?.length) out.push('', `Replaces, in CoatCheck's references: ${d.replaces.map((x) => `\`${x}\``).join(', ')}.`);
    if (d.superseded) out.push('', `Cited beside its successor \`${STANDARDS.find((x) => x.id === d.superseded)?.label}\`, never alone.`);
    const secs = cited.get(d.id);
    const keys = [...new Set([...Object.keys(d.sections), ...(secs?.keys() ?? [])])].filter((k) => k !== '' && secs?.has(k));
    if (secs?.has('')) out.push('', `Cited as a whole by ${[...secs.get('')!].sort().map((id) => `\`${id}\``).join(', ')}.`);
    if (keys.length) {
      out.push('', '| section | title | verified | rules |', '| --- | --- | --- | --- |');
      for (const k of keys) {
        const sec = d.sections[k];
        out.push(`| ${/^\d/.test(k) ? `§${k}` : cell(k)} | ${cell(sec?.title ?? '')} | ${sec?.verified ? 'yes' : 'unverified'} | ${[...secs!.get(k)!].sort().map((id) => `\`${id}\``).join(', ')} |`);
      }
    }
    out.push('');
  }
  return out.join('\n');
}

/** The doc page's header line, `**References:** a, b`, as the rule's metadata says. */
function docReferences(text: string): string | undefined {
  return /\*\*References:\*\* (.*?)(?: · \*\*|$)/m.exec(text)?.[1];
}

describe('standards and references', () => {
  it('every reference of every rule names a document listed in the standards table', () => {
    const unlisted = allRules.flatMap((r) => r.meta.references.filter((x) => !resolveReference(x)).map((x) => `${r.meta.id}: ${x}`));
    expect(unlisted, 'add the document (revision, date, url, checked) to src/core/report/standards.ts').toEqual([]);
  });

  it('a document that is not listed does not resolve (the check above can fail)', () => {
    expect(resolveReference('draft-ietf-oauth-browser-based-apps-26 §6.1')).toBeUndefined();
    expect(resolveReference('RFC 1001 §2')).toBeUndefined();
    expect(resolveReference('RFC 10017')?.document).toBe('RFC10017');
  });

  it('every cited section is in the table, with its verified flag', () => {
    const missing = allRules.flatMap((r) =>
      r.meta.references.flatMap((x) => {
        const res = resolveReference(x);
        return res?.section !== undefined && res.sectionTitle === undefined ? [`${r.meta.id}: ${x}`] : [];
      }),
    );
    expect(missing).toEqual([]);
  });

  it('renders each table section back to itself, with the revision in the label', () => {
    for (const d of STANDARDS) {
      for (const [k, sec] of Object.entries(d.sections)) {
        const r = resolveReference(ref(d.id, k));
        expect(r, `${d.id} ${k}`).toMatchObject({ document: d.id, section: k, sectionTitle: sec.title, verified: sec.verified, revision: d.revision });
      }
    }
    expect(ref('OAUTH-SECURITY-UPDATE', '2.2')).toBe('draft-ietf-oauth-security-topics-update-03 §2.2 (Cross-toolkit OAuth Account Takeover)');
    expect(ref('MCP-AUTH', 'Authorization Response Validation')).toBe('MCP authorization 2026-07-28 "Authorization Response Validation"');
    expect(resolveReference('RFC 9700 §4.4.1')).toMatchObject({ url: 'https://www.rfc-editor.org/rfc/rfc9700#section-4.4.1', verified: true });
  });

  it('the seed draft is cited only beside the WG draft, with the same section, and replaced documents are not cited', () => {
    for (const { meta } of allRules) {
      const rs = meta.references.map((x) => resolveReference(x)!);
      for (const r of rs.filter((x) => x.document === 'WUERTELE-02')) {
        expect(rs.some((x) => x.document === 'OAUTH-SECURITY-UPDATE' && x.section === r.section), `${meta.id}: ${r.text}`).toBe(true);
      }
      const replaced = STANDARDS.flatMap((d) => d.replaces ?? []).filter((x) => !STANDARDS.some((d) => d.label === x));
      for (const x of meta.references) expect(replaced.some((old) => x.startsWith(old)), `${meta.id}: ${x}`).toBe(false);
    }
  });

  it('each rule doc page shows the references of its metadata', () => {
    const stale: string[] = [];
    for (const { meta } of allRules) {
      const file = join(root, 'docs/rules', `${meta.id}.md`);
      const text = readFileSync(file, 'utf8');
      const want = meta.references.join(', ');
      const have = docReferences(text);
      if (have === want) continue;
      if (update && have !== undefined) writeFileSync(file, text.replace(`**References:** ${have}`, `**References:** ${want}`));
      else stale.push(`${meta.id}: has "${have}", wants "${want}"`);
    }
    expect(stale).toEqual([]);
  });

  it('docs/standards.md lists every standard, its revision, checked date and rules (npm run docs:rules rewrites it)', () => {
    const want = renderStandardsPage();
    if (update) writeFileSync(page, want);
    const have = readFileSync(page, 'utf8');
    expect(have).toBe(want);
    for (const d of STANDARDS) expect(have).toContain(`(\`${d.label}\`) | ${d.revision}`);
    // every document a rule cites is listed on the page
    for (const { meta } of allRules) for (const x of meta.references) expect(have).toContain(`\`${STANDARDS.find((d) => d.id === resolveReference(x)?.document)?.label}\``);
  });
});
