/**
 * The conventions every rule must follow (as refined-github's meta-test does for its features):
 * one file per rule id, metadata complete, a valid/invalid test table beside it, a doc page, and
 * every tier 1 and tier 2 id of the detector catalogue implemented.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allRules } from '../src/core/rules/index';
import { SEVERITIES } from '../src/core/report/finding';

const root = join(import.meta.dirname, '..');
const rulesDir = join(root, 'src/core/rules');
/**
 * The tier 1 rule ids: the set every build must carry (the detector catalogue's required rules,
 * as the project adopted them). Ids are a public interface: this list only grows.
 */
const TIER1 = [
  'mixup-iss-mismatch', 'mixup-iss-missing', 'mixup-as-switch', 'coat-context-switch', 'callback-context-mismatch',
  'unsolicited-callback', 'session-fixation-link', 'code-replay', 'implicit-grant', 'token-in-fragment',
  'token-in-url-query', 'pkce-missing', 'pkce-plain', 'pkce-verifier-weak', 'state-missing', 'state-weak',
  'state-reuse', 'nonce-missing', 'redirect-uri-insecure', 'redirect-uri-open-redirect', 'ropc-grant',
  'client-secret-in-url', 'refresh-token-reuse', 'referer-leak', 'audience-injection', 'id-token-aud-mismatch',
  'jwt-alg-none', 'token-lifetime-long', 'metadata-endpoint-foreign', 'metadata-issuer-mismatch',
];

/**
 * The tier 2 ids the detector catalogue lists (its "Tier 2 ids" line): all implemented since
 * 2026-12-05, so that none goes missing again. The catalogue's group L rules and CoatCheck's own
 * tier 2 additions are tier 2 as well, and not listed here.
 */
const TIER2 = [
  'mixup-no-defense', 'broker-consent-shared', 'credential-sent-to-other-issuer', 'mcp-discovery-out-of-order',
  'mixup-code-sent-to-wrong-token-endpoint', 'session-fixation-state-carries-session', 'callback-without-browser-binding',
  'code-redeemed-twice-accepted', 'pkce-s256-malformed', 'pkce-verifier-mismatch-accepted', 'pkce-downgrade-accepted',
  'pkce-challenge-reused', 'nonce-reused-or-mismatch', 'jwt-risky-header', 'idtoken-hash-mismatch', 'id-token-as-bearer',
  'credential-in-history', 'client-secret-in-browser', 'open-redirect-token-exfil', 'redirect-uri-malformed',
  'redirect-uri-not-exact-match', 'as-307-credential-forward', 'authz-endpoint-cors', 'refresh-token-not-rotated',
  'assertion-aud-not-issuer-or-target', 'assertion-key-shared-across-as', 'assertion-hygiene',
];

/** src/core/rules/support holds what several rules share (no rule); every other folder is a rule group. */
const SUPPORT = 'support';

function ruleFiles(): Map<string, string> {
  const out = new Map<string, string>();
  for (const group of readdirSync(rulesDir, { withFileTypes: true })) {
    if (!group.isDirectory() || group.name === SUPPORT) continue;
    for (const f of readdirSync(join(rulesDir, group.name))) {
      if (f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'index.ts') out.set(f.replace(/\.ts$/, ''), join(rulesDir, group.name, f));
    }
  }
  return out;
}

