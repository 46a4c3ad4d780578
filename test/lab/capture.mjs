// Drive a lab scenario without a browser: follow redirects by hand (GET navigations, a cookie jar
// per host and path, fragments kept in Location but never sent), and record every hop as a HAR 1.2
// entry, the way a browser's network panel exports a top-level navigation chain.
import { headerValue, labRequest } from '../../lab/net.mjs';
// run under vitest only (test/oidc-capture.test.ts), which reads TypeScript
import { VERSION } from '../../src/core/version.ts';

const UA = 'Mozilla/5.0 (X11; Linux x86_64) CoatCheckLab/1.0 (node capture)';

/** A minimal RFC 6265 cookie jar: host-only cookies, path prefix match, Max-Age/Expires deletion. */
export class CookieJar {
  /** @type {{ host: string, path: string, name: string, value: string }[]} */
  cookies = [];
  /** @param {URL} url @param {string} setCookie */
  store(url, setCookie) {
    const parts = setCookie.split(';').map((s) => s.trim());
    const nv = parts.shift() ?? '';
    const eq = nv.indexOf('=');
    if (eq <= 0) return;
    const name = nv.slice(0, eq);
    const value = nv.slice(eq + 1);
    let path = url.pathname.replace(/\/[^/]*$/, '') || '/';
    let expired = false;
    for (const a of parts) {
      const [k, ...rest] = a.split('=');
      const v = rest.join('=');
      if (/^path$/i.test(k) && v.startsWith('/')) path = v;
      if (/^max-age$/i.test(k) && Number(v) <= 0) expired = true;
      if (/^expires$/i.test(k) && Date.parse(v) < Date.now()) expired = true;
    }
    this.cookies = this.cookies.filter((c) => !(c.host === url.hostname && c.path === path && c.name === name));
    if (!expired) this.cookies.push({ host: url.hostname, path, name, value });
  }
  /** @param {URL} url */
  header(url) {
    const match = this.cookies.filter(
      (c) => c.host === url.hostname && (url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`) || c.path === '/'),
    );
    return match.map((c) => `${c.name}=${c.value}`).join('; ');
  }
}

/**
 * Navigate to `startUrl` and follow the redirect chain; one HAR entry per hop.
 * @param {string} startUrl
 * @param {{ pageref: string, ca: string, jar?: CookieJar, maxHops?: number }} opts
 */
export async function navigateAndRecord(startUrl, { pageref, ca, jar = new CookieJar(), maxHops = 25 }) {
  /** @type {any[]} */
  const entries = [];
  let url = startUrl;
  for (let hop = 0; hop < maxHops; hop++) {
    const u = new URL(url);
    const wire = url.includes('#') ? url.slice(0, url.indexOf('#')) : url;
    /** @type {Record<string,string>} */
    const headers = {
      host: u.host,
      'user-agent': UA,
      accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
      'sec-fetch-dest': 'document',
      'sec-fetch-mode': 'navigate',
      'upgrade-insecure-requests': '1',
    };
    const cookie = jar.header(u);
    if (cookie) headers.cookie = cookie;
    const started = new Date();
    const r = await labRequest(wire, { headers, ca });
    for (const [k, v] of r.headers) if (k.toLowerCase() === 'set-cookie') jar.store(u, v);
    const rawLocation = headerValue(r.headers, 'location');
    const location = rawLocation ? new URL(rawLocation, url).href + (rawLocation.includes('#') && !new URL(rawLocation, url).href.includes('#') ? rawLocation.slice(rawLocation.indexOf('#')) : '') : '';
    const mime = headerValue(r.headers, 'content-type') ?? '';
    entries.push({
      pageref,
      startedDateTime: started.toISOString(),
      time: Date.now() - started.getTime(),
      request: {
        method: 'GET',
        url: wire,
        httpVersion: 'HTTP/1.1',
        headers: Object.entries(headers).map(([name, value]) => ({ name, value })),
        queryString: [...u.searchParams].map(([name, value]) => ({ name, value })),
        cookies: [],
        headersSize: -1,
        bodySize: 0,
      },
      response: {
        status: r.status,
        statusText: '',
        httpVersion: 'HTTP/1.1',
        headers: r.headers.map(([name, value]) => ({ name, value })),
        cookies: [],
        content: { size: r.body.length, mimeType: mime, ...(mime.includes('html') || mime.includes('json') ? { text: r.body } : {}) },
        redirectURL: location,
        headersSize: -1,
        bodySize: r.body.length,
      },
      cache: {},
      timings: { send: 0, wait: Date.now() - started.getTime(), receive: 0 },
      _resourceType: 'document',
    });
    if (!location || r.status < 300 || r.status >= 400) return { entries, finalUrl: url, finalStatus: r.status, body: r.body, jar };
    url = location;
  }
  throw new Error(`too many redirects from ${startUrl}`);
}

/**
 * Wrap entries into a HAR 1.2 log.
 * @param {{ id: string, title: string, startedDateTime: string }[]} pages @param {any[]} entries
 */
export function toHar(pages, entries) {
  return {
    log: {
      version: '1.2',
      creator: { name: 'coatcheck-lab', version: VERSION },
      pages: pages.map((p) => ({ ...p, pageTimings: {} })),
      entries,
    },
  };
}
