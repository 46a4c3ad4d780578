// The save cost of the worker's state per event (#19, #11 part 3): what the journal writes after one
// event (engine.flush(): only the keys the event changed) against re-serialising the whole state
// (the layout before the journal wrote every part again, then compared texts), on the same events
// in the same run. Reports the time per save, the ratio, and the keys written per event.
// The HAR log's chunks (src/background/har-log.ts) are not part of the CLI build and not counted.
import { harEntries } from './synth.mjs';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

/** Feed `n` events; time each save after the first `warm` (state already that large). */
/** `count` open flows in 50 other tabs, so the table holds what the cap allows (not timed) */
function fill(core, engine, count, time) {
  for (let i = 0; i < count; i++) {
    const url = `https://as${i % 20}.example/authorize?response_type=code&client_id=c${i % 13}&redirect_uri=https%3A%2F%2Fapp${i % 7}.example%2Fcb&state=fill-${i}-${'x'.repeat(24)}&code_challenge=${'c'.repeat(43)}&code_challenge_method=S256`;
    engine.push({ id: `fill${i}`, ref: {}, context: `tab:${1000 + (i % 50)}`, time, url, method: 'GET', type: 'main_frame', requestHeaders: [], responseHeaders: [], status: 302 });
  }
  engine.flush();
}

function run(core, { n, maxFlows, full, oauthEvery, saveFrom = 0, filled = 0 }) {
  const engine = new core.Engine({ maxFlows });
  const gen = harEntries(7, { oauthEvery });
  let first = true;
  const times = [];
  const keysOAuth = [];
  const keysOther = [];
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const o = core.observationFromHarEntry(gen.next().value, { input: 0, entry: i });
    if (first) {
      fill(core, engine, filled, o.time);
      first = false;
    }
    const before = engine.oauthMessages;
    engine.push(o);
    if (full && i < saveFrom) continue;
    const t = performance.now();
    if (full) {
      const s = engine.toJSON();
      let len = 0;
      for (const k in s.entries) len += s.entries[k].length;
      bytes += len;
    } else {
      const b = engine.flush();
      let len = 0;
      for (const k in b.set) len += b.set[k].length;
      bytes += len;
      const keys = Object.keys(b.set).length + b.remove.length;
      (engine.oauthMessages !== before ? keysOAuth : keysOther).push(keys);
    }
    times.push(performance.now() - t);
  }
  return { times, keysOAuth, keysOther, bytesPerSave: Math.round(bytes / Math.max(1, times.length)), flows: engine.store.flows.size };
}

export function benchSave(core, { quick = false } = {}) {
  const n = quick ? 3000 : 12000;
  const out = {};
  // 1. the default flow cap (500): ordinary browsing with logins mixed in
  const inc = run(core, { n, maxFlows: 500, full: false, oauthEvery: 2, filled: 450 });
  const all = run(core, { n, maxFlows: 500, full: true, oauthEvery: 2, saveFrom: n - 300, filled: 450 });
  out.at500 = {
    events: n,
    flows: inc.flows,
    journalMsPerSave: +median(inc.times).toFixed(4),
    journalP99Ms: +pct(inc.times, 0.99).toFixed(3),
    journalMaxMs: +Math.max(...inc.times).toFixed(3),
    fullMsPerSave: +median(all.times).toFixed(3),
    ratio: +(median(inc.times) / median(all.times)).toFixed(4),
    keysPerOAuthEvent: { median: median(inc.keysOAuth), p95: pct(inc.keysOAuth, 0.95), max: Math.max(...inc.keysOAuth) },
    keysPerOtherEvent: { median: median(inc.keysOther), p95: pct(inc.keysOther, 0.95), max: Math.max(...inc.keysOther) },
    journalBytesPerSave: inc.bytesPerSave,
    fullBytesPerSave: all.bytesPerSave,
  };
  // 2. a 10 000-flow table: the journal must not re-serialise it (the full save is timed on fewer events)
  const bigN = quick ? 2000 : 6000;
  const big = run(core, { n: bigN, maxFlows: 10000, full: false, oauthEvery: 2, filled: 10000 });
  const bigFull = run(core, { n: bigN, maxFlows: 10000, full: true, oauthEvery: 2, saveFrom: bigN - 20, filled: 10000 });
  out.at10k = {
    flows: big.flows,
    journalMsPerSave: +median(big.times.slice(-1000)).toFixed(4),
    journalMaxMs: +Math.max(...big.times.slice(-1000)).toFixed(3),
    fullMsPerSave: +median(bigFull.times).toFixed(2),
    ratio: +(median(big.times.slice(-1000)) / median(bigFull.times)).toFixed(5),
  };
  return out;
}
