import { describe, expect, it } from 'vitest';
import { Engine } from './engine';
import { obs, post, q, rand, resetBuilders } from './testing/builders';
import type { Observation } from './observe/observation';

/** Logins at one AS in many tabs: each an authorization request whose flow is later evicted (cap 500), some with a code redeemed. */
function logins(n: number): Observation[] {
  resetBuilders();
  const out: Observation[] = [];
  for (let i = 0; i < n; i++) {
    const ctx = `tab:${i}`;
    out.push(
      obs(`https://as.example/authorize?${q({ response_type: 'code', client_id: 'app', redirect_uri: 'https://app.example/cb', state: rand(`s${i}`), code_challenge: rand(`c${i}`, 43), code_challenge_method: 'S256' })}`, { context: ctx }),
      obs(`https://app.example/page/${i}.js`, { context: ctx, type: 'script' }),
    );
    // every tenth login redeems a code (an accepted redemption: a rule memo, code-redeemed-twice-accepted)
    if (i % 10 === 0)
      out.push(post('https://as.example/token', { grant_type: 'authorization_code', code: rand(`code${i}`), redirect_uri: 'https://app.example/cb', client_id: 'app' }, { context: ctx, type: 'fetch', status: 200, responseBody: { access_token: rand(`at${i}`), token_type: 'Bearer' } }));
  }
  return out;
}

describe('an engine that is never saved (journal: false)', () => {
  const events = logins(3000);

  it('forgets what changed as it goes, where a saved engine keeps every key until its flush', () => {
    const saved = new Engine();
    const scan = new Engine({ journal: false });
    for (const o of events) {
      saved.push(o);
      scan.push(o);
    }
    const a = saved.flush();
    const b = scan.flush();
    // the saved engine must still write and remove every key since it started (2 500 evicted flows among them)
    expect(a.remove.filter((k) => k.startsWith('flow:')).length).toBeGreaterThan(2000);
    // the other one only what changed since its last discard (at most 1 024 observations ago)
    expect(b.remove.length + Object.keys(b.set).length).toBeLessThan(2 * 1024);
    expect(scan.store.flows.size).toBe(saved.store.flows.size);
  });

  it('finds the same and still serialises its whole state on demand', () => {
    const saved = new Engine();
    const scan = new Engine({ journal: false });
    for (const o of events) {
      saved.push(o);
      scan.push(o);
    }
    expect(scan.findings).toEqual(saved.findings);
    const restored = new Engine({ state: scan.toJSON() });
    expect(restored.flows().map((f) => f.id)).toEqual(saved.flows().map((f) => f.id));
    expect(restored.flows().length).toBeGreaterThan(0);
  });

  it('tracks no change at all, and its snapshot on demand is the saved engine\'s, key for key', () => {
    const saved = new Engine();
    const scan = new Engine({ journal: false });
    for (const o of events.slice(0, 1500)) {
      saved.push(o);
      scan.push(o);
    }
    // what the store's owners write: only their meta records (no flow, context, credential or rule memo key)
    const changed = scan.flush();
    expect(Object.keys(changed.set).filter((k) => /^(flow|ctx|cred|as|mcp|rule):/.test(k))).toEqual([]);
    expect(changed.remove).toEqual([]);
    const a = saved.toJSON();
    const b = scan.toJSON();
    expect(Object.keys(b.entries).length).toBeGreaterThan(1000);
    expect(Object.keys(b.entries).filter((k) => k.startsWith('rule:')).length).toBeGreaterThan(0);
    expect(b).toEqual(a);
    // and again after more changes (a snapshot marks everything, then the untracked changes go on)
    for (const o of events.slice(1500)) {
      saved.push(o);
      scan.push(o);
    }
    expect(scan.toJSON()).toEqual(saved.toJSON());
  });
});
