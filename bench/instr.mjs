#!/usr/bin/env node
// Instructions per message, counted by valgrind (cachegrind, no cache simulation) rather than timed:
// on a shared machine whose speed drifts by ±20 % between minutes, two builds' instruction counts
// still compare (±1–5 % between identical runs at the default size, from the JIT's timing; more
// passes, less). Instructions are not time (a cache miss costs hundreds of cycles, an instruction
// less than one); use it to tell whether a change removed work, and bench/ab.mjs for time.
// usage: node bench/instr.mjs A.js [B.js] [--mode plain|bearer|fresh|all|dense|url] [--n 12000] [--passes 4]
//   (modes as in bench/ab.mjs; `url`: a bare `new URL()` of the non-OAuth events, the engine bench's
//   baseline; `all`: the bench's whole mix). Needs valgrind (Debian: apt-get install valgrind).
// Each build runs twice under valgrind: the set-up and 3 warm passes, then the same plus --passes
// more; the difference over the passes and messages is its count.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const opt = (k, d) => {
  const i = args.indexOf(k);
  return i >= 0 ? args[i + 1] : d;
};
const files = args.filter((a, i) => a.endsWith('.js') && !['--mode', '--n', '--passes'].includes(args[i - 1]));
const mode = opt('--mode', 'plain');
const n = opt('--n', mode === 'dense' ? '4000' : '12000');
const passes = Number(opt('--passes', '4'));
if (files.length === 0 || spawnSync('valgrind', ['--version']).status !== 0) {
  console.error('usage: node bench/instr.mjs A.js [B.js] [--mode …] (needs valgrind)');
  process.exit(2);
}
const child = fileURLToPath(new URL('./instr-child.mjs', import.meta.url));
function run(file) {
  const grab = (p) => {
    const r = spawnSync('valgrind', ['--tool=cachegrind', '--cache-sim=no', '--cachegrind-out-file=/dev/null', '--smc-check=all-non-file', process.execPath, '--predictable', '--hash-seed=1', '--random-seed=1', child, file, mode, String(p), n], { encoding: 'utf8', maxBuffer: 1 << 26 });
    const refs = /I\s+refs:\s+([\d,]+)/.exec(r.stderr)?.[1];
    const msgs = /messages (\d+)/.exec(r.stdout)?.[1];
    if (!refs || !msgs) throw new Error(`instr: no count for ${file}:\n${r.stderr.slice(-2000)}`);
    return { refs: Number(refs.replace(/,/g, '')), msgs: Number(msgs) };
  };
  const a = grab(0);
  const b = grab(passes);
  return { msgs: a.msgs, perMsg: (b.refs - a.refs) / passes / a.msgs };
}
const res = files.map((f) => {
  const r = run(f);
  console.log(`${mode} ${f}: ${r.msgs} messages, ${Math.round(r.perMsg)} instructions per message`);
  return r;
});
if (res.length === 2) console.log(`B/A = ${(res[1].perMsg / res[0].perMsg).toFixed(3)}`);
