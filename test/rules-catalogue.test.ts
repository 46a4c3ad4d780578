/**
 * docs/rules/README.md is the users' rule catalogue: generated from every rule's `meta`, so it
 * never drifts from the code. This test renders it and compares; to rewrite the page after a
 * change to a rule's metadata run `npm run docs:rules`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { allRules } from '../src/core/rules/index';
import { SEVERITIES } from '../src/core/report/finding';

const page = join(import.meta.dirname, '../docs/rules/README.md');

/** Table cells hold one line; a pipe would end the cell. */
const cell = (s: string) => s.replace(/\s+/g, ' ').replace(/\|/g, '\\|').trim();

export function renderCatalogue(): string {
  const groups = new Map<string, typeof allRules>();
  const byId = [...allRules].sort((a, b) => a.meta.tier - b.meta.tier || SEVERITIES.indexOf(a.meta.severity) - SEVERITIES.indexOf(b.meta.severity) || a.meta.id.localeCompare(b.meta.id));
  for (const r of byId) {
    const key = `Tier ${r.meta.tier}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const out = [
    '# CoatCheck rules',
    '',
    '<!-- Generated from the rules\' metadata (src/core/rules/*/<id>.ts) by `npm run docs:rules`; test/rules-catalogue.test.ts fails when it is out of date. Do not edit by hand. -->',
    '',
    `${allRules.length} rules. Each id is a stable public interface: it appears in findings, in the JSON report and as the SARIF \`ruleId\`. ` +
      'The severity is the default; a rule lowers it where its page says so (for example when another defence protects the flow, or when a capture may have started late). ' +
      'Confidence is `strong` when the signature is observed directly, `heuristic` when it is inferred. ' +
      'Vantage says where the signature can be seen: `BG` the extension\'s background worker (any tab), `DT` the DevTools panel (request and response bodies), `HAR` a capture scanned by `coatcheck scan`.',
    '',
    'Tier 1 rules are the core set every CoatCheck build carries; tier 2 rules extend it.',
    '',
  ];
  for (const [name, rules] of groups) {
    out.push(`## ${name}`, '', '| id | severity | confidence | vantage | what it catches | references |', '| --- | --- | --- | --- | --- | --- |');
    for (const { meta } of rules) {
      out.push(`| [\`${meta.id}\`](${meta.id}.md) | ${meta.severity} | ${meta.confidence} | ${meta.vantage.join(', ')} | ${cell(meta.title)} | ${cell(meta.references.join('; '))} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

it('docs/rules/README.md lists every rule as its metadata says (npm run docs:rules rewrites it)', () => {
  const want = renderCatalogue();
  if (process.env.UPDATE_RULES_CATALOGUE === '1') writeFileSync(page, want);
  const have = readFileSync(page, 'utf8');
  expect(have).toBe(want);
  for (const r of allRules) expect(have).toContain(`[\`${r.meta.id}\`](${r.meta.id}.md)`);
});
