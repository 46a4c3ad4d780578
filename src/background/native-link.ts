/**
 * Forward findings to the companion's native messaging host (`coatcheck host install`), when the
 * user granted the optional `nativeMessaging` permission. Silent when the permission is missing or
 * the host is not installed: the extension works the same without it.
 *
 * The background calls `startNativeLink(subscribe)` once at start-up, where `subscribe(listener)`
 * registers a callback for every batch of new findings (already redacted per the user's settings)
 * and returns an unsubscribe function.
 */
import type { Finding } from '../core';

export const NATIVE_HOST_NAME = 'dev.coatcheck.companion';

export interface FindingsBatch {
  findings: Finding[];
  tabId?: number;
  pageUrl?: string;
}

export type FindingsSubscribe = (listener: (batch: FindingsBatch) => void) => (() => void) | void;

/** The parts of the chrome API the link uses (injectable for tests). */
export interface NativeApi {
  permissions?: {
    contains(p: { permissions: string[] }, cb: (granted: boolean) => void): void;
    onAdded?: { addListener(cb: (p: { permissions?: string[] }) => void): void };
    onRemoved?: { addListener(cb: (p: { permissions?: string[] }) => void): void };
  };
  runtime: {
    connectNative?(application: string): NativePort;
    readonly lastError?: { message?: string } | undefined;
    getManifest?(): { version?: string };
  };
}

export interface NativePort {
  postMessage(m: unknown): void;
  disconnect(): void;
  onMessage: { addListener(cb: (m: unknown) => void): void };
  onDisconnect: { addListener(cb: (p: NativePort) => void): void };
}

export type LinkState = 'no-permission' | 'idle' | 'connecting' | 'connected' | 'unavailable' | 'stopped';

export interface NativeLinkStatus {
  state: LinkState;
  sent: number;
  acked: number;
  lastError?: string;
}

export interface NativeLinkOptions {
  api?: NativeApi;
  hostName?: string;
  /** close an idle port after this long, so the service worker may sleep (default 30 s) */
  idleMs?: number;
  /** after the host was found missing, try again no sooner than this (default 60 s) */
  retryMs?: number;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
}

export interface NativeLink {
  status(): NativeLinkStatus;
  /** send one batch now (the subscribe callback calls this) */
  send(batch: FindingsBatch): void;
  stop(): void;
}

const MAX_QUEUE = 500;
const CHUNK = 100;

