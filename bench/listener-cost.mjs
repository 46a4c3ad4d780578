#!/usr/bin/env node
// What each webRequest / webNavigation registration costs a page load in Chromium: extension variants
// generated from a list of registrations (empty handlers, like bench/listeners-only), each in its own
// headless Chromium, all loading the same pages in interleaved rounds (the order rotates every round)
// so that the load of a shared machine hits every variant alike. Reported per variant and page:
// median load time, its ratio to the browser without extension, and the spread (interquartile range
// of the per-round ratios). `node bench/listener-cost.mjs [ROUNDS] [variant,variant…]`.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../lab/chromium.mjs';
import { CHROME_DIST } from '../lab/extension.mjs';
import { startLab } from '../lab/index.mjs';

const ALL_TYPES = ['main_frame', 'sub_frame', 'xmlhttprequest', 'script', 'image', 'ping', 'other'];
const OLD = { urls: ['<all_urls>'], types: ALL_TYPES };
const EVENTS = ['onBeforeRequest', 'onBeforeSendHeaders', 'onHeadersReceived', 'onBeforeRedirect', 'onCompleted', 'onErrorOccurred'];
const OLD_SPEC = { onBeforeRequest: ['requestBody'], onBeforeSendHeaders: ['requestHeaders', 'extraHeaders'], onHeadersReceived: ['responseHeaders', 'extraHeaders'], onBeforeRedirect: ['responseHeaders', 'extraHeaders'], onCompleted: ['responseHeaders', 'extraHeaders'], onErrorOccurred: [] };

/**
 * @typedef {{ event: string, filter: { urls: string[], types?: string[] }, spec: string[] }} Reg
 * @typedef {{ name: string, regs?: Reg[], nav?: boolean, dir?: string, perms?: string[], hosts?: string[], what: string }} Variant
 */

/** The registrations CoatCheck made before #10.3, with edits. @param {(e: string, spec: string[]) => string[] | null} [edit] @param {object} [filter] @returns {Reg[]} */
function oldRegs(edit = (_e, s) => s, filter = OLD) {
  return EVENTS.flatMap((event) => {
    const spec = edit(event, OLD_SPEC[event]);
    return spec ? [{ event, filter, spec }] : [];
  });
}
const without = (opt) => (_e, s) => s.filter((x) => x !== opt);
const only = (ev) => (e, s) => (e === ev ? s : null);

/** The registrations CoatCheck makes now: the table bench/listeners-only carries (= src/background/registrations.ts). @returns {Reg[]} */
function currentRegs(edit = (/** @type {any} */ r) => r) {
  const src = readFileSync(new URL('./listeners-only/background.js', import.meta.url), 'utf8');
  const literal = /const REGISTRATIONS = (\[[\s\S]*?\n\]);/.exec(src)?.[1];
  const table = /** @type {{ event: string, types: string[], spec: string[], urls?: string[] }[]} */ (new Function(`return ${literal}`)());
  return table.map((r) => edit({ event: r.event, filter: { urls: r.urls ?? ['<all_urls>'], types: r.types }, spec: r.spec })).filter(Boolean);
}

