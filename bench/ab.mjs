// A/B of two builds of the CLI (dist/cli/coatcheck.js of two commits, copied under .bench/) in ONE
// process, runs interleaved, CPU time (process.cpuUsage): a machine whose speed drifts between
// minutes (a shared one) moves both alike, where two sittings of `npm run bench` cannot compare them.
// usage: node bench/ab.mjs A.js [B.js] [--mode fresh|steady|plain|bearer|dense|kinds] [--reps N] [--norules] [--once]
// Prints each build's median CPU µs per message and B/A.
//   fresh : a new Engine per rep over the bench's OAuth messages (bench: "an OAuth message alone")
//   steady: one Engine (journal off) warmed with 4 000 OAuth messages, then chunks of 600 (a long scan / a worker that ran a while)
//   plain : a new Engine per rep over the non-OAuth events (bench: "non-OAuth"; API calls carry bearer tokens)
//   bearer: a new Engine per rep over the API calls that carry a bearer JWT (bench: "API calls with a bearer JWT alone")
//   dense : a new Engine per rep over 20 MB of the OAuth-dense traffic (synth.mjs; the engine part of the dense scan)
//   kinds : per message kind, µs per message (steady), for A only
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { harEntries } from './synth.mjs';
const args = process.argv.slice(2);
// Two builds are compared in two processes, one loading A first and one B first, and the two
// ratios combined (geometric mean): in one process the build loaded second ran 4-9 % faster or
// slower than an identical copy of the first, depending on the mode (`--once`: one process, A first).
{
  const pair = args.filter((a, i) => a.endsWith('.js') && !['--mode', '--reps'].includes(args[i - 1]));
  if (pair.length === 2 && !args.includes('--once')) {
    const rest = args.filter((a) => !pair.includes(a));
    const run = (order) => execFileSync(process.execPath, [fileURLToPath(import.meta.url), ...order, ...rest, '--once'], { encoding: 'utf8', maxBuffer: 1 << 24 });
    const one = run(pair);
    const two = run([...pair].reverse());
    process.stdout.write(`A first:\n${one}B first (the ratio printed is A/B):\n${two}`);
    const r1 = Number(/B\/A = ([\d.]+)/.exec(one)?.[1]);
    const r2 = Number(/B\/A = ([\d.]+)/.exec(two)?.[1]);
    console.log(`B/A = ${Math.sqrt(r1 / r2).toFixed(3)} (both load orders: ${r1.toFixed(3)} and ${(1 / r2).toFixed(3)})`);
    process.exit(0);
  }
}
const opt = (k, d) => { const i = args.indexOf(k); return i >= 0 ? args[i + 1] : d; };
const files = args.filter((a, i) => a.endsWith('.js') && !['--mode', '--reps'].includes(args[i - 1]));
const mode = opt('--mode', 'fresh');
const reps = +opt('--reps', mode === 'steady' ? 3 : 15);
const norules = args.includes('--norules');
const cores = await Promise.all(files.map((f) => import(pathToFileURL(f).href)));
const isOauth = (o) => /[?&#](client_id|code|state|grant_type)=/.test(o.url) || o.requestBody?.form?.some(([k]) => k === 'grant_type');
// Each entry is turned into an observation by every build in turn, so that the builds' observations
// lie interleaved in the heap: built one build after the other, the second build's ran 4-9 % faster
// against an identical copy of the first (memory placement), which flattered whichever came second.
function bench(n) {
  const gen = harEntries(3); const per = cores.map(() => ({ oauth: [], plain: [] }));
  for (let i = 0; i < n; i++) {
    const e = gen.next().value;
    cores.forEach((core, k) => { const o = core.observationFromHarEntry(e, { input: 0, entry: i }); (isOauth(o) ? per[k].oauth : per[k].plain).push(o); });
  }
  return per;
}
function dense() {
  // the entries of a 20 MB OAuth-dense capture, as scripts/bench.mjs writes it (seed 7), without the file
  const gen = harEntries(7, { oauthDense: true });
  const out = cores.map(() => []);
  for (let bytes = 0, i = 0; bytes < 20 * 1024 * 1024; i++) {
    const e = gen.next().value;
    bytes += JSON.stringify(e).length + 2;
    cores.forEach((core, k) => out[k].push(core.observationFromHarEntry(e, { input: 0, entry: i })));
  }
  return out;
}
const cpu = (f) => { const c = process.cpuUsage(); f(); const u = process.cpuUsage(c); return u.user + u.system; };
const opts = () => ({ journal: mode === 'fresh' || mode === 'plain' || mode === 'bearer', ...(norules ? { only: [] } : {}) });
const data = mode === 'dense'
  ? dense().map((obs) => ({ obs }))
  : bench(mode === 'steady' || mode === 'kinds' ? 400000 : 60000).map((b) => ({ obs: mode === 'plain' ? b.plain : mode === 'bearer' ? b.plain.filter((o) => o.requestHeaders.some((h) => h.name === 'authorization')) : b.oauth }));
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
// the order of the builds alternates from one round to the next
for (let r = 0; r < reps; r++) for (let i = 0; i < cores.length; i++) { const k = r % 2 ? cores.length - 1 - i : i; runs[k].push(...runOnce(k)); }
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const q = (a, p) => [...a].sort((x, y) => x - y)[Math.floor(a.length * p)];
files.forEach((f, k) => console.log(`${mode}${norules ? ' norules' : ''} ${f.split('/').slice(-2).join('/')}: ${data[k].obs.length} msgs, median ${med(runs[k]).toFixed(2)} µs CPU/msg (p25 ${q(runs[k], 0.25).toFixed(2)}, p75 ${q(runs[k], 0.75).toFixed(2)})`));
if (cores.length === 2) console.log(`B/A = ${(med(runs[1]) / med(runs[0])).toFixed(3)}`);
