/**
 * Where the panel's data comes from:
 * - live, in DevTools: `chrome.devtools.network` (every finished request with its body → the
 *   panel's own engine) plus the background's findings and flows for the inspected tab;
 * - test mode, as a plain extension page: `?tab=<id>` reads the background only, `?har=<url>`
 *   fetches a HAR and analyses it offline (DevTools itself cannot be automated headless);
 * - an imported HAR file (the Import button), offline.
 */
import { diagramHops, type DiagramHop, type Finding, type Flow } from '../../core';
import { wantsBody } from '../model/capture';
import { normalizeFindings, normalizeFlows } from '../model/timeline';

export interface PanelParams {
  tabId?: number;
  harUrl?: string;
  theme?: 'dark' | 'light';
  /** running inside DevTools */
  devtools: boolean;
}

type DevtoolsApi = typeof chrome.devtools;

export function devtoolsApi(): DevtoolsApi | undefined {
  try {
    return typeof chrome !== 'undefined' && chrome.devtools && chrome.devtools.inspectedWindow ? chrome.devtools : undefined;
  } catch {
    return undefined;
  }
}

export function readParams(search: string): PanelParams {
  const q = new URLSearchParams(search);
  const dt = devtoolsApi();
  const tabParam = q.get('tab');
  const tabId = tabParam !== null && /^\d+$/.test(tabParam) ? Number(tabParam) : dt?.inspectedWindow.tabId;
  const themeQ = q.get('theme');
  const theme = themeQ === 'dark' || themeQ === 'light' ? themeQ : dt?.panels.themeName === 'dark' ? 'dark' : dt ? 'light' : undefined;
  return { tabId, harUrl: q.get('har') ?? undefined, theme, devtools: !!dt && tabParam === null };
}

/** Ask the background (extension helper's message API). Resolves undefined when it is not there. */
export function askBackground<T>(message: Record<string, unknown>): Promise<T | undefined> {
  return new Promise((resolve) => {
    try {
      if (typeof chrome === 'undefined' || !chrome.runtime?.sendMessage) return resolve(undefined);
      chrome.runtime.sendMessage(message, (reply: T) => {
        void chrome.runtime.lastError;
        resolve(reply);
      });
    } catch {
      resolve(undefined);
    }
  });
}

export async function backgroundState(tabId: number | undefined): Promise<{ findings: Finding[]; flows: Flow[]; hops: DiagramHop[]; reachable: boolean }> {
  const [f, fl, h] = await Promise.all([
    askBackground<{ findings?: Finding[] }>({ type: 'getFindings', ...(tabId !== undefined ? { tabId } : {}) }),
    askBackground<{ flows?: Flow[] }>({ type: 'getFlows', ...(tabId !== undefined ? { tabId } : {}) }),
    // the tab's navigations: the flow diagrams' interaction pages at an AS
    askBackground<{ hops?: unknown }>({ type: 'getHops', ...(tabId !== undefined ? { tabId } : {}) }),
  ]);
  return {
    findings: normalizeFindings(f?.findings),
    flows: normalizeFlows(fl?.flows),
    hops: diagramHops(h?.hops),
    reachable: f !== undefined || fl !== undefined,
  };
}

type HarRequest = chrome.devtools.network.Request;

/** Feed every finished request, with its body, to `onEntry`. Returns an unsubscribe function. */
export function listenNetwork(onEntry: (entry: unknown) => void): () => void {
  const dt = devtoolsApi();
  if (!dt) return () => {};
  const listener = (req: HarRequest) => {
    const withBody = (body: string | null, encoding: string | undefined) => {
      const content = { ...(req.response?.content ?? {}), ...(body !== null && body !== undefined ? { text: body } : {}), ...(encoding ? { encoding } : {}) };
      // the HAR entry object carries a getContent method: copy the plain data
      const { getContent: _g, ...plain } = req as HarRequest & { getContent?: unknown };
      onEntry({ ...plain, response: { ...req.response, content } });
    };
    if (!wantsBody(req)) return withBody(null, undefined);
    try {
      req.getContent((body, encoding) => withBody(body, encoding));
    } catch {
      withBody(null, undefined);
    }
  };
  dt.network.onRequestFinished.addListener(listener);
  return () => dt.network.onRequestFinished.removeListener(listener);
}

/** Requests that finished before the panel opened (no bodies: DevTools does not keep them for getHAR). */
export function existingEntries(): Promise<unknown[]> {
  const dt = devtoolsApi();
  if (!dt) return Promise.resolve([]);
  return new Promise((resolve) => {
    try {
      dt.network.getHAR((har) => resolve(Array.isArray(har?.entries) ? (har.entries as unknown[]) : []));
    } catch {
      resolve([]);
    }
  });
}

export async function fetchJson(url: string): Promise<unknown> {
  const r = await fetch(url, { credentials: 'omit', cache: 'no-store', redirect: 'error', headers: { accept: 'application/json' } });
  if (!r.ok) throw new Error(`HTTP ${r.status}`);
  return r.json();
}

export async function fetchText(url: string): Promise<string> {
  const r = await fetch(url, { credentials: 'omit', cache: 'no-store' });
  if (!r.ok) throw new Error(`HTTP ${r.status}`);
  return r.text();
}

export function download(name: string, text: string | Blob, type = 'application/json'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 5000);
}

export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // DevTools panels may refuse the async clipboard: fall back to a selection copy
    const ta = document.createElement('textarea');
    ta.value = text;
    document.body.appendChild(ta);
    ta.select();
    const ok = document.execCommand('copy');
    ta.remove();
    return ok;
  }
}
