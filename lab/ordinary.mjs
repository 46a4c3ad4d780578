// An ordinary page for the page-load benchmark (no OAuth anywhere): news.example serves one document
// with 60 subresources, the way a news or shop page is built:
//   16 scripts (12 from cdn.example with a cache-busting query, 4 first-party),
//    8 stylesheets (cdn.example), 28 images (20 cdn.example with a size query, 8 first-party),
//    8 XHR/fetch calls to news.example/api/… answering JSON (made by app-0.js; the page marks
//      #result[data-outcome="loaded"] when they are all in and the load event has fired).
// The document sets a session cookie, so same-site subresources carry a Cookie header as on a real
// site. Everything is sent with `cache-control: no-store`: each load asks the server again (the
// worst case for an observer of requests). Served by the lab's one HTTPS server on 127.0.0.1.

const SCRIPTS_CDN = 12;
const SCRIPTS_OWN = 4;
const STYLES = 8;
const IMAGES_CDN = 20;
const IMAGES_OWN = 8;
const XHRS = 8;

/** A 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

/** Some ordinary script text (~4 KB): functions that are defined, one of them run. */
function scriptText(name) {
  const fns = Array.from({ length: 40 }, (_, i) => `function ${name}_f${i}(a, b) { return (a * ${i + 1} + b) % 97; }`).join('\n');
  return `${fns}\nwindow.__libs = (window.__libs || 0) + ${name}_f3(1, 2) * 0 + 1;\n`;
}

function styleText(i) {
  return Array.from({ length: 60 }, (_, k) => `.c${i}-${k} { margin: ${k}px; color: #${((i * 60 + k) * 4099).toString(16).padStart(6, '0').slice(0, 6)}; }`).join('\n');
}

const APP = `
(async () => {
  const loaded = new Promise((r) => (document.readyState === 'complete' ? r() : addEventListener('load', r)));
  const calls = Array.from({ length: ${XHRS} }, (_, i) =>
    fetch('/api/items/' + i + '?page=1&lang=en', { headers: { accept: 'application/json' } }).then((r) => r.json()));
  const items = await Promise.all(calls);
  await loaded;
  const out = document.getElementById('result');
  out.textContent = items.reduce((n, x) => n + x.items.length, 0) + ' items';
  out.dataset.outcome = 'loaded';
})();
`;

/**
 * @param {{ origin: string, cdn: string }} o the page's origin (https://news.example:PORT) and the CDN's
 */
export function createOrdinarySite({ origin, cdn }) {
  const send = (res, type, body, extra = {}) => {
    res.statusCode = 200;
    res.setHeader('content-type', type);
    res.setHeader('cache-control', 'no-store');
    for (const [k, v] of Object.entries(extra)) res.setHeader(k, v);
    res.end(body);
  };
  const html = () => {
    const head = [
      ...Array.from({ length: STYLES }, (_, i) => `<link rel="stylesheet" href="${cdn}/css/site-${i}.css">`),
      ...Array.from({ length: SCRIPTS_CDN }, (_, i) => `<script src="${cdn}/js/lib-${i}.js?v=3.2.${i}"${i % 3 === 0 ? '' : ' defer'}></script>`),
    ].join('\n');
    const body = [
      '<h1>Ordinary page</h1><main id="result" data-outcome="loading">loading</main>',
      ...Array.from({ length: IMAGES_CDN }, (_, i) => `<img alt="" width="40" height="30" src="${cdn}/img/photo-${i}.png?w=400&q=80">`),
      ...Array.from({ length: IMAGES_OWN }, (_, i) => `<img alt="" width="16" height="16" src="/static/icon-${i}.png">`),
      ...Array.from({ length: SCRIPTS_OWN }, (_, i) => `<script src="/static/app-${i}.js"></script>`),
    ].join('\n');
    return `<!doctype html><meta charset="utf-8"><title>News</title>\n${head}\n<body>${body}</body>`;
  };
  return {
    origin,
    /** the page */
    url: `${origin}/`,
    /** subresources per page load */
    subresources: SCRIPTS_CDN + SCRIPTS_OWN + STYLES + IMAGES_CDN + IMAGES_OWN + XHRS,
    /** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
    handle(req, res) {
      const u = new URL(req.url ?? '/', origin);
      const p = u.pathname;
      let m;
      if (p === '/') return send(res, 'text/html; charset=utf-8', html(), { 'set-cookie': 'sid=ordinary-session-0001; Path=/; Secure; SameSite=Lax' });
      // for the e2e tests of the listeners on subresources: a token in a pixel's, a script's and a
      // stylesheet's query, in a pixel's under a percent-encoded name (access%5Ftoken), in a srcset
      // image's (Firefox: imageset), an <object>'s, a WebSocket handshake's (wss:) and a beacon's
      // (Chromium: ping, Firefox: beacon). The socket is refused (no upgrade here): the handshake
      // request is what is observed.
      if (p === '/leaky') {
        const at = (k) => `at-${k}-7d1f0e2c3b4a59687766554433221100ff`;
        const script = `try { new WebSocket(${JSON.stringify(`${cdn.replace(/^http/, 'ws')}/socket?access_token=${at('socket')}`)}).onerror = () => {}; } catch {} navigator.sendBeacon(${JSON.stringify(`${cdn}/beacon?access_token=${at('beacon')}`)}, 'seen=1');`;
        return send(
          res,
          'text/html; charset=utf-8',
          `<!doctype html><meta charset="utf-8"><title>Leaky</title><link rel="stylesheet" href="${cdn}/css/site-1.css?access_token=${at('style')}"><script src="${cdn}/js/lib-1.js?access_token=${at('script')}"></script><img alt="" src="${cdn}/img/photo-1.png?access_token=${at('image')}"><img alt="" src="${cdn}/img/photo-2.png?v=1&access%5Ftoken=${at('encoded')}"><img alt="" srcset="${cdn}/img/photo-3.png?access_token=${at('srcset')} 1x"><object type="image/png" width="1" height="1" data="${cdn}/img/photo-4.png?access_token=${at('object')}"></object><script>${script}</script><main id="result" data-outcome="loaded">loaded</main>`,
        );
      }
      if (p === '/beacon') {
        res.statusCode = 204;
        return res.end();
      }
      if ((m = /^\/js\/lib-(\d+)\.js$/.exec(p))) return send(res, 'text/javascript', scriptText(`lib${m[1]}`), { 'access-control-allow-origin': '*' });
      if (p === '/static/app-0.js') return send(res, 'text/javascript', `${scriptText('app0')}\n${APP}`);
      if ((m = /^\/static\/app-(\d+)\.js$/.exec(p))) return send(res, 'text/javascript', scriptText(`app${m[1]}`));
      if ((m = /^\/css\/site-(\d+)\.css$/.exec(p))) return send(res, 'text/css', styleText(Number(m[1])));
      if (/^\/(img\/photo|static\/icon)-\d+\.png$/.test(p)) return send(res, 'image/png', PNG);
      if ((m = /^\/api\/items\/(\d+)$/.exec(p))) {
        const items = Array.from({ length: 12 }, (_, k) => ({ id: Number(m[1]) * 100 + k, title: `Item ${k} of list ${m[1]}`, price: (k * 3.7).toFixed(2), tags: ['a', 'b', 'c'].slice(0, (k % 3) + 1) }));
        return send(res, 'application/json', JSON.stringify({ page: Number(u.searchParams.get('page') ?? 1), items }));
      }
      res.statusCode = 404;
      res.end('not found');
    },
  };
}
