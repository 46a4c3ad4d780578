/** Property tests: the URL and parameter parsers never throw, never hang, and stay bounded. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isLoopbackHost, originOf, parseParams, parseUrl, parseUrlUncached, safeDecode, siteOf, stripFragment } from './url';

describe('url helpers on arbitrary input', () => {
  it('parseUrl, parseParams, safeDecode, originOf never throw', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) => {
        parseUrl(s);
        parseUrl(s, 'https://base.example/x');
        parseParams(s);
        safeDecode(s);
        originOf(s);
        stripFragment(s);
        siteOf(s);
        isLoopbackHost(s);
      }),
      { numRuns: 2000 },
    );
  });

  it('URL-shaped strings with broken percent-encoding parse, keeping what cannot be decoded', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.stringMatching(/^[a-z_%]{1,8}$/), fc.string({ maxLength: 20 })), { maxLength: 10 }), (pairs) => {
        const q = pairs.map(([k, v]) => `${k}=${v.replace(/[&#]/g, '')}`).join('&');
        const u = parseUrl(`https://as.example/authorize?${q}#frag=%E0%A4%A`);
        expect(u).toBeDefined();
        expect(u!.fragment.get('frag')).toBe('%E0%A4%A');
      }),
    );
    expect(safeDecode('a%zz%41%E2%82')).toBe('a%zzA%E2%82');
    expect(safeDecode('x+y%20z')).toBe('x y z');
  });

  it('parseParams splits pairs as the split-then-slice version did', () => {
    const before = (q: string): [string, string][] => {
      const out: [string, string][] = [];
      let start = 0;
      while (start <= q.length && out.length < 1000) {
        let end = q.indexOf('&', start);
        if (end < 0) end = q.length;
        if (end > start) {
          const part = q.slice(start, end);
          const eq = part.indexOf('=');
          out.push(eq < 0 ? [safeDecode(part), ''] : [safeDecode(part.slice(0, eq)), safeDecode(part.slice(eq + 1))]);
        }
        start = end + 1;
      }
      return out;
    };
    const text = fc.array(fc.constantFrom('a', 'b', '=', '&', '%41', '+', '%', '==', '&&'), { maxLength: 30 }).map((xs) => xs.join(''));
    fc.assert(
      fc.property(text, (q) => {
        expect(parseParams(q).entries).toEqual(before(q));
      }),
      { numRuns: 3000 },
    );
  });

  it('round-trips encoded parameters', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ minLength: 1, maxLength: 10 }), fc.string({ maxLength: 30 })), { maxLength: 8 }), (pairs) => {
        const q = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
        const p = parseParams(q);
        expect(p.entries).toEqual(pairs);
      }),
    );
  });

  it('a 10 MB query string parses, capped at 1000 parameters', () => {
    const big = 'a=' + 'x'.repeat(5_000_000) + '&' + Array.from({ length: 200_000 }, (_, i) => `k${i}=v`).join('&');
    expect(big.length).toBeGreaterThan(6_000_000);
    const u = parseUrl(`https://as.example/cb?${big}`);
    expect(u?.query.size).toBe(1000);
    expect(u?.query.get('a')?.length).toBe(5_000_000);
  });

  it('reads query and fragment from the raw string (no re-encoding), first value wins', () => {
    const u = parseUrl('https://app.example/cb?state=a%2Bb&state=second&code=c#access_token=t&x');
    expect(u?.query.get('state')).toBe('a+b');
    expect(u?.query.getAll('state')).toEqual(['a+b', 'second']);
    expect(u?.fragment.get('access_token')).toBe('t');
    expect(u?.fragment.has('x')).toBe(true);
    expect(u?.base).toBe('https://app.example/cb');
  });

  it('sites and loopback hosts', () => {
    expect(siteOf('login.microsoftonline.com')).toBe('microsoftonline.com');
    expect(siteOf('a.b.example.co.uk')).toBe('example.co.uk');
    expect(siteOf('127.0.0.1')).toBe('127.0.0.1');
    // the whole Public Suffix List, private section included (as browsers compute sites)
    expect(siteOf('shop.example.com.ar')).toBe('example.com.ar');
    expect(siteOf('tool-a.github.io')).toBe('tool-a.github.io');
    expect(siteOf('tool-a.github.io')).not.toBe(siteOf('tool-b.github.io'));
    expect(siteOf('app.vercel.app')).toBe('app.vercel.app');
    expect(siteOf('Accounts.Google.COM.')).toBe('google.com');
    expect(siteOf('localhost')).toBe('localhost');
    expect(siteOf('honest-as.example')).toBe('honest-as.example');
    expect(siteOf('login.honest-as.example')).toBe('honest-as.example');
    expect(isLoopbackHost('127.5.0.1')).toBe(true);
    expect(isLoopbackHost('localhost.evil.example')).toBe(false);
  });
});

describe('parseUrl and its caches', () => {
  it('answers as a fresh parse for any sequence of URLs, repeats after many others included', () => {
    const url = fc.oneof(
      fc.integer({ min: 0, max: 700 }).map((i) => `https://as${i % 7}.example/p${i}?client_id=c&state=s${i}#code=${i}`),
      fc.integer({ min: 0, max: 700 }).map((i) => `https://as${i % 7}.example/token${i}`),
      fc.constantFrom('not a url', 'https://a.example', 'https://a.example/cb#/r?state=1', 'mailto:x@y', 'https://[::1]/x?y=%zz'),
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
    );
    fc.assert(
      fc.property(fc.array(url, { maxLength: 800 }), (urls) => {
        for (const u of urls) expect(parseUrl(u)).toEqual(parseUrlUncached(u, undefined));
      }),
      { numRuns: 20 },
    );
  });

  it('a URL already in the form the parser prints is read without it, with the same answer (the parser decides the rest)', () => {
    const origin = fc.oneof(
      fc.constantFrom('https://a.example', 'http://a.example', 'https://api.a-b.example:8443', 'http://a.example:80', 'https://a.example:443', 'https://localhost', 'http://127.0.0.1:3000'),
      fc.constantFrom('https://1.2.3.4.5', 'https://a.123', 'https://a.0x', 'https://xn--a.example', 'https://A.example', 'https://a..example', 'https://a.example.', 'https://0x7f.0.0.1', 'https://a.example:0443', 'https://a.example:99999', 'https://user@a.example', 'HTTPS://a.example', 'https:/a.example', 'https:\\a.example'),
    );
    const pathChar = fc.constantFrom('a', 'Z', '0', '-', '.', '_', '~', '!', '$', '&', "'", '(', ')', '*', '+', ',', ';', '=', ':', '@', '/', '/', '/', '%', '%2e', '%2E', '\\', '^', '`', '{', '}', '|', '[', ']', ' ', '"', '<', '>', '\t', '\n', 'é', '\ud800');
    const tail = fc.constantFrom('', '?x=1', '?state=a%20b&code=c', '#frag', '#access_token=t&state=s', '?a=1#b=2', '?', '#', '?x=1 ', '?x=\t1', '#/cb?code=1', '?é=\ud800');
    fc.assert(
      fc.property(origin, fc.array(pathChar, { maxLength: 12 }), tail, (o, path, t) => {
        const u = o + (path.length > 0 ? '/' : '') + path.join('') + t;
        expect(parseUrl(u)).toEqual(parseUrlUncached(u, undefined));
      }),
      { numRuns: 5000 },
    );
    for (const path of ['', '/', '/.', '/..', '/a/./b', '/a/../b', '/a/.', '/.well-known/x', '/%2e/', '/a/%2E%2E/b', '/a\\b', '/a b', '/é', '/a^b', '/a|b', '/a`b', '/{a}', '//x', '/a.b/c.', "/it's"])
      for (const t of ['', '?x=1', '#y', '?x#y']) {
        const u = `https://a.example${path}${t}`;
        expect(parseUrl(u)).toEqual(parseUrlUncached(u, undefined));
      }
  });

  it('a URL with parameters asked again after an endpoint is not parsed again (a rule comparing it with an aud)', () => {
    const q = 'https://api.example/v1/items?page=2&cursor=abc';
    const first = parseUrl(q);
    expect(parseUrl('https://api.example')).toBeDefined();
    expect(parseUrl('https://as.example/token')).toBeDefined();
    expect(parseUrl(` ${q}`.slice(1))).toBe(first);
    expect(parseUrl('https://api.example/v1/items?page=3')).not.toBe(first);
  });
});

describe('safeDecode', () => {
  /** safeDecode as it was (+ replaced even when nothing was decoded after): the reference */
  function reference(s: string): string {
    if (s.indexOf('%') < 0 && s.indexOf('+') < 0) return s;
    const plus = s.replace(/\+/g, ' ');
    try {
      return decodeURIComponent(plus);
    } catch {
      return plus.replace(/(%[0-9a-fA-F]{2})+/g, leniently);
    }
  }
  function leniently(run: string): string {
    try {
      return decodeURIComponent(run);
    } catch {
      /* piece by piece */
    }
    const bytes = run.match(/%[0-9a-fA-F]{2}/g) ?? [];
    let out = '';
    for (let i = 0; i < bytes.length; ) {
      const b = parseInt(bytes[i].slice(1), 16);
      const len = b < 0x80 ? 1 : b >= 0xf0 && b < 0xf8 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
      try {
        out += decodeURIComponent(bytes.slice(i, i + len).join(''));
        i += len;
      } catch {
        out += bytes[i];
        i += 1;
      }
    }
    return out;
  }
  it('answers as before on strings of %, +, escapes and text', () => {
    const piece = fc.constantFrom('%', '+', '%20', '%2B', '%E2%82%AC', '%E2%82', '%zz', 'a', ' ', '=', 'é', '%41', '%F0%9F%98%80', '%C3');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (parts) => {
        const s = parts.join('');
        expect(safeDecode(s)).toBe(reference(s));
      }),
      { numRuns: 3000 },
    );
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
      expect(safeDecode(s)).toBe(reference(s));
    }), { numRuns: 2000 });
  });
});

