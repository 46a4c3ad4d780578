/**
 * Test builders: observations as a browser or a HAR would produce them, without the noise.
 * Pure TypeScript (no vitest import) so e2e helpers and benchmarks can use them too.
 */
import { Engine, type EngineOptions } from '../engine';
import type { Header, Observation, ResourceType } from '../observe/observation';
import type { Finding } from '../report/finding';

let counter = 0;
const T0 = Date.UTC(2026, 0, 15, 10, 0, 0);

export interface ObsInit {
  context?: string;
  /** seconds after T0 (default: one second after the previous observation built) */
  at?: number;
  method?: string;
  type?: ResourceType;
  initiator?: string;
  referer?: string;
  headers?: Record<string, string>;
  form?: Record<string, string> | [string, string][];
  body?: string;
  status?: number;
  location?: string;
  responseHeaders?: Record<string, string>;
  responseBody?: string | object;
  transition?: { type: string; qualifiers: string[] };
  navigationOnly?: boolean;
}

let clock = 0;

export function resetBuilders(): void {
  counter = 0;
  clock = 0;
}

function hdrs(h: Record<string, string> | undefined): Header[] {
  return Object.entries(h ?? {}).map(([name, value]) => ({ name, value }));
}

/** An observation of `url` (a main-frame GET navigation unless told otherwise). */
export function obs(url: string, init: ObsInit = {}): Observation {
  counter += 1;
  clock = init.at ?? clock + 1;
  const requestHeaders = hdrs(init.headers);
  if (init.referer) requestHeaders.push({ name: 'Referer', value: init.referer });
  const form = init.form ? (Array.isArray(init.form) ? init.form : Object.entries(init.form)) : undefined;
  return {
    id: `t${counter}`,
    ref: { input: 0, entry: counter - 1 },
    context: init.context ?? 'tab:1',
    time: T0 + clock * 1000,
    url,
    method: init.method ?? (form ? 'POST' : 'GET'),
    type: init.type ?? 'main_frame',
    initiator: init.initiator,
    requestHeaders,
    requestBody: form ? { form, mimeType: 'application/x-www-form-urlencoded' } : init.body !== undefined ? { text: init.body } : undefined,
    status: init.status ?? (init.location ? 302 : 200),
    responseHeaders: hdrs(init.responseHeaders),
    location: init.location,
    responseBody: typeof init.responseBody === 'object' ? JSON.stringify(init.responseBody) : init.responseBody,
    transition: init.transition,
    navigationOnly: init.navigationOnly,
  };
}

/** A redirect: `from` answered 302 with Location `to`; returns [redirect, followed request]. */
export function redirect(from: string, to: string, init: ObsInit = {}, next: ObsInit = {}): Observation[] {
  const a = obs(from, { ...init, location: to });
  const b = obs(to.split('#')[0], { context: init.context, ...next });
  return [a, b];
}

/** A back-channel POST (token endpoint, PAR, revocation…). */
export function post(url: string, form: Record<string, string>, init: ObsInit = {}): Observation {
  return obs(url, { type: 'fetch', method: 'POST', form, ...init });
}

export function q(params: Record<string, string | undefined>): string {
  return Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v!)}`)
    .join('&');
}

/** Run observations through a fresh engine (all rules unless given) and return every finding. */
export function run(observations: Observation[], opts: EngineOptions = {}): { findings: Finding[]; engine: Engine } {
  const engine = new Engine(opts);
  for (const o of observations) engine.push(o);
  engine.finish();
  return { findings: [...engine.findings], engine };
}

/** A high-entropy random-looking value (deterministic per seed) for states, codes, verifiers. */
export function rand(seed: string, length = 32): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let h = 2166136261;
  for (const ch of seed) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  let out = '';
  for (let i = 0; i < length; i++) {
    h = Math.imul(h ^ (h >>> 13), 1274126177) ^ i;
    out += alphabet[(h >>> 7) & 63];
  }
  return out;
}
