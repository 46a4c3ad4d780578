/** The extension pages' side of the runtime messages (src/background/settings.ts Message). */
import browser from 'webextension-polyfill';
import { diagramHops, type Finding, type Flow } from '../core';
import type { Message, Settings } from '../background/settings';

export async function ask<T>(msg: Message): Promise<T> {
  return (await browser.runtime.sendMessage(msg)) as T;
}

export const getFindings = (tabId?: number) => ask<{ findings: Finding[] }>({ type: 'getFindings', tabId }).then((r) => r?.findings ?? []);
export const getFlows = (tabId?: number) => ask<{ flows: Flow[] }>({ type: 'getFlows', tabId }).then((r) => r?.flows ?? []);
export const getHops = (tabId?: number) => ask<{ hops: unknown }>({ type: 'getHops', tabId }).then((r) => diagramHops(r?.hops));
export const getSettings = () => ask<{ settings: Settings }>({ type: 'getSettings' }).then((r) => r.settings);
export const setSettings = (settings: Partial<Settings>) => ask<{ settings: Settings }>({ type: 'setSettings', settings }).then((r) => r.settings);

export async function download(format: 'json' | 'sarif' | 'har', tabId?: number): Promise<void> {
  const r = await ask<{ filename: string; mime: string; content: string }>({ type: 'export', format, tabId });
  const url = URL.createObjectURL(new Blob([r.content], { type: r.mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = r.filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 5000);
}

/** The tab the page is about: `?tab=<id>`, else the active tab of the current window. */
export async function targetTab(): Promise<number | undefined> {
  const p = new URLSearchParams(location.search).get('tab');
  if (p !== null && /^\d+$/.test(p)) return Number(p);
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
  return tab?.id;
}
