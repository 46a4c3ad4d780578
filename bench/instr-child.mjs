// The child of bench/instr.mjs, run under valgrind: builds the observations of one traffic mode
// (deterministic, synth.mjs), runs the engine over them 3 times to warm it, then PASSES more times.
// usage: node bench/instr-child.mjs CLI MODE PASSES N
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { harEntries } from './synth.mjs';

const [cli, mode, passesArg, nArg] = process.argv.slice(2);
const core = await import(pathToFileURL(resolve(cli)).href);
const isOauth = (o) => /[?&#](client_id|code|state|grant_type)=/.test(o.url) || o.requestBody?.form?.some(([k]) => k === 'grant_type');
const bearer = (o) => o.requestHeaders.some((h) => h.name === 'authorization');
const n = Number(nArg);
const obs = [];
if (mode === 'dense') {
  const gen = harEntries(7, { oauthDense: true });
  for (let i = 0; i < n; i++) obs.push(core.observationFromHarEntry(gen.next().value, { input: 0, entry: i }));
} else {
  const gen = harEntries(3);
  for (let i = 0; i < n; i++) {
    const o = core.observationFromHarEntry(gen.next().value, { input: 0, entry: i });
    const keep = mode === 'all' ? true : mode === 'fresh' ? isOauth(o) : !isOauth(o) && (mode !== 'bearer' || bearer(o));
    if (keep) obs.push(o);
  }
}
const run =
  mode === 'url'
    ? () => {
        let s = 0;
        for (const o of obs) s += new URL(o.url).search.length;
        return s;
      }
    : () => {
        const e = new core.Engine({ journal: mode !== 'dense' });
        for (const o of obs) e.push(o);
        if (mode === 'fresh' || mode === 'dense') e.finish();
      };
for (let i = 0; i < 3; i++) run();
for (let i = 0; i < Number(passesArg); i++) run();
console.log(`messages ${obs.length}`);
