/** resolvesToItself: true only where the URL parser gives the input back (and does not throw), on random URLs. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolvesToItself, stripFragment } from './url';

const parsed = (href: string, base: string | undefined): string | undefined => {
  try {
    return (base === undefined ? new URL(href) : new URL(href, base)).href;
  } catch {
    return undefined;
  }
};

// pieces of URLs: schemes and hosts the fast path accepts or not, path, query and fragment characters
// (every printable ASCII one, a few controls and non-ASCII ones), dot segments, ports
const scheme = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('https://', 'http://') }, fc.constantFrom('HTTPS://', 'ftp://', 'https:/', ''));
const host = fc.constantFrom('a.example', 'login.idp3.example', 'A.example', 'xn--nxasmq6b.example', '127.0.0.1', '127.1', '0x7f.0.0.1', 'a.123', '1.2.3.4.5', 'a..example', 'a.example.', 'u@a.example', '[::1]', 'a_b.example', '');
const port = fc.oneof({ weight: 4, arbitrary: fc.constant('') }, fc.constantFrom('', ':443', ':80', ':8443', ':0', ':08', ':65536', ':'));
const ch = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[a-z0-9=&%.~_-]{1,4}$/) },
  // what the parser percent-encodes in some part or other
  { weight: 2, arbitrary: fc.constantFrom("'", '"', '<', '>', '`', ' ', '{', '|', '^', '\x7f') },
  fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  fc.constantFrom('\t', '\n', '\u0000', 'é', '\u2026', '%2e', '%2E', '%zz', '/.', '/..', '/./', '/../', '\\', '?', '#', '//'),
);
const rest = fc.array(ch, { maxLength: 16 }).map((a) => a.join(''));
const href = fc.tuple(scheme, host, port, fc.constantFrom('', '/', '/cb', '/a/b/'), rest).map(([s, h, p, path, r]) => s + h + p + path + r);
const base = fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 3, arbitrary: fc.constantFrom('https://app.example/x?y', 'http://a.example:8080') }, href, fc.constantFrom('not a url', '/relative', 'https://A.example/', 'https://a.example:99999/', 'https://a.example:443/'));

describe('resolvesToItself', () => {
  it('is true only where new URL(href, base).href is href', () => {
    let yes = 0;
    fc.assert(
      fc.property(href, base, (h, b) => {
        if (resolvesToItself(h, b)) {
          yes += 1;
          expect(parsed(h, b)).toBe(h);
          // and without its fragment (observe/har-feed.ts urlKey): the part before the first #
          const x = new URL(h);
          x.hash = '';
          expect(x.href).toBe(stripFragment(h));
        }
      }),
      { numRuns: 20000 },
    );
    expect(yes).toBeGreaterThan(100);
  });

  it('answers true for the URLs a redirect most often names', () => {
    for (const u of [
      'https://app3.tenant3.example/auth/callback?code=AbC-_9&state=xyz&iss=https%3A%2F%2Flogin1.idp1.example&session_state=1a2b-3c',
      'https://as.example/authorize?client_id=c&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&scope=openid+profile#frag',
      'http://localhost:8080/cb?x=1',
    ])
      expect(resolvesToItself(u, 'https://as.example/login')).toBe(true);
    expect(resolvesToItself('https://a.example/cb', 'relative')).toBe(false);
  });
});
