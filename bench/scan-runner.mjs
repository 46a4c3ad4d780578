// Child process of scripts/bench.mjs: run one workload, print {ms, loadMs, maxRSS} as JSON on stdout.
//   node bench/scan-runner.mjs <built-cli.js> scan|read|parse|warmup <file.har>
// read = the streaming reader and the HAR → Observation step only (no engine), lean as the scan
// reads (har-lean.ts) when the build has it. ms counts from before the CLI module is loaded;
// loadMs is the loading alone (a fixed cost, not throughput).
// warmup = the reader and the engine as the scan runs them (one engine, journal off, entries in file
// order), with the engine's time per entry in each eighth of the file (`eighthsUs`): the first
// entries run before V8 has optimised the code (issue #10.2, 2026-12-05 afternoon).
import { createReadStream, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [cli, mode, file] = process.argv.slice(2);
let entries = 0;
let findings;
let code = 0;
const c0 = process.cpuUsage();
const cpu0 = (c0.user + c0.system) / 1000;
const t0 = performance.now();
let loadMs = 0;
const load = async () => {
  const m = await import(pathToFileURL(resolve(cli)).href);
  // V8 as the `coatcheck` command sets it up (cli.ts run()): heap growth, and inlining since 2026-12-05; builds before had none
  // COATCHECK_V8_FLAGS="--flag …" replaces the command's own tuning (to compare heap settings)
  if (process.env.COATCHECK_V8_FLAGS !== undefined) {
    const { setFlagsFromString } = await import('node:v8');
    for (const f of process.env.COATCHECK_V8_FLAGS.split(' ').filter(Boolean)) setFlagsFromString(f);
  } else (m.tuneV8ForStreaming ?? m.tuneHeapForStreaming)?.(); // (the name of builds before 2026-12-05 afternoon)
  loadMs = performance.now() - t0;
  return m;
};
if (mode === 'scan') {
  const m = await load();
  let err = '';
  code = await m.scanCommand(['--format', 'json', '--fail-on', 'none', file], {
    stdout: (t) => {
      const j = JSON.parse(t);
      entries = j.inputs?.[0]?.entries ?? 0;
      findings = j.findings?.length;
    },
    stderr: (t) => (err += t),
    stderrIsTTY: false,
  });
  if (code !== 0) {
    process.stderr.write(err);
    process.exit(1);
  }
} else if (mode === 'read') {
  const m = await load();
  const lean = typeof m.resolveLeanBody === 'function';
  const r = new m.HarReader(
    {
      onEntry: (e, i, span, bodies) => {
        if (lean) m.resolveLeanBody(e, bodies);
        m.observationFromHarEntry(e, { input: 0, entry: i });
      },
    },
    { lean },
  );
  // as the scan reads a file (one reused buffer) when the build has it
  for await (const c of m.fileChunks ? m.fileChunks(file) : createReadStream(file, { highWaterMark: 1024 * 1024 })) r.write(c);
  entries = r.end().entries;
} else if (mode === 'warmup') {
  const m = await load();
  // the entry count first (a read without the engine), so that an entry's eighth is known as it comes
  const count = async (handler) => {
    const r = new m.HarReader({ onEntry: handler }, { lean: true });
    for await (const c of m.fileChunks(file)) r.write(c);
    return r.end().entries;
  };
  const total = await count(() => {});
  const engine = new m.Engine({ journal: false });
  const us = new Array(8).fill(0);
  const n = new Array(8).fill(0);
  entries = await count((e, i, span, bodies) => {
    m.resolveLeanBody(e, bodies);
    const o = m.observationFromHarEntry(e, { input: 0, entry: i });
    const t = performance.now();
    engine.push(o);
    const k = Math.min(7, Math.floor((i * 8) / total));
    us[k] += (performance.now() - t) * 1000;
    n[k] += 1;
  });
  engine.finish();
  findings = engine.findings.length;
  process.stdout.write(JSON.stringify({ entries, findings, eighthsUs: us.map((x, k) => +(x / Math.max(1, n[k])).toFixed(1)) }) + '\n');
  process.exit(0);
} else {
  const j = JSON.parse(readFileSync(file, 'utf8'));
  entries = j.log.entries.length;
}
const ms = performance.now() - t0;
const cpu = process.cpuUsage();
const cpuMs = (cpu.user + cpu.system) / 1000 - cpu0;
process.stdout.write(JSON.stringify({ ms, loadMs, cpuMs, maxRSS: process.resourceUsage().maxRSS * 1024, entries, findings }) + '\n');