export function startNativeLink(subscribe: FindingsSubscribe | undefined, opts: NativeLinkOptions = {}): NativeLink {
  const api: NativeApi | undefined = opts.api ?? (typeof chrome !== 'undefined' ? (chrome as unknown as NativeApi) : undefined);
  const host = opts.hostName ?? NATIVE_HOST_NAME;
  const idleMs = opts.idleMs ?? 30_000;
  const retryMs = opts.retryMs ?? 60_000;
  const now = opts.now ?? (() => Date.now());
  const setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = opts.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>));

  let state: LinkState = 'no-permission';
  let granted = false;
  let port: NativePort | undefined;
  let queue: FindingsBatch[] = [];
  let queued = 0;
  let sent = 0;
  let acked = 0;
  let lastError: string | undefined;
  let failedAt = -Infinity;
  let idleTimer: unknown;

  const setIdle = () => {
    if (idleTimer !== undefined) clearTimer(idleTimer);
    idleTimer = setTimer(() => {
      idleTimer = undefined;
      if (port && queue.length === 0) {
        try {
          port.disconnect();
        } catch {
          /* already gone */
        }
        port = undefined;
        if (state === 'connected' || state === 'connecting') state = 'idle';
      }
    }, idleMs);
  };

  const flush = () => {
    if (!port) return;
    const batches = queue;
    queue = [];
    queued = 0;
    for (const b of batches) {
      for (let i = 0; i < b.findings.length; i += CHUNK) {
        const msg = { type: 'findings', findings: b.findings.slice(i, i + CHUNK), ...(b.tabId !== undefined ? { tabId: b.tabId } : {}), ...(b.pageUrl ? { pageUrl: b.pageUrl } : {}) };
        try {
          port.postMessage(msg);
          sent += msg.findings.length;
        } catch (e) {
          lastError = e instanceof Error ? e.message : String(e);
        }
      }
    }
    setIdle();
  };

  const connect = () => {
    if (port || !granted || state === 'stopped') return;
    if (state === 'unavailable' && now() - failedAt < retryMs) return;
    const connectNative = api?.runtime.connectNative;
    if (!connectNative) {
      state = 'unavailable';
      lastError = 'connectNative is not available';
      failedAt = now();
      return;
    }
    let p: NativePort;
    try {
      p = connectNative.call(api!.runtime, host);
    } catch (e) {
      state = 'unavailable';
      lastError = e instanceof Error ? e.message : String(e);
      failedAt = now();
      queue = [];
      queued = 0;
      return;
    }
    port = p;
    state = 'connecting';
    p.onMessage.addListener((m) => {
      const msg = m as { type?: string; accepted?: number } | null;
      if (msg?.type === 'hello') state = 'connected';
      if (msg?.type === 'ack') {
        state = 'connected';
        acked += typeof msg.accepted === 'number' ? msg.accepted : 0;
      }
    });
    p.onDisconnect.addListener(() => {
      // reading lastError marks it checked (Chrome logs "Unchecked runtime.lastError" otherwise)
      const err = api?.runtime.lastError?.message;
      if (port !== p) return;
      port = undefined;
      if (err) {
        lastError = err;
        state = 'unavailable';
        failedAt = now();
        queue = [];
        queued = 0;
      } else if (state !== 'stopped') state = 'idle';
    });
    try {
      p.postMessage({ type: 'hello', version: api?.runtime.getManifest?.().version });
    } catch {
      /* the disconnect handler reports it */
    }
    flush();
  };

  const send = (batch: FindingsBatch) => {
    if (state === 'stopped' || !granted || !batch || !Array.isArray(batch.findings) || batch.findings.length === 0) return;
    if (state === 'unavailable' && now() - failedAt < retryMs) return;
    queue.push(batch);
    queued += batch.findings.length;
    while (queued > MAX_QUEUE && queue.length > 1) queued -= queue.shift()!.findings.length;
    if (port) flush();
    else connect();
  };

  const onGranted = () => {
    granted = true;
    if (state === 'no-permission') state = 'idle';
  };

  const perms = api?.permissions;
  if (perms) {
    try {
      perms.contains({ permissions: ['nativeMessaging'] }, (ok) => {
        void api?.runtime.lastError;
        if (ok && state !== 'stopped') onGranted();
      });
    } catch {
      /* Firefox without the API in this context */
    }
    perms.onAdded?.addListener((p) => {
      if (p.permissions?.includes('nativeMessaging') && state !== 'stopped') {
        onGranted();
        failedAt = -Infinity;
        if (state === 'unavailable') state = 'idle';
      }
    });
    perms.onRemoved?.addListener((p) => {
      if (!p.permissions?.includes('nativeMessaging')) return;
      granted = false;
      queue = [];
      queued = 0;
      if (port) {
        try {
          port.disconnect();
        } catch {
          /* gone */
        }
        port = undefined;
      }
      if (state !== 'stopped') state = 'no-permission';
    });
  }

  const unsubscribe: (() => void) | void = subscribe?.((b) => send(b));

  return {
    status: () => ({ state, sent, acked, ...(lastError ? { lastError } : {}) }),
    send,
    stop: () => {
      state = 'stopped';
      if (typeof unsubscribe === 'function') unsubscribe();
      if (idleTimer !== undefined) clearTimer(idleTimer);
      if (port) {
        try {
          port.disconnect();
        } catch {
          /* gone */
        }
      }
      port = undefined;
    },
  };
}

/**
 * Ask for the optional `nativeMessaging` permission. Call it from a click handler in an extension
 * page (options or popup): browsers only show the prompt for a user gesture. Resolves false when
 * refused or when the browser has no permissions API.
 */
export function requestNativeMessaging(api: NativeApi | undefined = typeof chrome !== 'undefined' ? (chrome as unknown as NativeApi) : undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const perms = api?.permissions as (NativeApi['permissions'] & { request?(p: { permissions: string[] }, cb: (granted: boolean) => void): void }) | undefined;
    if (!perms?.request) return resolve(false);
    try {
      perms.request({ permissions: ['nativeMessaging'] }, (granted) => {
        void api?.runtime.lastError;
        resolve(granted === true);
      });
    } catch {
      resolve(false);
    }
  });
}
