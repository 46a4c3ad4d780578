#!/usr/bin/env node
// npm run bench: CoatCheck's benchmarks, each a RATIO against a baseline measured in the same run
// on the same machine, so the numbers travel between machines. Prints a table and writes
// .bench/results.json. Generated captures live under .bench/ (git-ignored).
//   1. engine cost per observed event vs a bare `new URL()` of the same URLs   (target ≤ 2x)
//   1b. the worker's save per event: the journal (changed keys only) vs re-serialising the whole state
//   2. scan throughput on a large HAR vs JSON.parse of the same file           (target ≥ 1.0x, issue #10.2)
//      on the browsing capture and on an OAuth-dense one (every entry an OAuth exchange); the scan
//      with the engine and the reader alone (streaming reader + HAR → Observation); wall time and
//      CPU time (user + system: steadier on a shared machine); excluding the CLI's module load too
//   3. peak RSS of a scan of a 100 MB and a 500 MB HAR (child processes)      (must not grow with the file)
//   3b. the 100 MB capture written out of time order: scan time and peak RSS against the ordered one
//   4. in real Chromium against the lab (bench/page-load.mjs): page-load overhead of the extension on
//      the same OAuth redirect chain (target within 3%), callback navigation → finding available,
//      service worker wake-up → ready
// Options: --quick (smaller inputs), --skip-500 (no 500 MB capture), --skip-browser (no 4.),
//          --cli FILE (another build), --only engine,save,scan,rss,browser (those sections alone).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { harEntries, writeHar } from '../bench/synth.mjs';
import { benchSave } from '../bench/save.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const benchDir = join(root, '.bench');
const cliArg = process.argv.indexOf('--cli');
const cli = cliArg > 0 ? process.argv[cliArg + 1] : join(root, 'dist/cli/coatcheck.js');
const quick = process.argv.includes('--quick');
const onlyArg = process.argv.indexOf('--only');
const only = onlyArg > 0 ? new Set(process.argv[onlyArg + 1].split(',')) : null;
const want = (section) => !only || only.has(section);
const skip500 = process.argv.includes('--skip-500') || !want('rss');
const skipBrowser = process.argv.includes('--skip-browser') || !want('browser');
const MB = 1024 * 1024;
mkdirSync(benchDir, { recursive: true });

// ------------------------------------------------------------------ build first if needed
function newest(dir) {
  let t = 0;
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, d.name);
    t = Math.max(t, d.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}
if (cliArg < 0 && (!existsSync(cli) || statSync(cli).mtimeMs < newest(join(root, 'src/core')) || statSync(cli).mtimeMs < newest(join(root, 'src/companion')))) {
  console.log('building the CLI (node scripts/build.mjs cli) …');
  const b = spawnSync(process.execPath, ['scripts/build.mjs', 'cli'], { cwd: root, stdio: 'inherit' });
  if (b.status !== 0) {
    console.error('bench: the CLI build failed');
    process.exit(1);
  }
}
const core = await import(pathToFileURL(cli).href);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = { date: new Date().toISOString(), node: process.version, cpus: (await import('node:os')).cpus().length, benchmarks: {} };