/** @type {Record<string, Variant>} */
export const VARIANTS = {
  none: { name: 'none', what: 'no extension' },
  empty: { name: 'empty', regs: [], nav: false, perms: [], hosts: [], what: 'an extension with no permission and an empty worker (the floor of any extension)' },
  hostperm: { name: 'hostperm', regs: [], nav: false, perms: [], what: 'host permission <all_urls> only, no webRequest, no listener' },
  perm: { name: 'perm', regs: [], nav: false, what: 'webRequest + webNavigation permissions, no listener' },
  old: { name: 'old', regs: oldRegs(), nav: true, what: 'the registrations before #10.3 (= listeners-only then)' },
  'no-extra': { name: 'no-extra', regs: oldRegs(without('extraHeaders')), nav: true, what: 'old without extraHeaders' },
  'no-body': { name: 'no-body', regs: oldRegs(without('requestBody')), nav: true, what: 'old without requestBody' },
  'no-spec': { name: 'no-spec', regs: oldRegs(() => []), nav: true, what: 'old without any extraInfoSpec' },
  'no-nav': { name: 'no-nav', regs: oldRegs(), nav: false, what: 'old without the webNavigation listeners' },
  'nav-only': { name: 'nav-only', regs: [], nav: true, what: 'webNavigation listeners only' },
  'one-listener': { name: 'one-listener', regs: [{ event: 'onErrorOccurred', filter: { urls: ['<all_urls>'], types: ['main_frame'] }, spec: [] }], nav: false, what: 'a single webRequest listener (onErrorOccurred of main frames: no event on a page that loads): what any webRequest observer pays' },
  'frames-only': { name: 'frames-only', regs: oldRegs(undefined, { urls: ['<all_urls>'], types: ['main_frame', 'sub_frame'] }), nav: true, what: 'old, types main_frame + sub_frame only' },
  ...Object.fromEntries(EVENTS.map((e) => [`only-${e}`, { name: `only-${e}`, regs: oldRegs(only(e)), nav: false, what: `${e} alone, old filter and spec` }])),
  'frames-no-extra': { name: 'frames-no-extra', regs: oldRegs(without('extraHeaders'), { urls: ['<all_urls>'], types: ['main_frame', 'sub_frame'] }), nav: true, what: 'old, types main_frame + sub_frame only, no extraHeaders' },
  'extra-frames': {
    name: 'extra-frames',
    nav: true,
    what: 'old filter, no extraHeaders except on main_frame/sub_frame (second listener)',
    regs: [...oldRegs(without('extraHeaders')), ...oldRegs((e, s) => (s.includes('extraHeaders') ? s : null), { urls: ['<all_urls>'], types: ['main_frame', 'sub_frame'] })],
  },
  new: { name: 'new', regs: currentRegs(), nav: true, what: 'the registrations always there now (no per-tab rows)' },
  listeners: { name: 'listeners', dir: fileURLToPath(new URL('./listeners-only', import.meta.url)), what: 'bench/listeners-only: the rows always there and per watched tab, empty handlers' },
  'prev-static': {
    name: 'prev-static',
    nav: true,
    what: 'the registrations before #10.3 step 2 (scripts and images by every URL)',
    regs: currentRegs((r) => (r.filter.urls[0] === '<all_urls>' && r.filter.types.includes('main_frame') ? r : null)).flatMap((r) =>
      ['onBeforeSendHeaders', 'onBeforeRedirect', 'onCompleted', 'onErrorOccurred'].includes(r.event) ? [r, { ...r, filter: { urls: ['<all_urls>'], types: ['script', 'image'] }, spec: r.event === 'onBeforeSendHeaders' ? ['requestHeaders', 'extraHeaders'] : r.event === 'onErrorOccurred' ? [] : ['responseHeaders'] }] : [r],
    ),
  },
  'new-no-extra': { name: 'new-no-extra', regs: currentRegs((r) => ({ ...r, spec: r.spec.filter((x) => x !== 'extraHeaders') })), nav: true, what: 'now, without any extraHeaders' },
  'new-no-static': { name: 'new-no-static', regs: currentRegs((r) => ({ ...r, filter: { ...r.filter, types: r.filter.types.filter((t) => t !== 'script' && t !== 'image') } })), nav: true, what: 'now, without scripts and images' },
  'new-no-cred': { name: 'new-no-cred', regs: currentRegs((r) => (r.filter.urls.includes('<all_urls>') ? r : null)), nav: true, what: 'now, without the subresource rows filtered by CREDENTIAL_URLS' },
  'new-frames': { name: 'new-frames', regs: currentRegs((r) => { const types = r.filter.types.filter((t) => t === 'main_frame' || t === 'sub_frame'); return types.length ? { ...r, filter: { ...r.filter, types } } : null; }), nav: true, what: 'now, the navigation rows only (no calls, no subresources)' },
  'new-no-xhr': { name: 'new-no-xhr', regs: currentRegs((r) => ({ ...r, filter: { ...r.filter, types: r.filter.types.filter((t) => t !== 'xmlhttprequest') } })), nav: true, what: 'now, without xmlhttprequest' },
  coatcheck: { name: 'coatcheck', dir: CHROME_DIST, what: 'the built extension (dist/chrome)' },
  ...(process.env.COATCHECK_BEFORE ? { 'coatcheck-before': { name: 'coatcheck-before', dir: process.env.COATCHECK_BEFORE, what: `CoatCheck built before #10.3 (${process.env.COATCHECK_BEFORE})` } } : {}),
  // more builds to compare: COATCHECK_BUILDS=name=dir,name=dir
  ...Object.fromEntries((process.env.COATCHECK_BUILDS ?? '').split(',').filter((x) => x.includes('=')).map((x) => {
    const [name, dir] = x.split('=');
    return [name, { name, dir, what: `CoatCheck built at ${dir}` }];
  })),
};

