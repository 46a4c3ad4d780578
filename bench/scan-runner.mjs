// Child process of scripts/bench.mjs: run one workload, print {ms, loadMs, maxRSS} as JSON on stdout.
//   node bench/scan-runner.mjs <built-cli.js> scan|read|parse <file.har>
// read = the streaming reader and the HAR → Observation step only (no engine), lean as the scan
// reads (har-lean.ts) when the build has it. ms counts from before the CLI module is loaded;
// loadMs is the loading alone (a fixed cost, not throughput).
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
  // the heap as the `coatcheck` command sets it up (cli.ts run()); builds before it had none
  // COATCHECK_V8_FLAGS="--flag …" replaces the command's own tuning (to compare heap settings)
  if (process.env.COATCHECK_V8_FLAGS !== undefined) {
    const { setFlagsFromString } = await import('node:v8');
    for (const f of process.env.COATCHECK_V8_FLAGS.split(' ').filter(Boolean)) setFlagsFromString(f);
  } else m.tuneHeapForStreaming?.();
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
} else {
  const j = JSON.parse(readFileSync(file, 'utf8'));
  entries = j.log.entries.length;
}
const ms = performance.now() - t0;
const cpu = process.cpuUsage();
const cpuMs = (cpu.user + cpu.system) / 1000 - cpu0;
process.stdout.write(JSON.stringify({ ms, loadMs, cpuMs, maxRSS: process.resourceUsage().maxRSS * 1024, entries, findings }) + '\n');