describe('originOf agrees with the URL parser', () => {
  const reference = (href: string): string | undefined => {
    try {
      const o = new URL(href).origin;
      return o === 'null' ? undefined : o;
    } catch {
      return undefined;
    }
  };
  it.each([
    'https://as.example/authorize?x=1',
    'https://as.example:443/x',
    'http://as.example:80/',
    'http://127.1/',
    'http://010.0.0.1/',
    'http://0x7f.0.0.1/',
    'http://1.2.3.4:8080/a',
    'http://256.1.1.1/',
    'https://a.example:99999/',
    'https://a.example:0/',
    'https://a.example:0080/',
    'https://xn--nxasmq6b.example/',
    'https://xn--a.example/',
    'https://user@a.example/',
    'https://a.example./',
    'https://A.Example/',
    'https://a.example\\b',
    'HTTPS://a.example/',
  ])('%s', (href) => {
    expect(originOf(href)).toBe(reference(href));
  });
  it('on generated http(s) URLs', () => {
    const label = fc.stringMatching(/^[a-z0-9x-]{1,6}$/);
    const host = fc.oneof(
      fc.array(label, { minLength: 1, maxLength: 4 }).map((l) => l.join('.')),
      fc.array(fc.oneof(fc.nat(300).map(String), fc.constantFrom('0x7f', '00', '08', '0x')), { minLength: 1, maxLength: 5 }).map((l) => l.join('.')),
    );
    const port = fc.option(fc.oneof(fc.nat(70000).map(String), fc.constantFrom('080', '0', '443', '80')), { nil: undefined });
    fc.assert(
      fc.property(fc.constantFrom('http', 'https'), host, port, fc.constantFrom('', '/', '/p?q=1', '#f', '?a'), (s, h, p, rest) => {
        const href = `${s}://${h}${p === undefined ? '' : `:${p}`}${rest}`;
        expect(originOf(href)).toBe(reference(href));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('fragment parameters', () => {
  it.each([
    ['https://app.example/cb#access_token=t1&state=s', 'access_token', 't1'],
    ['https://app.example/#/callback?access_token=t2&state=s', 'access_token', 't2'],
    ['https://app.example/#!/cb?code=c3&state=s', 'code', 'c3'],
    ['https://app.example/#/callback&access_token=t4', 'access_token', 't4'],
  ])('%s', (url, name, value) => {
    expect(parseUrl(url)?.fragment.get(name)).toBe(value);
  });
  it('a plain route is not a parameter list', () => {
    expect(parseUrl('https://app.example/#/settings/profile')?.fragment.has('access_token')).toBe(false);
  });
});