describe('rule conventions', () => {
  const files = ruleFiles();
  it('every file in a rule folder is a registered rule (helpers live in rules/support, test data in core/testing)', () => {
    const registered = new Set(allRules.map((r) => r.meta.id));
    const strays = [...files.keys()].filter((id) => !registered.has(id)).map((id) => files.get(id));
    expect(strays, 'files in a rule group folder that are not registered rules (add them to the group index, or move them)').toEqual([]);
    for (const [id, file] of files) expect(readFileSync(file, 'utf8'), file).toMatch(new RegExp(`id: '${id}'`));
    const support = readdirSync(join(rulesDir, SUPPORT)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    for (const f of support) expect(readFileSync(join(rulesDir, SUPPORT, f), 'utf8'), f).not.toMatch(/defineRule\(/);
  });
  it('ids are unique', () => {
    const ids = allRules.map((r) => r.meta.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
  for (const rule of allRules) {
    const { id } = rule.meta;
    describe(id, () => {
      it('lives in a file named after its id, with a test table beside it', () => {
        const file = files.get(id);
        expect(file, `src/core/rules/<group>/${id}.ts`).toBeDefined();
        const test = file!.replace(/\.ts$/, '.test.ts');
        expect(existsSync(test), test).toBe(true);
        const src = readFileSync(test, 'utf8');
        expect(src).toMatch(/valid:\s*\[/);
        expect(src).toMatch(/invalid:\s*\[/);
      });
      it('has complete metadata', () => {
        expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
        expect(SEVERITIES).toContain(rule.meta.severity);
        expect(rule.meta.title.length).toBeGreaterThan(10);
        expect(rule.meta.description.length).toBeGreaterThan(20);
        expect(rule.meta.references.length).toBeGreaterThan(0);
        for (const r of rule.meta.references) expect(r).toMatch(/^(RFC \d+|draft-|OIDC|OpenID|RFC|MCP authorization \d{4}-\d{2}-\d{2})/);
        expect(rule.meta.on === 'any' || rule.meta.on.length > 0).toBe(true);
      });
      it(rule.meta.on === 'any' ? 'declares the raw precondition the engine prefilters non-OAuth messages with' : 'declares no prefilter (it never runs on non-OAuth messages)', () => {
        const p = rule.meta.prefilter;
        if (rule.meta.on !== 'any') {
          expect(p, 'only on: \'any\' rules run on \'other\' messages; a prefilter here would never be read').toBeUndefined();
          return;
        }
        // an 'any' rule runs on every subresource: it must say what it reads (rules/types.ts RawPrecondition)
        expect(p, `${id}: meta.prefilter`).toBeDefined();
        const items = Object.entries(p!).filter(([, v]) => (Array.isArray(v) ? v.length > 0 : v === true));
        expect(items.length, `${id}: an empty prefilter would skip the rule on every 'other' message`).toBeGreaterThan(0);
        for (const n of [...(p!.urlParams ?? []), ...(p!.refererParams ?? []), ...(p!.bodyFields ?? [])]) expect(n).toMatch(/^[A-Za-z0-9_]+$/);
        for (const m of p!.methods ?? []) expect(m).toBe(m.toUpperCase());
      });
      it('has a doc page with what, why, example and fix', () => {
        const doc = join(root, 'docs/rules', `${id}.md`);
        expect(existsSync(doc), doc).toBe(true);
        const text = readFileSync(doc, 'utf8');
        expect(text.startsWith(`# ${id}`)).toBe(true);
        for (const h of ['## What it detects', '## Why it matters', '## Example', '## How to fix']) expect(text).toContain(h);
      });
    });
  }
  it('implements every tier 1 rule, as tier 1', () => {
    const have = new Map(allRules.map((r) => [r.meta.id, r.meta.tier]));
    expect(TIER1.filter((id) => !have.has(id)), 'missing tier 1 rules').toEqual([]);
    expect(TIER1.filter((id) => have.get(id) !== 1), 'tier 1 rules marked otherwise').toEqual([]);
    expect(allRules.filter((r) => r.meta.tier === 1 && !TIER1.includes(r.meta.id)).map((r) => r.meta.id), 'tier 1 rules not in the list').toEqual([]);
  });
  it('implements every tier 2 id of the detector catalogue, as tier 2', () => {
    const have = new Map(allRules.map((r) => [r.meta.id, r.meta.tier]));
    expect(TIER2.filter((id) => !have.has(id)), 'missing tier 2 rules').toEqual([]);
    expect(TIER2.filter((id) => have.get(id) !== 2), 'catalogue tier 2 rules marked otherwise').toEqual([]);
  });
});
