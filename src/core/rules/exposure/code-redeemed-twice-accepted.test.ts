import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../engine';
import { fastHash } from '../../util/secret';
import { post, rand } from '../../testing/builders';
import { testRule } from '../../testing/rule-tester';
import rule, { tokenDigest } from './code-redeemed-twice-accepted';

const TOKEN = 'https://as.example/oauth/token';
const redeem = (code: string, at: number, status: number, response: object, url = TOKEN) =>
  post(url, { grant_type: 'authorization_code', code, client_id: 'spa', redirect_uri: 'https://app.example/cb', code_verifier: rand(`v${code}`, 64) }, { at, status, responseBody: response });

testRule(rule, {
  valid: [
    {
      name: 'one code, one redemption',
      observations: () => [redeem(rand('c1'), 1, 200, { access_token: rand('a1'), token_type: 'Bearer' })],
    },
    {
      name: 'the AS rejects the second redemption (invalid_grant)',
      observations: () => [redeem(rand('c2'), 1, 200, { access_token: rand('a1') }), redeem(rand('c2'), 10, 400, { error: 'invalid_grant' })],
    },
    {
      name: 'two different codes redeemed',
      observations: () => [redeem(rand('c3'), 1, 200, { access_token: rand('a1') }), redeem(rand('c4'), 10, 200, { access_token: rand('a2') })],
    },
    {
      name: 'the first attempt failed (network/5xx), only the retry succeeded',
      observations: () => [redeem(rand('c5'), 1, 503, { error: 'temporarily_unavailable' }), redeem(rand('c5'), 3, 200, { access_token: rand('a1') })],
    },
    {
      name: 'a 2xx without tokens (sanitized HAR, empty body) is not judged',
      observations: () => [redeem(rand('c6'), 1, 200, { access_token: rand('a1') }), post(TOKEN, { grant_type: 'authorization_code', code: rand('c6'), client_id: 'spa' }, { at: 20, status: 200 })],
    },
    {
      name: 'a refresh_token grant reusing the same value is another rule',
      observations: () => [
        post(TOKEN, { grant_type: 'refresh_token', refresh_token: rand('r1'), client_id: 'spa' }, { at: 1, status: 200, responseBody: { access_token: rand('a1'), refresh_token: rand('r2') } }),
        post(TOKEN, { grant_type: 'refresh_token', refresh_token: rand('r2'), client_id: 'spa' }, { at: 5, status: 200, responseBody: { access_token: rand('a2'), refresh_token: rand('r3') } }),
      ],
    },
  ],
  invalid: [
    {
      name: 'the same code exchanged twice, new tokens both times',
      observations: () => [redeem(rand('x1'), 1, 200, { access_token: rand('a1'), id_token: rand('i1', 80) }), redeem(rand('x1'), 30, 200, { access_token: rand('a2'), id_token: rand('i2', 80) })],
      expect: [{ severity: 'high', variant: 'reuse-accepted', param: 'code', count: 1 }],
    },
    {
      name: 'identical access token returned within 5 s: idempotent retry',
      observations: () => [redeem(rand('x2'), 1, 200, { access_token: rand('same') }), redeem(rand('x2'), 3, 200, { access_token: rand('same') })],
      expect: [{ severity: 'medium', variant: 'idempotent-retry' }],
    },
    {
      name: 'identical access token, but a minute later: still a reuse the AS accepted',
      observations: () => [redeem(rand('x3'), 1, 200, { access_token: rand('same') }), redeem(rand('x3'), 61, 200, { access_token: rand('same') })],
      expect: [{ severity: 'high', variant: 'reuse-accepted' }],
    },
    {
      name: 'a rejected attempt in between, then accepted again',
      observations: () => [redeem(rand('x4'), 1, 200, { access_token: rand('a1') }), redeem(rand('x4'), 5, 400, { error: 'invalid_grant' }), redeem(rand('x4'), 20, 201, { access_token: rand('a3') })],
      expect: [{ severity: 'high', count: 1 }],
    },
    {
      name: 'three accepted redemptions: two findings',
      observations: () => [redeem(rand('x5'), 1, 200, { access_token: rand('a1') }), redeem(rand('x5'), 20, 200, { access_token: rand('a2') }), redeem(rand('x5'), 40, 200, { access_token: rand('a3') })],
      expect: [{ severity: 'high', count: 2 }],
    },
    {
      name: 'ID token only (OIDC token response without access token) counts as tokens',
      observations: () => [redeem(rand('x6'), 1, 200, { id_token: rand('i1', 80) }), redeem(rand('x6'), 30, 200, { id_token: rand('i2', 80) })],
      expect: [{ severity: 'high' }],
    },
  ],
});

