// A/B of src/core/util/{sha256,secret}.ts: a git revision (A, default HEAD) against the working tree
// (B), bundled with rolldown into .bench/, run interleaved in one process, CPU time per call.
// usage: node bench/secret-ab.mjs [REV] [--reps N]
// Cases: sha256HexPrefix of fresh states (43 chars), nonces (22), codes (60), JWTs (~800), and
// redactUrl of authorization-request URLs whose state and nonce are new each time (the cache misses
// an authorization request meets) and of callback URLs whose state was seen.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { build } from 'rolldown';
const args = process.argv.slice(2);
const rev = args.find((a) => !a.startsWith('--') && args[args.indexOf(a) - 1] !== '--reps') ?? 'HEAD';
const reps = +(args[args.indexOf('--reps') + 1] ?? 15) || 15;
const dir = `${process.cwd()}/.bench/secret-ab`;
mkdirSync(`${dir}/a`, { recursive: true });
const files = ['sha256.ts', 'secret.ts', 'sampled-cache.ts'];
for (const f of files) {
  let text = '';
  try { text = execFileSync('git', ['show', `${rev}:src/core/util/${f}`], { encoding: 'utf8' }); } catch { /* new file */ }
  writeFileSync(`${dir}/a/${f}`, text);
}
async function bundle(from, out) {
  await build({ input: `${from}/secret.ts`, output: { file: out, format: 'esm' }, logLevel: 'silent', write: true });
  return import(pathToFileURL(out).href);
}
const A = await bundle(`${dir}/a`, `${dir}/a.mjs`);
const B = await bundle(`${process.cwd()}/src/core/util`, `${dir}/b.mjs`);
const { sha256HexPrefix: shaA } = await import(pathToFileURL(await (async () => { await build({ input: `${dir}/a/sha256.ts`, output: { file: `${dir}/sa.mjs`, format: 'esm' }, logLevel: 'silent' }); return `${dir}/sa.mjs`; })()).href);
const { sha256HexPrefix: shaB } = await import(pathToFileURL(await (async () => { await build({ input: `${process.cwd()}/src/core/util/sha256.ts`, output: { file: `${dir}/sb.mjs`, format: 'esm' }, logLevel: 'silent' }); return `${dir}/sb.mjs`; })()).href);

let seed = 12345;
const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
// flat strings, as JSON.parse gives them (a string built by += is a rope, slow to read by charCodeAt)
const flat = (s) => JSON.parse(JSON.stringify(s));
const token = (n) => { let s = ''; for (let i = 0; i < n; i++) s += B64[(rnd() * 64) | 0]; return flat(s); };
const N = 20000;
const mk = (n) => Array.from({ length: N }, () => token(n));
const sets = { state43: mk(43), nonce22: mk(22), code60: mk(60), jwt800: Array.from({ length: 2000 }, () => flat(`eyJ${token(40)}.${token(700)}.${token(86)}`)) };
const urls = Array.from({ length: N }, () => flat(`https://as.example.com/authorize?client_id=app-1&response_type=code&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&scope=openid%20profile&state=${token(43)}&nonce=${token(22)}&code_challenge=${token(43)}&code_challenge_method=S256`));
const cbs = urls.map((u) => flat(`https://app.example/cb?code=${token(60)}&state=${u.slice(u.indexOf('state=') + 6, u.indexOf('&nonce'))}&iss=https%3A%2F%2Fas.example.com`));
const cases = {
  ...Object.fromEntries(Object.entries(sets).map(([k, v]) => [`sha ${k}`, (m) => { const f = m === A ? shaA : shaB; let x = 0; for (const s of v) x += f(s, 16).length; return [x, v.length]; }])),
  'redactUrl areq+cb': (m) => { let x = 0; for (let i = 0; i < urls.length; i++) { x += m.redactUrl(urls[i], { redact: true }).length + m.redactUrl(cbs[i], { redact: true }).length; } return [x, urls.length * 2]; },
};
const cpu = (f) => { const c = process.cpuUsage(); const r = f(); const u = process.cpuUsage(c); return [u.user + u.system, r]; };
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; };
for (const [name, f] of Object.entries(cases)) {
  const t = { A: [], B: [] };
  for (let r = 0; r < reps + 3; r++) {
    for (const [k, m] of r & 1 ? [['B', B], ['A', A]] : [['A', A], ['B', B]]) {
      // fresh strings: the caches must not answer from the previous rep
      if (name.startsWith('redact')) { for (let i = 0; i < urls.length; i++) { urls[i] = flat(urls[i].replace(/state=[^&]*/, `state=${token(43)}`)); cbs[i] = flat(cbs[i].replace(/code=[^&]*/, `code=${token(60)}`)); } }
      const [us, [check, n]] = cpu(() => f(m));
      if (r >= 3) t[k].push((us * 1000) / n);
      void check;
    }
  }
  const a = med(t.A), b = med(t.B);
  console.log(`${name.padEnd(20)} A ${a.toFixed(0).padStart(6)} ns  B ${b.toFixed(0).padStart(6)} ns  B/A ${(b / a).toFixed(3)}`);
}
// the outputs agree
for (const s of [...sets.state43.slice(0, 200), ...sets.jwt800.slice(0, 50)]) if (shaA(s, 16) !== shaB(s, 16)) throw new Error('sha256 differs');
for (let i = 0; i < 200; i++) if (A.redactUrl(urls[i], { redact: true }) !== B.redactUrl(urls[i], { redact: true })) throw new Error('redactUrl differs');