/** @param {Variant} v @param {string} root */
function variantDir(v, root) {
  if (v.dir) return v.dir;
  const dir = join(root, v.name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ manifest_version: 3, name: `bench ${v.name}`, version: '1.0.0', permissions: v.perms ?? ['webRequest', 'webNavigation'], host_permissions: v.hosts ?? ['<all_urls>'], background: { service_worker: 'background.js' } }));
  const lines = ['let events = 0;', 'const count = () => { events += 1; };'];
  for (const r of v.regs ?? []) lines.push(`chrome.webRequest.${r.event}.addListener(count, ${JSON.stringify(r.filter)}, ${JSON.stringify(r.spec)});`);
  if (v.nav) lines.push('chrome.webNavigation.onCommitted.addListener(count);', 'chrome.webNavigation.onReferenceFragmentUpdated.addListener(count);');
  lines.push('globalThis.__coatcheckReady = true;');
  writeFileSync(join(dir, 'background.js'), lines.join('\n') + '\n');
  return dir;
}

/**
 * CPU time (ms, user + system, reaped children included) of a browser's whole process tree (browser,
 * zygotes, renderers, network service, the extension's worker): what an observer costs the machine,
 * and far less disturbed than wall time by other load on a shared machine. Linux /proc only.
 * @param {string} userDataDir
 */
export function browserCpuMs(userDataDir) {
  /** @type {Map<number, number[]>} */
  const kids = new Map();
  /** @type {Map<number, number>} */
  const cpu = new Map();
  let root = -1;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const pid = Number(d);
      const ppid = Number(f[1]);
      cpu.set(pid, Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]));
      if (!kids.has(ppid)) kids.set(ppid, []);
      kids.get(ppid)?.push(pid);
      if (root < 0) {
        const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
        if (cmd.includes(`--user-data-dir=${userDataDir}`) && !cmd.includes('--type=') && /chrom/.test(cmd)) root = pid;
      }
    } catch {
      /* gone */
    }
  }
  if (root < 0) return NaN;
  let ticks = 0;
  const todo = [root];
  while (todo.length) {
    const p = /** @type {number} */ (todo.pop());
    ticks += cpu.get(p) ?? 0;
    todo.push(...(kids.get(p) ?? []));
  }
  return ticks * 10; // USER_HZ = 100
}

/** @param {number[]} xs @param {number} p */
const quantile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))];
};

/**
 * The pages: the lab's clean 5-hop OAuth chain and the ordinary page (60 subresources).
 * @param {any} lab
 */
export function benchPages(lab) {
  return [
    { name: 'chain', url: lab.scenarioUrl('clean'), done: '#result[data-outcome="connected"]' },
    { name: 'ordinary', url: lab.ordinary.url, done: '#result[data-outcome="loaded"]' },
  ];
}

/** @param {import('playwright-core').BrowserContext} context @param {{ url: string, done: string }} page */
export async function timeLoad(context, page) {
  const tab = await context.newPage();
  const t0 = performance.now();
  await tab.goto(page.url, { waitUntil: 'load' });
  await tab.waitForSelector(page.done, { state: 'attached' });
  const ms = performance.now() - t0;
  await tab.close();
  return ms;
}