// ------------------------------------------------------------------ 1. engine per event
if (want('engine')) {
  const n = quick ? 20000 : 60000;
  const obs = [];
  const plain = []; // the non-OAuth events alone, for the breakdown
  const oauthOnly = []; // the OAuth messages alone, in order: the per-message figure without the mix's GC
  let oauth = 0;
  const gen = harEntries(3);
  for (let i = 0; i < n; i++) {
    const e = gen.next().value;
    const o = core.observationFromHarEntry(e, { input: 0, entry: i });
    const isOauth = /[?&#](client_id|code|state|grant_type)=/.test(o.url) || o.requestBody?.form?.some(([k]) => k === 'grant_type');
    if (isOauth) {
      oauth += 1;
      oauthOnly.push(o);
    } else plain.push(o);
    obs.push(o);
  }
  const urls = obs.map((o) => o.url);
  const runUrl = () => {
    const t = performance.now();
    let sink = 0;
    for (const u of urls) sink += new URL(u).search.length;
    if (sink < 0) console.log(sink);
    return performance.now() - t;
  };
  const runEngine = () => {
    const engine = new core.Engine();
    const t = performance.now();
    for (const o of obs) engine.push(o);
    engine.finish();
    const ms = performance.now() - t;
    return { ms, findings: engine.findings.length, flows: engine.store.flows.size };
  };
  // warm up both paths, then alternate
  runUrl();
  runEngine();
  const u = [];
  const e = [];
  let last;
  for (let i = 0; i < 5; i++) {
    u.push(runUrl());
    last = runEngine();
    e.push(last.ms);
  }
  // the non-OAuth events three ways, each against new URL() of the same events, interleaved: as the
  // traffic has them (API calls carry the app's bearer access token, as a single-page app sends
  // them); the same events without Authorization headers (the figure of the rounds before
  // 2026-12-05, whose synthetic API calls carried none); the authenticated API calls alone
  const noAuth = (o) => (o.requestHeaders.some((h) => h.name === 'authorization') ? { ...o, requestHeaders: o.requestHeaders.filter((h) => h.name !== 'authorization') } : o);
  const plainSets = {
    all: plain,
    noBearer: plain.map(noAuth),
    bearerCalls: plain.filter((o) => o.requestHeaders.some((h) => h.name === 'authorization')),
  };
  const runPlain = (set) => {
    const engine = new core.Engine();
    const t = performance.now();
    for (const o of set) engine.push(o);
    return performance.now() - t;
  };
  const runPlainUrl = (set) => {
    const t = performance.now();
    for (const o of set) new URL(o.url);
    return performance.now() - t;
  };
  const plainRuns = Object.fromEntries(Object.keys(plainSets).map((k) => [k, { e: [], u: [] }]));
  for (const set of Object.values(plainSets)) runPlain(set);
  for (let i = 0; i < 9; i++) {
    for (const [k, set] of Object.entries(plainSets)) {
      plainRuns[k].u.push(runPlainUrl(set));
      plainRuns[k].e.push(runPlain(set));
    }
  }
  const plainFigure = (k) => {
    const n = Math.max(1, plainSets[k].length);
    // the median of the per-round ratios: a round's two runs sit next to each other in time
    const ratios = plainRuns[k].e.map((x, i) => x / plainRuns[k].u[i]);
    return { events: plainSets[k].length, engineNs: Math.round((median(plainRuns[k].e) * 1e6) / n), ratio: +median(ratios).toFixed(2) };
  };
  const pe = plainRuns.all.e;
  // the OAuth messages on their own (a fresh engine each run): what one costs when the mix's other
  // traffic (its garbage, the state it builds) is not charged to it; the mix formula below is the
  // upper bound
  const runOauth = () => {
    const engine = new core.Engine();
    const t = performance.now();
    for (const o of oauthOnly) engine.push(o);
    engine.finish();
    return performance.now() - t;
  };
  const oe = [];
  runOauth();
  for (let i = 0; i < 7; i++) oe.push(runOauth());
  const oauthAloneNs = (median(oe) * 1e6) / Math.max(1, oauthOnly.length);
  const plainAll = plainFigure('all');
  const plainNoBearer = plainFigure('noBearer');
  const bearerCalls = plainFigure('bearerCalls');
  const oauthNs = (median(e) * 1e6 - median(pe) * 1e6) / Math.max(1, oauth);
  const urlNs = (median(u) * 1e6) / n;
  const engNs = (median(e) * 1e6) / n;
  results.benchmarks.enginePerEvent = {
    events: n,
    oauthEvents: oauth,
    baselineNewUrlNs: Math.round(urlNs),
    engineNs: Math.round(engNs),
    ratio: +(engNs / urlNs).toFixed(2),
    target: '<= 2',
    findings: last.findings,
    nonOauthEngineNs: plainAll.engineNs,
    nonOauthRatio: plainAll.ratio,
    nonOauthNoBearerNs: plainNoBearer.engineNs,
    nonOauthNoBearerRatio: plainNoBearer.ratio,
    bearerCalls: bearerCalls.events,
    bearerCallNs: bearerCalls.engineNs,
    bearerCallRatio: bearerCalls.ratio,
    oauthEventNs: Math.round(oauthNs),
    oauthAloneNs: Math.round(oauthAloneNs),
  };
}

// ------------------------------------------------------------------ 1b. save cost per event (bench/save.mjs)
if (want('save')) results.benchmarks.save = benchSave(core, { quick });

// ------------------------------------------------------------------ 2 + 3. scans in child processes
const synthTag = createHash('sha256').update(readFileSync(join(root, 'bench/synth.mjs'))).digest('hex').slice(0, 8);
async function ensureHar(mb, { shuffled = false, oauthDense = false } = {}) {
  // named after the generator's text: a capture written by an older bench/synth.mjs is not reused
  const p = join(benchDir, `${oauthDense ? 'oauth-dense' : 'synthetic'}-${mb}mb${shuffled ? '-shuffled' : ''}-${synthTag}.har`);
  if (existsSync(p) && statSync(p).size >= mb * MB) return p;
  process.stdout.write(`generating ${p} …`);
  const t = Date.now();
  await writeHar(p, mb * MB, 7, { shuffleBlock: shuffled ? 64 : 0, oauthDense });
  console.log(` ${((Date.now() - t) / 1000).toFixed(1)} s`);
  return p;
}
function child(mode, file) {
  const r = spawnSync(process.execPath, ['--max-old-space-size=4096', join(root, 'bench/scan-runner.mjs'), cli, mode, file], { encoding: 'utf8', maxBuffer: 64 * MB });
  if (r.status !== 0) throw new Error(`${mode} ${file} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

const small = quick ? 20 : 100;
const large = quick ? 100 : 500;
const doScan = want('scan') || want('rss');
const f100 = doScan ? await ensureHar(small) : null;
/** JSON.parse, the scan and the reader alone on one capture, interleaved, 3 child runs each. */
function throughput(file) {
  const bytes = statSync(file).size;
  const runs = { parse: [], scan: [], read: [] };
  for (let i = 0; i < 3; i++) for (const mode of ['parse', 'scan', 'read']) runs[mode].push(child(mode, file));
  const last = (m) => runs[m][runs[m].length - 1];
  if (last('parse').entries !== last('scan').entries) throw new Error(`entry counts differ: JSON.parse ${last('parse').entries}, scan ${last('scan').entries}`);
  const med = (m, k) => median(runs[m].map((r) => r[k]));
  const mbs = (ms) => +(bytes / MB / (ms / 1000)).toFixed(1);
  const ratio = (m, k, load = false) => +(med('parse', k) / (med(m, k) - (load ? med(m, 'loadMs') : 0))).toFixed(2);
  return {
    file: `${(bytes / MB).toFixed(0)} MB, ${last('scan').entries} entries`,
    baselineJsonParseMBs: mbs(med('parse', 'ms')),
    scanMBs: mbs(med('scan', 'ms')),
    readMBs: mbs(med('read', 'ms')),
    ratio: ratio('scan', 'ms'),
    ratioCpu: ratio('scan', 'cpuMs'),
    ratioExclLoad: ratio('scan', 'ms', true),
    readRatio: ratio('read', 'ms'),
    readRatioCpu: ratio('read', 'cpuMs'),
    readRatioExclLoad: ratio('read', 'ms', true),
    loadMs: Math.round(med('scan', 'loadMs')),
    findings: last('scan').findings,
    target: '>= 1.0',
    runs,
    last: { parse: last('parse'), scan: last('scan'), read: last('read') },
  };
}
if (doScan) {
  const bytes = statSync(f100).size;
  const t = throughput(f100);
  const dense = throughput(await ensureHar(small, { oauthDense: true }));
  const s = t.runs.scan.map((r) => r.ms);
  const parseRun = t.last.parse;
  const scanRun = t.last.scan;
  const denseScanRun = dense.last.scan;
  for (const x of [t, dense]) {
    delete x.runs;
    delete x.last;
  }
  results.benchmarks.scanThroughput = t;
  results.benchmarks.scanThroughputOauthDense = dense;
  // 2a. the engine's time per entry by eighth of each 100 MB capture (scan-runner's warmup mode):
  // the first entries run before V8 has optimised the code; what they cost above the steady rate
  // (the median of the last four eighths) is a fixed cost of every scan, whatever the file's size
  const warm = (file) => {
    const r = child('warmup', file);
    const steady = median(r.eighthsUs.slice(4));
    const perEighth = r.entries / 8;
    return { eighthsUs: r.eighthsUs, steadyUs: steady, fixedMs: Math.round(r.eighthsUs.reduce((a, x) => a + Math.max(0, x - steady) * perEighth, 0) / 1000) };
  };
  results.benchmarks.engineWarmup = { browsing: warm(f100), oauthDense: warm(await ensureHar(small, { oauthDense: true })) };
  results.benchmarks.peakRss = {
    baselineJsonParse100: Math.round(parseRun.maxRSS / MB),
    scan100: Math.round(scanRun.maxRSS / MB),
    readOnly100: Math.round(child('read', f100).maxRSS / MB),
    denseScan100: Math.round(denseScanRun.maxRSS / MB),
  };
  // 2b. the same traffic written out of time order (runs of 64 entries shuffled): the scan reads
  // it in order until its first earlier entry, then again sorted (compact observations kept)
  const fShuf = await ensureHar(small, { shuffled: true });
  const sh = [];
  let shRun;
  for (let i = 0; i < 3; i++) {
    shRun = child('scan', fShuf);
    sh.push(shRun.ms);
  }
  const shBytes = statSync(fShuf).size;
  results.benchmarks.shuffledScan = {
    file: `${(shBytes / MB).toFixed(0)} MB, ${shRun.entries} entries, runs of 64 entries shuffled`,
    orderedMs: Math.round(median(s)),
    shuffledMs: Math.round(median(sh)),
    costRatio: +(median(sh) / shBytes / (median(s) / bytes)).toFixed(2),
    orderedRssMB: Math.round(scanRun.maxRSS / MB),
    shuffledRssMB: Math.round(shRun.maxRSS / MB),
    rssRatio: +(shRun.maxRSS / scanRun.maxRSS).toFixed(2),
    findingsOrdered: scanRun.findings,
    findingsShuffled: shRun.findings,
  };
}
if (!skip500) {
  const f500 = await ensureHar(large);
  const r = child('scan', f500);
  const rss = results.benchmarks.peakRss;
  rss.scan500 = Math.round(r.maxRSS / MB);
  rss.readOnly500 = Math.round(child('read', f500).maxRSS / MB);
  rss.readOnlyRatio500vs100 = +(rss.readOnly500 / rss.readOnly100).toFixed(2);
  rss.entries500 = r.entries;
  rss.ratio500vs100 = +(rss.scan500 / rss.scan100).toFixed(2);
  const fDense500 = await ensureHar(large, { oauthDense: true });
  const dense500 = child('scan', fDense500);
  rss.denseScan500 = Math.round(dense500.maxRSS / MB);
  // the dense scan where the engine's warm-up (2a) is a fifth as large a part: throughput against
  // JSON.parse of the same 500 MB file (the faster of two runs each, in the order scan, parse,
  // parse, scan; a string of it fits V8's limit of 2^29 - 24 characters while the generator writes
  // ≤ 512 MiB)
  try {
    const parseMs = Math.min(child('parse', fDense500).ms, child('parse', fDense500).ms);
    const scanMs = Math.min(dense500.ms, child('scan', fDense500).ms);
    results.benchmarks.scanThroughputOauthDense500 = {
      file: `${(statSync(fDense500).size / MB).toFixed(0)} MB, ${dense500.entries} entries`,
      scanMs: Math.round(scanMs),
      baselineJsonParseMs: Math.round(parseMs),
      ratio: +(parseMs / scanMs).toFixed(2),
      target: '>= 1.0 (at 100 MB)',
    };
  } catch (e) {
    console.log(`JSON.parse of the 500 MB dense capture failed (${String(e).split('\n')[0]}): its throughput row is left out`);
  }
  rss.denseRatio500vs100 = +(rss.denseScan500 / rss.denseScan100).toFixed(2);
  rss.scanVsJsonParse100 = +(rss.scan100 / rss.baselineJsonParse100).toFixed(2);
  rss.target = '500 MB / 100 MB ≤ 1.2 (flat)';
}

// ------------------------------------------------------------------ 4. the extension in Chromium
if (!skipBrowser) {
  if (!existsSync('/usr/bin/chromium')) {
    console.log('page-load benchmark skipped: /usr/bin/chromium is missing (apt-get install -y chromium)');
  } else {
    if (!existsSync(join(root, 'dist/chrome/manifest.json')) || statSync(join(root, 'dist/chrome/manifest.json')).mtimeMs < newest(join(root, 'src'))) {
      console.log('building the Chrome extension (node scripts/build.mjs chrome) …');
      const b = spawnSync(process.execPath, ['scripts/build.mjs', 'chrome'], { cwd: root, stdio: 'inherit' });
      if (b.status !== 0) {
        console.error('bench: the extension build failed');
        process.exit(1);
      }
    }
    const { benchPageLoad } = await import('../bench/page-load.mjs');
    const r = await benchPageLoad({ n: quick ? 8 : 40, latencyRuns: quick ? 3 : 5, wakeRuns: quick ? 2 : 5, log: (m) => console.log(`  ${m}`) });
    results.benchmarks.pageLoad = r;
  }
}

// ------------------------------------------------------------------ report
const b = results.benchmarks;
const rows = [
  ...(b.enginePerEvent ? [['engine per event vs new URL()', `${b.enginePerEvent.engineNs} ns vs ${b.enginePerEvent.baselineNewUrlNs} ns (${b.enginePerEvent.events} events, ${b.enginePerEvent.oauthEvents} OAuth)`, `${b.enginePerEvent.ratio}x`, '≤ 2x'],
  ['  of which: non-OAuth events only', `${b.enginePerEvent.nonOauthEngineNs} ns per event (median ratio of 9 interleaved rounds)`, `${b.enginePerEvent.nonOauthRatio}x`, '≤ 1.3x'],
  ['    the same without Authorization headers (as before 2026-12-05)', `${b.enginePerEvent.nonOauthNoBearerNs} ns per event`, `${b.enginePerEvent.nonOauthNoBearerRatio}x`, ''],
  ['    API calls with a bearer JWT alone', `${b.enginePerEvent.bearerCallNs} ns per call (${b.enginePerEvent.bearerCalls} calls)`, `${b.enginePerEvent.bearerCallRatio}x`, ''],
  ['  an OAuth message: alone (median of 7); in the mix (upper bound)', `${(b.enginePerEvent.oauthAloneNs / 1000).toFixed(1)} µs; ≈ ${Math.round(b.enginePerEvent.oauthEventNs / 1000)} µs`, '', '≤ 15 µs']] : []),
  ...(b.save ? [['save per event: journal vs whole state (500 flows)', `${b.save.at500.journalMsPerSave} ms vs ${b.save.at500.fullMsPerSave} ms (p99 ${b.save.at500.journalP99Ms} ms, max ${b.save.at500.journalMaxMs} ms)`, `${b.save.at500.ratio}x`, '≤ 5 ms'],
  ['  keys written per OAuth event / other event', `median ${b.save.at500.keysPerOAuthEvent.median}, p95 ${b.save.at500.keysPerOAuthEvent.p95}, max ${b.save.at500.keysPerOAuthEvent.max} / median ${b.save.at500.keysPerOtherEvent.median}`, '', '≤ 3'],
  ['save per event at 10 000 flows: journal vs whole state', `${b.save.at10k.journalMsPerSave} ms vs ${b.save.at10k.fullMsPerSave} ms (max ${b.save.at10k.journalMaxMs} ms)`, `${b.save.at10k.ratio}x`, 'no full re-serialisation']] : []),
  ...(b.scanThroughput ? [...[
    ['', b.scanThroughput],
    [' (OAuth-dense)', b.scanThroughputOauthDense],
  ].flatMap(([name, t]) => [
    [`scan throughput vs JSON.parse${name}`, `${t.scanMBs} MB/s vs ${t.baselineJsonParseMBs} MB/s (${t.file}; ${t.findings} findings)`, `${t.ratio}x`, '≥ 1.0x'],
    ['  CPU time; wall without the module load', `CPU ${t.ratioCpu}x; ${t.ratioExclLoad}x without the ${t.loadMs} ms load`, `${t.ratioCpu}x`, ''],
    ['  reader + HAR→Observation alone', `${t.readMBs} MB/s; CPU ${t.readRatioCpu}x; ${t.readRatioExclLoad}x without the load`, `${t.readRatio}x`, '≥ 1.0x'],
  ]),
  ...(b.engineWarmup
    ? Object.entries({ browsing: 'the browsing capture', oauthDense: 'OAuth-dense' }).map(([k, name]) => {
        const w = b.engineWarmup[k];
        return [`  engine µs per entry by eighth of the scan (${name})`, `${w.eighthsUs.join(', ')}: ≈ ${w.fixedMs} ms above the steady ${w.steadyUs} µs (JIT warm-up)`, '', ''];
      })
    : []),
  ['scan of the same capture out of time order vs in order', `${b.shuffledScan.shuffledMs} ms vs ${b.shuffledScan.orderedMs} ms per run (${b.shuffledScan.file}; findings ${b.shuffledScan.findingsShuffled} vs ${b.shuffledScan.findingsOrdered})`, `${b.shuffledScan.costRatio}x`, ''],
  ['  peak RSS, out of order vs in order', `${b.shuffledScan.shuffledRssMB} MB vs ${b.shuffledScan.orderedRssMB} MB`, `${b.shuffledScan.rssRatio}x`, ''],
  ['peak RSS, scan 100 MB vs JSON.parse 100 MB', `${b.peakRss.scan100} MB vs ${b.peakRss.baselineJsonParse100} MB`, b.peakRss.scanVsJsonParse100 !== undefined ? `${b.peakRss.scanVsJsonParse100}x` : `${(b.peakRss.scan100 / b.peakRss.baselineJsonParse100).toFixed(2)}x`, 'low']] : []),
  ...(b.peakRss?.scan500 !== undefined
    ? [
        ['peak RSS, scan 500 MB vs scan 100 MB', `${b.peakRss.scan500} MB vs ${b.peakRss.scan100} MB`, `${b.peakRss.ratio500vs100}x`, '≤ 1.2x'],
        ['  OAuth-dense, 500 vs 100', `${b.peakRss.denseScan500} MB vs ${b.peakRss.denseScan100} MB`, `${b.peakRss.denseRatio500vs100}x`, '≤ 1.2x'],
        ['  reader + HAR→Observation only, 500 vs 100', `${b.peakRss.readOnly500} MB vs ${b.peakRss.readOnly100} MB`, `${b.peakRss.readOnlyRatio500vs100}x`, '≈ 1x'],
        ...(b.scanThroughputOauthDense500
          ? [['scan throughput vs JSON.parse (OAuth-dense, 500 MB: the warm-up a fifth as large a part)', `${b.scanThroughputOauthDense500.scanMs} ms vs ${b.scanThroughputOauthDense500.baselineJsonParseMs} ms (${b.scanThroughputOauthDense500.file}; the faster of two runs each)`, `${b.scanThroughputOauthDense500.ratio}x`, '']]
          : []),
      ]
    : []),
  ...(b.pageLoad
    ? [
        ['page load, CoatCheck vs no extension', `median ${b.pageLoad.withMs.median.toFixed(1)} ms vs ${b.pageLoad.withoutMs.median.toFixed(1)} ms (${b.pageLoad.withMs.n} loads each, interleaved)`, `${b.pageLoad.overheadRatio.toFixed(3)}x`, '≤ 1.03x'],
        ['  listeners-only extension vs no extension', `median ${b.pageLoad.listenersOnlyMs.median.toFixed(1)} ms (same listeners, empty handlers)`, `${b.pageLoad.listenersOnlyRatio.toFixed(3)}x`, ''],
        ['  CoatCheck vs listeners-only extension', 'what CoatCheck adds to observing at all', `${b.pageLoad.ownOverheadRatio.toFixed(3)}x`, '≤ 1.03x'],
        ['  CPU per load (all browser processes), CoatCheck vs none', `${b.pageLoad.cpuMsPerLoad.with.toFixed(0)} vs ${b.pageLoad.cpuMsPerLoad.without.toFixed(0)} ms (listeners only ${b.pageLoad.cpuMsPerLoad.listenersOnly.toFixed(0)})`, `${b.pageLoad.cpuRatio.toFixed(3)}x`, ''],
        ...(b.pageLoad.ordinary
          ? [
              ['page load, ordinary page (60 subresources), CoatCheck vs none', `median ${b.pageLoad.ordinary.withMs.median.toFixed(1)} ms vs ${b.pageLoad.ordinary.withoutMs.median.toFixed(1)} ms (listeners only ${b.pageLoad.ordinary.listenersOnlyRatio.toFixed(3)}x)`, `${b.pageLoad.ordinary.overheadRatio.toFixed(3)}x`, '≤ 1.03x'],
              ['  CPU per load, CoatCheck vs none', `${b.pageLoad.ordinary.cpuMsPerLoad.with.toFixed(0)} vs ${b.pageLoad.ordinary.cpuMsPerLoad.without.toFixed(0)} ms (listeners only ${b.pageLoad.ordinary.cpuMsPerLoad.listenersOnly.toFixed(0)})`, `${b.pageLoad.ordinary.cpuRatio.toFixed(3)}x`, ''],
            ]
          : []),
        ['callback navigation → finding in getFindings', `median ${b.pageLoad.findingLatencyMs.median.toFixed(0)} ms, max ${b.pageLoad.findingLatencyMs.max.toFixed(0)} ms (${b.pageLoad.findingLatencyMs.n} runs)`, '', ''],
        ['service worker wake-up → ready after a stop', `median ${b.pageLoad.wakeToReadyMs.median.toFixed(0)} ms, max ${b.pageLoad.wakeToReadyMs.max.toFixed(0)} ms (${b.pageLoad.wakeToReadyMs.n} runs)`, '', ''],
      ]
    : []),
];
const w = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => String(r[i]).length), ['benchmark', 'measured', 'ratio', 'target'][i].length));
const line = (r) => r.map((c, i) => String(c).padEnd(w[i])).join('  ');
console.log(`\n${line(['benchmark', 'measured', 'ratio', 'target'])}\n${w.map((n) => '-'.repeat(n)).join('  ')}\n${rows.map(line).join('\n')}`);
writeFileSync(join(benchDir, 'results.json'), JSON.stringify(results, null, 2) + '\n');
console.log(`\nwritten to .bench/results.json (node ${process.version}, ${results.cpus} CPUs)`);
