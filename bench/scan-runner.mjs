// Child process of scripts/bench.mjs: run one workload, print {ms, maxRSS} as JSON on stdout.
//   node bench/scan-runner.mjs <built-cli.js> scan|read|parse <file.har>
// read = the streaming reader and the HAR → Observation step only (no engine)
import { createReadStream, readFileSync } from 'node:fs';

const [cli, mode, file] = process.argv.slice(2);
let entries = 0;
let findings;
let code = 0;
const t0 = performance.now();
if (mode === 'scan') {
  const m = await import(cli);
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
  const m = await import(cli);
  const r = new m.HarReader({ onEntry: (e, i) => m.observationFromHarEntry(e, { input: 0, entry: i }) });
  for await (const c of createReadStream(file, { highWaterMark: 1024 * 1024 })) r.write(c);
  entries = r.end().entries;
} else {
  const j = JSON.parse(readFileSync(file, 'utf8'));
  entries = j.log.entries.length;
}
const ms = performance.now() - t0;
process.stdout.write(JSON.stringify({ ms, maxRSS: process.resourceUsage().maxRSS * 1024, entries, findings }) + '\n');