/**
 * Load every page `rounds` times in every variant, interleaved; ratios against `none`.
 * @param {{ rounds?: number, variants?: string[], log?: (s: string) => void }} [opts]
 */
export async function benchListenerCosts(opts = {}) {
  const rounds = opts.rounds ?? 20;
  const names = opts.variants ?? Object.keys(VARIANTS);
  if (!names.includes('none')) names.unshift('none');
  const log = opts.log ?? (() => {});
  const root = mkdtempSync(join(tmpdir(), 'coatcheck-variants-'));
  const lab = await startLab();
  /** @type {{ v: Variant, b: Awaited<ReturnType<typeof launchChromium>>, ms: Record<string, number[]> }[]} */
  const runs = [];
  try {
    const pages = benchPages(lab);
    for (const n of names) {
      const v = VARIANTS[n];
      if (!v) throw new Error(`unknown variant ${n}; known: ${Object.keys(VARIANTS).join(', ')}`);
      const userDataDir = mkdtempSync(join(root, `profile-${v.name}-`));
      const launch = () => launchChromium(v.name === 'none' ? { userDataDir } : { extensionDir: variantDir(v, root), userDataDir });
      // a worker slow to start on a busy machine: one more try
      const b = await launch().catch((e) => (log(`${v.name}: ${e.message}; launching again`), launch()));
      runs.push({ v, b, userDataDir, ms: Object.fromEntries(pages.map((p) => [p.name, []])), cpu: Object.fromEntries(pages.map((p) => [p.name, []])) });
    }
    for (const r of runs) for (const p of pages) await timeLoad(r.b.context, p); // warm-up
    for (let i = 0; i < rounds; i++) {
      for (const p of pages) {
        for (let k = 0; k < runs.length; k++) {
          const r = runs[(k + i) % runs.length];
          const c0 = browserCpuMs(r.userDataDir);
          r.ms[p.name].push(await timeLoad(r.b.context, p));
          r.cpu[p.name].push(browserCpuMs(r.userDataDir) - c0);
        }
      }
      log(`round ${i + 1}/${rounds}`);
    }
    const base = runs[0];
    const out = {};
    for (const p of pages) {
      out[p.name] = runs.map((r) => {
        // per-round ratio to the browser without extension in the same round: drift cancels
        const perRound = r.ms[p.name].map((x, i) => x / base.ms[p.name][i]);
        const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
        return {
          cpuMs: mean(r.cpu[p.name]),
          cpuRatio: mean(r.cpu[p.name]) / mean(base.cpu[p.name]),
          variant: r.v.name,
          what: r.v.what,
          medianMs: quantile(r.ms[p.name], 0.5),
          ratio: quantile(r.ms[p.name], 0.5) / quantile(base.ms[p.name], 0.5),
          roundRatioMedian: quantile(perRound, 0.5),
          roundRatioIqr: [quantile(perRound, 0.25), quantile(perRound, 0.75)],
        };
      });
    }
    return { rounds, pages: pages.map((p) => p.name), costs: out };
  } finally {
    for (const r of runs) await r.b.close();
    await lab.close();
    rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rounds = Number(process.argv[2] ?? 20);
  const variants = process.argv[3]?.split(',');
  const r = await benchListenerCosts({ rounds, variants, log: (s) => console.error(s) });
  for (const p of r.pages) {
    console.log(`\n${p} (${rounds} loads each)`);
    console.log('variant'.padEnd(26), 'median ms'.padStart(10), 'ratio'.padStart(7), 'per-round'.padStart(10), '  IQR'.padEnd(15), 'cpu ms'.padStart(8), 'cpu ratio'.padStart(10));
    for (const c of r.costs[p]) console.log(c.variant.padEnd(26), c.medianMs.toFixed(1).padStart(10), c.ratio.toFixed(3).padStart(7), c.roundRatioMedian.toFixed(3).padStart(10), `  ${c.roundRatioIqr.map((x) => x.toFixed(3)).join('–')}`.padEnd(15), c.cpuMs.toFixed(0).padStart(8), c.cpuRatio.toFixed(3).padStart(10));
  }
}
