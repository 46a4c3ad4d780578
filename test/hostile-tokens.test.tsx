// @vitest-environment happy-dom
/**
 * Issue #11 part 1: one hostile token must not blank the panel or crash `coatcheck inspect`.
 * Dates out of any range (nbf 1e308, exp -1e308), payloads nested 100 000 deep and tokens over the
 * decode limit each get a clear message in their own card, never an exception that escapes it.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import fc from 'fast-check';
import { decodeToken, timesOf } from '../src/core/tokens/decode';
import { tokenFindings } from '../src/core/tokens/findings';
import { jsonNestsDeeperThan, parseJsonObject } from '../src/core/util/json';
import { isCoreError } from '../src/core/errors';
import { inspectCommand } from '../src/companion/inspect';
import { fakeIO } from '../src/companion/test-io';
import { analyseHar } from '../src/devtools/model/capture';
import { collectTokens, humanTime, tokenView, warningsFor } from '../src/devtools/model/tokens';
import { CardBoundary, TokenCard, TokenErrorCard } from '../src/devtools/panel/components';
import { entry } from './devtools-fixture';
import { mountContainer } from './dom-mount';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
const jwt = (payload: string, header = '{"alg":"HS256","typ":"JWT"}') => `${b64(header)}.${b64(payload)}.c2ln`;

const HOSTILE_DATES = jwt('{"iss":"https://as.example","sub":"a","nbf":1e308,"exp":-1e308,"iat":1e308}');
const DEEP = jwt(`{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
const DEEP_HEADER = `${b64(`{"alg":"HS256","x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`)}.${b64('{}')}.c2ln`;
const HUGE = jwt(`{"sub":"a","pad":"${'x'.repeat(1_100_000)}"}`);
const NOW = Date.parse('2026-12-04T12:00:00Z');

describe('core: dates and depth from a token are checked before use', () => {
  it('a NumericDate outside any date is a low finding, not an exception', () => {
    const r = decodeToken(HOSTILE_DATES);
    const f = tokenFindings(r, { use: 'access_token', now: NOW });
    expect(f.filter((x) => x.ruleId === 'token-date-invalid').map((x) => x.message.slice(0, 15))).toEqual(["The token's exp", "The token's nbf", "The token's iat"]);
    expect(f.some((x) => x.ruleId === 'token-expired' || x.ruleId === 'token-not-yet-valid')).toBe(false);
    const times = timesOf(r.payload, NOW);
    expect([times?.exp, times?.nbf, times?.iat]).toEqual([undefined, undefined, undefined]);
  });
  it('a payload, header or JSON serialization nested 100 000 deep is refused with TOKEN_MALFORMED', () => {
    for (const t of [DEEP, DEEP_HEADER, `{"payload":"e30","signatures":[{"protected":"e30","signature":"","x":${'['.repeat(100_000)}${']'.repeat(100_000)}}]}`]) {
      let err: unknown;
      try {
        decodeToken(t);
      } catch (e) {
        err = e;
      }
      expect(isCoreError(err) && err.code).toBe('TOKEN_MALFORMED');
      expect((err as Error).message).toMatch(/deeper than 64 levels/);
    }
  });
  it('the depth scan ignores brackets inside strings and matches real nesting', () => {
    expect(jsonNestsDeeperThan('{"a":"[[[[[[[[[[[["}', 3)).toBe(false);
    expect(jsonNestsDeeperThan('{"a":"\\"[[[[[[["}', 3)).toBe(false);
    expect(jsonNestsDeeperThan('{"a":[[[1]]]}', 3)).toBe(true);
    expect(jsonNestsDeeperThan('{"a":[[1]]}', 3)).toBe(false);
    expect(parseJsonObject(`{"a":${'['.repeat(65)}${']'.repeat(65)}}`)).toBeUndefined();
    expect(parseJsonObject(`{"a":${'['.repeat(10)}${']'.repeat(10)}}`)).toEqual({ a: [[[[[[[[[[]]]]]]]]]] });
  });
  it('property: any claims set decodes, reads its times and yields findings without throwing', () => {
    const num = fc.oneof(fc.double(), fc.constantFrom(1e308, -1e308, 8.64e12, 8.64e12 + 1, -0, Number.MAX_SAFE_INTEGER), fc.integer());
    const claims = fc.record({ exp: fc.oneof(num, fc.jsonValue()), nbf: fc.oneof(num, fc.jsonValue()), iat: fc.oneof(num, fc.jsonValue()), aud: fc.jsonValue(), iss: fc.jsonValue() }, { requiredKeys: [] });
    fc.assert(
      fc.property(claims, fc.constantFrom('access_token', 'id_token', 'assertion', 'unknown') as fc.Arbitrary<'access_token'>, (c, use) => {
        const r = decodeToken(jwt(JSON.stringify(c)));
        tokenFindings(r, { use, clientId: 'c', now: NOW });
        timesOf(r.payload, NOW);
        tokenView(r, NOW);
      }),
      { numRuns: 300 },
    );
  });
  it('humanTime says when a number is no date', () => {
    expect(humanTime(1e308, NOW)).toMatch(/not a date/);
    expect(humanTime(-1e308, NOW)).toMatch(/not a date/);
  });
});

describe('coatcheck inspect on hostile tokens', () => {
  it('dates out of range: decoded, with the finding, exit 0 (nothing at high)', async () => {
    const io = fakeIO({});
    const code = await inspectCommand([HOSTILE_DATES, '--format', 'json'], io);
    expect(io.stderrText).not.toMatch(/internal error/);
    expect(code).toBe(0);
    expect(io.stdoutText).toContain('token-date-invalid');
  });
  it('nested 100 000 deep: a clear error naming the cause, not an internal error', async () => {
    const io = fakeIO({});
    const code = await inspectCommand([DEEP], io);
    expect(io.stderrText + io.stdoutText).toMatch(/deeper than 64 levels/);
    expect(io.stderrText).not.toMatch(/internal error/);
    expect(code).toBe(2);
  });
});

describe('DevTools panel: a hostile token stays in its card', () => {
  const mounted = mountContainer();
  let container: HTMLElement;
  beforeEach(() => {
    container = mounted();
  });
  const revealNone = { all: false, keys: new Set<string>(), toggle: () => {} };

  function capture(tokens: string[]) {
    const har = JSON.stringify({ log: { version: '1.2', entries: tokens.map((t, i) => entry(`https://api.example/r${i}`, { reqHeaders: [['Authorization', `Bearer ${t}`]], type: 'fetch' })) } });
    const r = analyseHar(har);
    if ('error' in r) throw new Error(r.error);
    return r.capture;
  }

  it('every token of the capture gets a card: decoded, or saying why not (too large, too deep)', () => {
    const c = capture([HOSTILE_DATES, DEEP, HUGE, jwt('{"sub":"fine"}')]);
    const items = collectTokens(c);
    expect(items.map((t) => [Boolean(t.report), t.error?.match(/deeper than 64|larger than/)?.[0]])).toEqual([
      [true, undefined],
      [false, 'deeper than 64'],
      [false, 'larger than'],
      [true, undefined],
    ]);
    act(() =>
      render(
        <div>
          {items.map((t) => (
            <CardBoundary key={t.id} what="token">
              {t.report ? (
                <TokenCard id={t.id} title={t.name} raw={t.raw} report={t.report} warnings={warningsFor(t, { metadata: [], now: NOW })} reveal={revealNone} now={NOW} />
              ) : (
                <TokenErrorCard id={t.id} title={t.name} raw={t.raw} error={t.error!} reveal={revealNone} />
              )}
            </CardBoundary>
          ))}
        </div>,
        container,
      ),
    );
    const cards = Array.from(container.querySelectorAll('[data-testid="token-card"]'));
    expect(cards.length).toBe(4);
    expect(container.querySelectorAll('[data-testid="token-error"]').length).toBe(2);
    expect(container.querySelector('[data-testid="card-error"]')).toBeNull();
    expect(cards[0].querySelector('tr[data-claim="nbf"] .human')?.textContent).toMatch(/not a date/);
    expect(cards[0].textContent).toContain('token-date-invalid');
  });

  it('a card that throws while rendering shows its error; its neighbours render', () => {
    function Broken(): never {
      throw new RangeError('Invalid time value');
    }
    act(() =>
      render(
        <div>
          <CardBoundary what="token (ID token)">
            <Broken />
          </CardBoundary>
          <CardBoundary what="token (access token)">
            <p data-testid="neighbour">still here</p>
          </CardBoundary>
        </div>,
        container,
      ),
    );
    expect(container.querySelector('[data-testid="card-error"]')?.textContent).toBe('This token (ID token) could not be shown: Invalid time value');
    expect(container.querySelector('[data-testid="neighbour"]')?.textContent).toBe('still here');
  });
});