describe('code-redeemed-twice-accepted: the token key', () => {
  // the old key was fastHash (util/secret.ts): equal exactly when the tokens are, as tokenDigest must be
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
  const tokens = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.array(fc.constantFrom(...B64), { minLength: 0, maxLength: 3000 }).map((a) => a.join('')),
  );
  /** a token and one like it: equal, one unit changed, one added or dropped, two swapped */
  const pairs = fc.tuple(tokens, fc.nat(), fc.oneof(fc.integer({ min: 0, max: 0x7f }), fc.integer({ min: 0, max: 0xffff })), fc.constantFrom('same', 'change', 'add', 'drop', 'swap')).map(([t, at, u, how]) => {
    const i = t.length === 0 ? 0 : at % t.length;
    const ch = String.fromCharCode(u);
    const other =
      how === 'change' ? t.slice(0, i) + ch + t.slice(i + 1)
      : how === 'add' ? t.slice(0, i) + ch + t.slice(i)
      : how === 'drop' ? t.slice(0, i) + t.slice(i + 1)
      : how === 'swap' && i + 1 < t.length ? t.slice(0, i) + t[i + 1] + t[i] + t.slice(i + 2)
      : t;
    return [t, other] as const;
  });

  it('is equal exactly when the tokens are (as fastHash was)', () => {
    fc.assert(
      fc.property(pairs, ([a, b]) => {
        expect(tokenDigest(a) === tokenDigest(b)).toBe(a === b);
        expect(tokenDigest(a) === tokenDigest(b)).toBe(fastHash(a) === fastHash(b));
        expect(tokenDigest(a)).toMatch(/^[0-9a-f]{14}$/);
      }),
      { numRuns: 20_000 },
    );
  });

  it('gives one answer per token, whatever was hashed before (its buffer grows), and fastHash beyond ASCII or 64 KB', () => {
    const t = rand('t', 734);
    const d = tokenDigest(t);
    expect(tokenDigest(rand('long', 50_000))).not.toBe(d);
    expect(tokenDigest(t)).toBe(d);
    expect(tokenDigest(`é${t}`)).toBe(fastHash(`é${t}`));
    expect(tokenDigest('\ud800' + t)).not.toBe(tokenDigest('\ud801' + t)); // lone surrogates (TextEncoder would write both as U+FFFD)
    const huge = rand('huge', 70_000);
    expect(tokenDigest(huge)).toBe(fastHash(huge));
  });

  it('no two of 20 000 random tokens share a digest', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) seen.add(tokenDigest(rand(`tok${i}`, 40 + (i % 900))));
    expect(seen.size).toBe(20_000);
  });

  /** the first redemption saved by an engine, its memo rewritten as an older version wrote it, then the retry in a new engine */
  function retryAfterRestore(rewrite: (m: Record<string, unknown>, token: string) => void): (string | undefined)[] {
    const code = rand('compat'), token = rand('same-token', 900);
    const first = new Engine();
    first.push(redeem(code, 1, 200, { access_token: token }));
    const entries: Record<string, string> = { ...first.flush().set };
    const keys = Object.keys(entries).filter((k) => k.startsWith('rule:code-redeemed-twice-accepted:'));
    expect(keys).toHaveLength(1);
    // saved as [order, value]
    const saved = JSON.parse(entries[keys[0]]) as [unknown, Record<string, unknown>];
    const m = saved[1];
    expect(m.tokenDigest).toBe(tokenDigest(token));
    rewrite(m, token);
    entries[keys[0]] = JSON.stringify(saved);
    const second = new Engine({ entries });
    second.push(redeem(code, 3, 200, { access_token: token }));
    second.finish();
    return second.findings.filter((f) => f.ruleId === 'code-redeemed-twice-accepted').map((f) => f.variant);
  }

  it('recognises the retry against a memo of this version and of the one before (fastHash as tokenKey)', () => {
    expect(retryAfterRestore(() => {})).toEqual(['idempotent-retry']);
    expect(
      retryAfterRestore((m, token) => {
        delete m.tokenDigest;
        m.tokenKey = fastHash(token);
      }),
    ).toEqual(['idempotent-retry']);
    // older still (a SHA-256 as tokenHash): no retry is recognised, a reuse is reported
    expect(
      retryAfterRestore((m) => {
        delete m.tokenDigest;
        m.tokenHash = '0123456789abcdef';
      }),
    ).toEqual(['reuse-accepted']);
  });
});
