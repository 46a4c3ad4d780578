// The lab's own HTTP client: node:https with the lab host names (*.example) resolved to 127.0.0.1,
// the lab certificate trusted, no automatic redirects. Used by the platform and the broker for
// back-channel calls, and by the Node capture test to play a browser (with a cookie jar).
import http from 'node:http';
import https from 'node:https';

/** Host names the lab answers; everything under `.example` resolves to loopback. */
export const LAB_HOSTS = ['platform.example', 'honest-as.example', 'attacker-as.example', 'broker.example', 'github.example', 'google.example', 'marketplace.example', 'news.example', 'cdn.example'];

/** @type {import('node:net').LookupFunction} */
function loopbackLookup(hostname, options, callback) {
  if (!/\.example$/i.test(hostname) && hostname !== '127.0.0.1' && hostname !== 'localhost') {
    const err = Object.assign(new Error(`lab client refuses non-lab host ${hostname}`), { code: 'ENOTFOUND' });
    return callback(err, '', 4);
  }
  if (options && /** @type {any} */ (options).all) return /** @type {any} */ (callback)(null, [{ address: '127.0.0.1', family: 4 }]);
  return callback(null, '127.0.0.1', 4);
}

/**
 * One HTTP exchange, redirects not followed.
 * @param {string} url
 * @param {{ method?: string, headers?: Record<string,string>, body?: string, ca?: string }} [opts]
 * @returns {Promise<{ status: number, headers: [string, string][], body: string }>}
 */
export function labRequest(url, opts = {}) {
  const u = new URL(url);
  const mod = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      u,
      {
        method: opts.method ?? 'GET',
        headers: opts.headers ?? {},
        lookup: loopbackLookup,
        ...(u.protocol === 'https:' ? { ca: opts.ca, servername: u.hostname, rejectUnauthorized: !!opts.ca } : {}),
        agent: false,
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          /** @type {[string,string][]} */
          const headers = [];
          for (let i = 0; i < res.rawHeaders.length; i += 2) headers.push([res.rawHeaders[i], res.rawHeaders[i + 1]]);
          resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.setTimeout(15000, () => req.destroy(new Error(`timeout ${url}`)));
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

/** @param {[string,string][]} headers @param {string} name */
export function headerValue(headers, name) {
  const n = name.toLowerCase();
  return headers.find(([k]) => k.toLowerCase() === n)?.[1];
}

/**
 * POST a form to a token endpoint with client_secret_basic; returns the parsed JSON (or an error object).
 * @param {string} tokenEndpoint @param {Record<string,string>} form
 * @param {{ id: string, secret?: string }} client @param {string} [ca]
 */
export async function tokenRequest(tokenEndpoint, form, client, ca) {
  /** @type {Record<string,string>} */
  const headers = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', 'user-agent': 'coatcheck-lab-backchannel' };
  const body = new URLSearchParams(form);
  if (client.secret !== undefined) {
    headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(client.id)}:${encodeURIComponent(client.secret)}`).toString('base64')}`;
  } else body.set('client_id', client.id);
  const r = await labRequest(tokenEndpoint, { method: 'POST', headers, body: body.toString(), ca });
  try {
    return { status: r.status, json: JSON.parse(r.body) };
  } catch {
    return { status: r.status, json: { error: 'invalid_response', body: r.body.slice(0, 200) } };
  }
}
