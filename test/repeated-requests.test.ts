/**
 * A finding is reported once, not once per request that shows it again: a single-page app sends
 * its token with every API call, a client fetches its AS's metadata at every login, a page reloads
 * its assets. For every HAR capture of the repository and every rule's test cases, the same
 * capture with each of its non-OAuth requests (a GET with no body, no navigation, no OAuth parameter in
 * the URL: API calls, assets, metadata and JWKS fetches) sent once more later, on the same page or tab, raises no more findings of
 * any rule (a rule that judges by time may raise its one finding from a later repeat: TIME_DEPENDENT
 * below). (Repeating an OAuth message is another matter: a replayed authorization request or
 * code is what several rules are for.)
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../src/core/engine';
import { feedHarEntries } from '../src/core/observe/har-feed';
import type { Observation } from '../src/core/observe/observation';
import type { Finding } from '../src/core/report/finding';
import { ruleCases } from '../src/core/testing/rule-tester';

// the rule tables, recorded without registering their tests again
(globalThis as { __collectRuleCasesOnly?: boolean }).__collectRuleCasesOnly = true;
for (const [path, load] of Object.entries(import.meta.glob('../src/core/rules/*/*.test.ts'))) if (!path.endsWith('group-a.test.ts')) await load();
(globalThis as { __collectRuleCasesOnly?: boolean }).__collectRuleCasesOnly = false;

const OAUTH_PARAM = /[?&#](client_id|code|state|grant_type|response_type|request_uri|id_token_hint|post_logout_redirect_uri|logout_token|error)=/;

function perRule(findings: readonly Finding[]): Record<string, number> {
  const n: Record<string, number> = {};
  for (const f of findings) n[f.ruleId] = (n[f.ruleId] ?? 0) + 1;
  return n;
}

function run(observations: readonly Observation[]): Record<string, number> {
  const engine = new Engine();
  for (const o of observations) engine.push(o);
  engine.finish();
  return perRule(engine.findings);
}

// ------------------------------------------------------------------ rule cases (observations)

function repeatable(o: Observation): boolean {
  if (o.type === 'main_frame' || o.type === 'sub_frame' || o.navigationOnly) return false;
  if (OAUTH_PARAM.test(o.url)) return false;
  // a request with a body is an action (a token, PAR or registration request, a form post), not a
  // request shown again
  return o.method === 'GET' && o.requestBody === undefined;
}

function withRepeats(observations: readonly Observation[]): Observation[] {
  const times = observations.map((o) => o.time).filter(Number.isFinite);
  const last = times.length ? Math.max(...times) : 0;
  const again = observations.filter(repeatable).map((o, i) => ({
    ...o,
    id: `${o.id}-again`,
    time: last + 1000 + i,
    ref: { ...o.ref, entry: o.ref.entry === undefined ? undefined : o.ref.entry + 100_000, requestId: o.ref.requestId === undefined ? undefined : `${o.ref.requestId}-again` },
  }));
  return [...observations, ...again];
}

/**
 * Rules whose verdict depends on when a request is sent: a repeat sent later is new evidence, and
 * may raise the finding the earlier requests could not (credential-in-history: a request of the
 * callback document 5 s or more after the response proves its URL was not cleaned). For them the
 * repeats may add that one finding, never a second.
 */
const TIME_DEPENDENT = new Set(['credential-in-history']);

function timeTolerant(twice: Record<string, number>, once: Record<string, number>): Record<string, number> {
  const out = { ...twice };
  for (const id of TIME_DEPENDENT) {
    if ((twice[id] ?? 0) <= Math.max(once[id] ?? 0, 1)) {
      if (once[id] === undefined) delete out[id];
      else out[id] = once[id];
    }
  }
  return out;
}

describe('a request shown again raises no second finding: the rules’ cases', () => {
  for (const { ruleId, valid, invalid } of ruleCases) {
    it(ruleId, () => {
      for (const c of [...invalid, ...valid]) {
        const observations = c.observations();
        if (!observations.some(repeatable)) continue;
        const once = run(observations);
        const twice = run(withRepeats(c.observations()));
        expect(timeTolerant(twice, once), `${ruleId}: ${c.name}`).toEqual(once);
      }
    });
  }
});

// ------------------------------------------------------------------ HAR captures

const root = join(import.meta.dirname, '..');
function harsUnder(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(join(root, p)).isDirectory()) return harsUnder(p);
    return f.endsWith('.har') ? [p] : [];
  });
}
const harFiles = ['examples', 'test/fixtures/providers', 'test/fixtures/har'].flatMap(harsUnder);

type Entry = { startedDateTime: string; _resourceType?: string; request?: { method?: string; url?: string; postData?: unknown } };

function repeatableEntry(e: Entry): boolean {
  return e._resourceType !== 'document' && e.request?.method === 'GET' && e.request.postData === undefined && !OAUTH_PARAM.test(e.request.url ?? '');
}

function scan(entries: readonly unknown[]): Record<string, number> {
  const engine = new Engine();
  feedHarEntries(entries, (o) => engine.push(o));
  engine.finish();
  return perRule(engine.findings);
}

describe('a request shown again raises no second finding: the HAR captures', () => {
  it.each(harFiles)('%s', (file) => {
    const har = JSON.parse(readFileSync(join(root, file), 'utf8')) as { log: { entries: Entry[] } };
    const entries = har.log.entries;
    const times = entries.map((e) => Date.parse(e.startedDateTime)).filter(Number.isFinite);
    const last = times.length ? Math.max(...times) : 0;
    const again = entries.filter(repeatableEntry).map((e, i) => ({ ...e, startedDateTime: new Date(last + 1000 + i).toISOString() }));
    const once = scan(entries);
    expect(timeTolerant(scan([...entries, ...again]), once)).toEqual(once);
  });
});
