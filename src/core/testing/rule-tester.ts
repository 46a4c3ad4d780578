/**
 * An ESLint-style RuleTester: each rule gets a table of valid cases (benign look-alikes, which must
 * raise nothing from this rule) and invalid cases (attacks, which must raise what they list).
 */
import { describe, expect, it } from 'vitest';
import type { Observation } from '../observe/observation';
import type { Confidence, Finding, Severity } from '../report/finding';
import type { Rule } from '../rules/types';
import { resetBuilders, run } from './builders';

export interface ValidCase {
  name: string;
  observations: () => Observation[];
  /** findings of this rule at these severities are tolerated (e.g. an info-level variant) */
  allow?: Severity[];
}

export interface InvalidCase {
  name: string;
  observations: () => Observation[];
  expect: {
    severity?: Severity;
    confidence?: Confidence;
    variant?: string;
    count?: number;
    message?: RegExp;
    param?: string;
    /** true: the finding says its verdict rests on the provider table (§3); false: it must not */
    providerTable?: boolean;
  }[];
}

/**
 * Every case `testRule` was given, by rule: other tests replay the whole table (test/har-order.test.ts
 * reads every attack in any entry order). With `globalThis.__collectRuleCasesOnly` set, `testRule`
 * only records its cases and registers no test.
 */
export const ruleCases: { ruleId: string; valid: ValidCase[]; invalid: InvalidCase[] }[] = [];

export function testRule(rule: Rule, cases: { valid: ValidCase[]; invalid: InvalidCase[] }): void {
  ruleCases.push({ ruleId: rule.meta.id, valid: cases.valid, invalid: cases.invalid });
  if ((globalThis as { __collectRuleCasesOnly?: boolean }).__collectRuleCasesOnly) return;
  describe(`rule ${rule.meta.id}`, () => {
    for (const c of cases.valid) {
      it(`valid: ${c.name}`, () => {
        resetBuilders();
        const { findings } = run(c.observations());
        const mine = findings.filter((f) => f.ruleId === rule.meta.id && !(c.allow ?? []).includes(f.severity));
        expect(mine, describeFindings(mine)).toEqual([]);
      });
    }
    for (const c of cases.invalid) {
      it(`invalid: ${c.name}`, () => {
        resetBuilders();
        const { findings } = run(c.observations());
        const mine = findings.filter((f) => f.ruleId === rule.meta.id);
        expect(mine.length, `expected ${rule.meta.id} findings, got: ${describeFindings(findings)}`).toBeGreaterThan(0);
        for (const e of c.expect) {
          const match = mine.filter(
            (f) =>
              (!e.severity || f.severity === e.severity) &&
              (!e.confidence || f.confidence === e.confidence) &&
              (!e.variant || f.variant === e.variant) &&
              (!e.message || e.message.test(f.message)) &&
              (!e.param || f.evidence.some((ev) => ev.param === e.param)) &&
              (e.providerTable === undefined || (f.providerTable !== undefined) === e.providerTable),
          );
          expect(match.length, `no ${rule.meta.id} finding matches ${JSON.stringify({ ...e, message: e.message?.source })}; got ${describeFindings(mine)}`).toBeGreaterThan(0);
          if (e.count !== undefined) expect(match.length).toBe(e.count);
        }
        for (const f of mine) {
          expect(f.references.length).toBeGreaterThan(0);
          expect(f.evidence.length).toBeGreaterThan(0);
        }
      });
    }
  });
}

function describeFindings(fs: Finding[]): string {
  return JSON.stringify(fs.map((f) => ({ ruleId: f.ruleId, severity: f.severity, confidence: f.confidence, variant: f.variant, message: f.message })), null, 1);
}
