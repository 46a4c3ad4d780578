/**
 * resolvesToItself (util/url.ts), as recordHop uses it, against the URL parser: whatever it accepts is its own href, on URLs built from
 * pieces that the parser rewrites (upper case, IPv4 forms, punycode, default ports, dot segments,
 * escapes, characters it percent-encodes) mixed with ones it keeps; and the Locations of the usual
 * redirects (authorization requests, callbacks) are accepted.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolvesToItself } from '../util/url';
import { absoluteHref, absoluteHrefOfParsedBase } from './href';

const SCHEMES = ['https://', 'http://', 'HTTPS://', 'ftp://', 'https:/', 'https:', '//', '/', ''];
const LABELS = ['a', 'b', 'login0', 'idp3', 'example', 'com', 'x-y', '-', 'A', 'Ex', 'xn--nxasmq6b', 'xn--a', '1', '0x1f', '127', '08', '1a', 'a_b', '', 'é'];
const PORTS = ['', '', '', ':', ':443', ':80', ':8080', ':0', ':08080', ':65535', ':65536', ':1', ':x'];
const SEGMENTS = ['a', 'auth', 'callback', '.', '..', '%2e', '.%2E', '.well-known', '', 'x.y', 'a b', 'ä', '%41', "it's", 'a^b', 'a|b', 'a{b}', 'a`b', 'a"b', 'a<b>', 'a\\b', 'a@b:c', '~u', '*', '(x)', 'a+b', 'a,b;c=d', 'a!$&'];
const QCHARS = ['a', 'Z', '0', '=', '&', '%', '%20', '%zz', '?', '/', ':', '@', "'", '"', '<', '>', ' ', '`', '{', '}', '^', '|', '\\', '[', ']', 'é', '~', '.', '-', '_', '+', '*', '(', ')', ',', ';', '!', '$', '\t', '\n', '#'];

/** mostly the pieces the parser keeps, now and then one it rewrites */
const piece = (good: string[], all: string[]) => fc.oneof({ arbitrary: fc.constantFrom(...good), weight: 12 }, { arbitrary: fc.constantFrom(...all), weight: 1 });
const url = fc
  .record({
    scheme: piece(['https://', 'http://'], SCHEMES),
    labels: fc.array(piece(['a', 'login0', 'idp3', 'example', 'x-y'], LABELS), { minLength: 0, maxLength: 4 }),
    dot: fc.constantFrom('', '', '', '', '', '', '.'),
    port: piece([''], PORTS),
    path: fc.option(fc.array(piece(['a', 'auth', 'callback', '.well-known', 'x.y'], SEGMENTS), { maxLength: 5 }), { nil: undefined, freq: 8 }),
    query: fc.option(fc.array(piece(['a', 'Z', '0', '=', '&', '%', '-', '_', '.'], QCHARS), { maxLength: 12 }), { nil: undefined }),
    fragment: fc.option(fc.array(piece(['a', 'Z', '0', '=', '&', '%', '-', '_', '.'], QCHARS), { maxLength: 8 }), { nil: undefined }),
  })
  .map(
    ({ scheme, labels, dot, port, path, query, fragment }) =>
      `${scheme}${labels.join('.')}${dot}${port}${path ? `/${path.join('/')}` : ''}${query ? `?${query.join('')}` : ''}${fragment ? `#${fragment.join('')}` : ''}`,
  );

const parsedHref = (u: string): string | undefined => {
  try {
    return new URL(u).href;
  } catch {
    return undefined;
  }
};

describe('a Location that is its own href (resolvesToItself)', () => {
  it('accepts only URLs that are their own href', () => {
    let accepted = 0;
    fc.assert(
      fc.property(url, (u) => {
        if (!resolvesToItself(u)) return;
        accepted += 1;
        expect(parsedHref(u)).toBe(u);
      }),
      { numRuns: 20000 },
    );
    expect(accepted).toBeGreaterThan(2000); // (the property is not vacuous)
  });

  it('gives absoluteHref’s answer for a base that parses', () => {
    fc.assert(
      fc.property(url, fc.constantFrom('https://app.example/login?next=%2F', 'http://a.b:8080/x/y/', 'https://c.d/'), (u, base) => {
        expect(absoluteHrefOfParsedBase(u, base)).toBe(absoluteHref(u, base));
      }),
      { numRuns: 20000 },
    );
  });

  it('accepts the usual Locations: authorization requests and callbacks', () => {
    for (const u of [
      'https://login3.idp3.example/realms/r3/protocol/openid-connect/auth?response_type=code&client_id=app1-0a1b2c3d4e5f&redirect_uri=https%3A%2F%2Fapp1.tenant1.example%2Fauth%2Fcallback&scope=openid+profile+email&state=Ab-_9xYz&nonce=q&code_challenge=c_-x&code_challenge_method=S256&prompt=none',
      'https://app1.tenant1.example/auth/callback?code=abc-_DEF&state=Ab-_9xYz&iss=https%3A%2F%2Flogin3.idp3.example%2Frealms%2Fr3&session_state=0a1b2c3d-0a1b-0a1b',
      'https://app.example/cb#access_token=x&token_type=Bearer&state=s',
      'http://localhost:3000/callback?code=1',
    ]) {
      expect(resolvesToItself(u)).toBe(true);
      expect(parsedHref(u)).toBe(u);
    }
    // what the parser rewrites (or refuses) is never taken as it is
    for (const u of ['/cb?code=1', 'https://App.example/', 'https://a.example', 'https://a.example:443/', 'https://a.example/x/../y', 'https://0x7f.1/', 'https://a.example/a b']) {
      expect(resolvesToItself(u)).toBe(false);
    }
  });
});
