// A/B of two builds of the CLI (dist/cli/coatcheck.js of two commits, copied under .bench/) in ONE
// process, runs interleaved, CPU time (process.cpuUsage): a machine whose speed drifts between
// minutes (a shared one) moves both alike, where two sittings of `npm run bench` cannot compare them.
// usage: node bench/ab.mjs A.js [B.js] [--mode fresh|steady|plain|bearer|dense|kinds] [--reps N] [--norules]
// Prints each build's median CPU µs per message and B/A.
//   fresh : a new Engine per rep over the bench's OAuth messages (bench: "an OAuth message alone")
//   steady: one Engine (journal off) warmed with 4 000 OAuth messages, then chunks of 600 (a long scan / a worker that ran a while)
//   plain : a new Engine per rep over the non-OAuth events (bench: "non-OAuth"; API calls carry bearer tokens)
//   bearer: a new Engine per rep over the API calls that carry a bearer JWT (bench: "API calls with a bearer JWT alone")
//   dense : a new Engine per rep over 20 MB of the OAuth-dense traffic (synth.mjs; the engine part of the dense scan)
//   kinds : per message kind, µs per message (steady), for A only
import { pathToFileURL } from 'node:url';
import { harEntries } from './synth.mjs';
const args = process.argv.slice(2);
const opt = (k, d) => { const i = args.indexOf(k); return i >= 0 ? args[i + 1] : d; };
const files = args.filter((a, i) => a.endsWith('.js') && !['--mode', '--reps'].includes(args[i - 1]));
const mode = opt('--mode', 'fresh');
const reps = +opt('--reps', mode === 'steady' ? 3 : 15);
const norules = args.includes('--norules');
const cores = await Promise.all(files.map((f) => import(pathToFileURL(f).href)));
const isOauth = (o) => /[?&#](client_id|code|state|grant_type)=/.test(o.url) || o.requestBody?.form?.some(([k]) => k === 'grant_type');
function bench(core, n) {
  const gen = harEntries(3); const oauth = []; const plain = [];
  for (let i = 0; i < n; i++) { const o = core.observationFromHarEntry(gen.next().value, { input: 0, entry: i }); (isOauth(o) ? oauth : plain).push(o); }
  return { oauth, plain };
}
function dense(core) {
  // the entries of a 20 MB OAuth-dense capture, as scripts/bench.mjs writes it (seed 7), without the file
  const gen = harEntries(7, { oauthDense: true });
  const out = [];
  for (let bytes = 0, i = 0; bytes < 20 * 1024 * 1024; i++) {
    const e = gen.next().value;
    bytes += JSON.stringify(e).length + 2;
    out.push(core.observationFromHarEntry(e, { input: 0, entry: i }));
  }
  return out;
}
const cpu = (f) => { const c = process.cpuUsage(); f(); const u = process.cpuUsage(c); return u.user + u.system; };
const opts = () => ({ journal: mode === 'fresh' || mode === 'plain' || mode === 'bearer', ...(norules ? { only: [] } : {}) });
const data = cores.map((core) => mode === 'dense' ? { obs: dense(core) } : (() => { const b = bench(core, mode === 'steady' || mode === 'kinds' ? 400000 : 60000); return { obs: mode === 'plain' ? b.plain : mode === 'bearer' ? b.plain.filter((o) => o.requestHeaders.some((h) => h.name === 'authorization')) : b.oauth }; })());
const runs = cores.map(() => []);
const runOnce = (k) => {
  const core = cores[k]; const obs = data[k].obs;
  if (mode === 'fresh' || mode === 'plain' || mode === 'bearer' || mode === 'dense') {
    return [cpu(() => { const e = new core.Engine(opts()); for (const o of obs) e.push(o); if (mode !== 'plain' && mode !== 'bearer') e.finish(); }) / obs.length];
  }
  const e = new core.Engine(opts());
  for (let i = 0; i < 4000; i++) e.push(obs[i]);
  const out = [];
  for (let i = 4000; i + 600 <= obs.length; i += 600) out.push(cpu(() => { for (let j = i; j < i + 600; j++) e.push(obs[j]); }) / 600);
  return out;
};
if (mode === 'kinds') {
  const core = cores[0]; const obs = data[0].obs; let kind; const agg = {};
  for (let r = 0; r < 3; r++) {
    const e = new core.Engine({ ...opts(), onMessage: (m) => { kind = m.kind; } });
    for (const o of obs) { kind = '?'; const t = performance.now(); e.push(o); const d = performance.now() - t; if (r > 0) { const a = (agg[kind] ??= [0, 0]); a[0]++; a[1] += d; } }
  }
  for (const [k, [n, ms]] of Object.entries(agg)) console.log(k.padEnd(24), String(n / 2).padStart(6), 'per run', ((ms * 1000) / n).toFixed(1).padStart(7), 'µs mean (wall)');
  process.exit(0);
}
for (let k = 0; k < cores.length; k++) for (let w = 0; w < 2; w++) runOnce(k); // warm
for (let r = 0; r < reps; r++) for (let k = 0; k < cores.length; k++) runs[k].push(...runOnce(k));
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const q = (a, p) => [...a].sort((x, y) => x - y)[Math.floor(a.length * p)];
files.forEach((f, k) => console.log(`${mode}${norules ? ' norules' : ''} ${f.split('/').slice(-2).join('/')}: ${data[k].obs.length} msgs, median ${med(runs[k]).toFixed(2)} µs CPU/msg (p25 ${q(runs[k], 0.25).toFixed(2)}, p75 ${q(runs[k], 0.75).toFixed(2)})`));
if (cores.length === 2) console.log(`B/A = ${(med(runs[1]) / med(runs[0])).toFixed(3)}`);
