#!/usr/bin/env node
// CPU profile of the extension's service worker while the lab's clean OAuth chain is loaded N times
// (node bench/sw-profile.mjs [N] [chain|ordinary]; the ordinary page: lab/ordinary.mjs): where the worker's time goes per page load. Writes
// .bench/sw.cpuprofile (open it in Chrome DevTools → Performance) and prints the busy time and the
// top functions by self and inclusive time. Uses the DevTools protocol on 127.0.0.1 only.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import WebSocket from 'ws';
import { CHROMIUM_PATH, chromiumArgs, waitForExtensionReady } from '../lab/chromium.mjs';
import { CHROME_DIST } from '../lab/extension.mjs';
import { startLab } from '../lab/index.mjs';

const n = Number(process.argv[2] ?? 20);
const pageName = process.argv[3] ?? 'chain';
const port = 9300 + Math.floor(Math.random() * 500);
const lab = await startLab();
const dir = mkdtempSync(join(tmpdir(), 'coatcheck-prof-'));
const context = await chromium.launchPersistentContext(dir, {
  executablePath: CHROMIUM_PATH,
  headless: true,
  args: [...chromiumArgs(CHROME_DIST), `--remote-debugging-port=${port}`, '--remote-debugging-address=127.0.0.1'],
  ignoreHTTPSErrors: true,
});
try {
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  await waitForExtensionReady(worker);
  const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  const sw = targets.find((t) => t.type === 'service_worker' && t.url.startsWith('chrome-extension://'));
  const ws = new WebSocket(sw.webSocketDebuggerUrl);
  await new Promise((r) => ws.on('open', r));
  let id = 0;
  const pending = new Map();
  ws.on('message', (m) => {
    const d = JSON.parse(String(m));
    if (d.id && pending.has(d.id)) {
      pending.get(d.id)(d.result);
      pending.delete(d.id);
    }
  });
  const send = (method, params = {}) =>
    new Promise((r) => {
      const i = ++id;
      pending.set(i, r);
      ws.send(JSON.stringify({ id: i, method, params }));
    });
  const [url, done] = pageName === 'ordinary' ? [lab.ordinary.url, '#result[data-outcome="loaded"]'] : [lab.scenarioUrl('clean'), '#result[data-outcome="connected"]'];
  const chain = async () => {
    const p = await context.newPage();
    await p.goto(url, { waitUntil: 'load' });
    await p.waitForSelector(done, { state: 'attached' });
    await p.close();
  };
  await send('Profiler.enable');
  await send('Profiler.setSamplingInterval', { interval: 100 });
  await chain();
  await send('Profiler.start');
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await chain();
  const wall = performance.now() - t0;
  const { profile } = await send('Profiler.stop');
  ws.close();
  mkdirSync('.bench', { recursive: true });
  writeFileSync('.bench/sw.cpuprofile', JSON.stringify(profile));

  const byId = new Map(profile.nodes.map((x) => [x.id, x]));
  const parent = new Map();
  for (const x of profile.nodes) for (const c of x.children ?? []) parent.set(c, x.id);
  const name = (x) => `${x.callFrame.functionName || '(anonymous)'} ${x.callFrame.url.split('/').pop()}:${x.callFrame.lineNumber + 1}:${x.callFrame.columnNumber + 1}`;
  const self = new Map();
  const incl = new Map();
  let busy = 0;
  profile.samples.forEach((s, i) => {
    const dt = profile.timeDeltas[i];
    const leaf = byId.get(s);
    if (leaf.callFrame.functionName === '(idle)') return;
    busy += dt;
    self.set(name(leaf), (self.get(name(leaf)) ?? 0) + dt);
    const seen = new Set();
    for (let k = s; k !== undefined; k = parent.get(k)) {
      const key = name(byId.get(k));
      if (seen.has(key) || key.startsWith('(root)')) continue;
      seen.add(key);
      incl.set(key, (incl.get(key) ?? 0) + dt);
    }
  });
  const top = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, 20).map(([k, v]) => `${(v / 1000).toFixed(1).padStart(8)} ms  ${k}`).join('\n');
  console.log(`${n} loads (${pageName}) in ${wall.toFixed(0)} ms; worker busy ${(busy / 1000).toFixed(1)} ms (${(busy / 1000 / n).toFixed(1)} ms per load)`);
  console.log(`\nself time\n${top(self)}\n\ninclusive time\n${top(incl)}\n\nprofile: .bench/sw.cpuprofile`);
} finally {
  await context.close().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
  await lab.close();
}
