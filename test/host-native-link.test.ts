import { describe, expect, it } from 'vitest';
import { startNativeLink, type FindingsBatch, type NativeApi, type NativePort } from '../src/background/native-link';
import type { Finding } from '../src/core/report/finding';

const f = (ruleId: string): Finding => ({
  ruleId,
  severity: 'high',
  confidence: 'strong',
  title: ruleId,
  message: 'm',
  references: [],
  flowId: null,
  evidence: [],
  context: 'tab:1',
  time: 0,
});

class FakePort implements NativePort {
  posted: unknown[] = [];
  disconnected = false;
  private msg: ((m: unknown) => void)[] = [];
  private disc: ((p: NativePort) => void)[] = [];
  onMessage = { addListener: (cb: (m: unknown) => void) => void this.msg.push(cb) };
  onDisconnect = { addListener: (cb: (p: NativePort) => void) => void this.disc.push(cb) };
  postMessage(m: unknown) {
    this.posted.push(m);
  }
  disconnect() {
    this.disconnected = true;
  }
  reply(m: unknown) {
    for (const cb of this.msg) cb(m);
  }
  drop() {
    for (const cb of this.disc) cb(this);
  }
}

function fakeApi(granted: boolean) {
  const ports: FakePort[] = [];
  let lastError: { message: string } | undefined;
  const added: ((p: { permissions?: string[] }) => void)[] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  let hostInstalled = true;
  const api: NativeApi = {
    permissions: {
      contains: (_p, cb) => cb(granted),
      onAdded: { addListener: (cb) => void added.push(cb) },
      onRemoved: { addListener: () => {} },
    },
    runtime: {
      connectNative: (name: string) => {
        expect(name).toBe('dev.coatcheck.companion');
        const p = new FakePort();
        ports.push(p);
        if (!hostInstalled) {
          queueMicrotask(() => {
            lastError = { message: 'Specified native messaging host not found.' };
            p.drop();
            lastError = undefined;
          });
        }
        return p;
      },
      get lastError() {
        return lastError;
      },
      getManifest: () => ({ version: '0.1.0' }),
    },
  };
  return {
    api,
    ports,
    timers,
    grant: () => added.forEach((cb) => cb({ permissions: ['nativeMessaging'] })),
    setInstalled: (v: boolean) => (hostInstalled = v),
    setTimer: (fn: () => void, ms: number) => {
      timers.push({ fn, ms });
      return timers.length - 1;
    },
  };
}

function source() {
  let listener: ((b: FindingsBatch) => void) | undefined;
  return { subscribe: (l: (b: FindingsBatch) => void) => void (listener = l), emit: (b: FindingsBatch) => listener?.(b) };
}

describe('native link', () => {
  it('does nothing without the nativeMessaging permission', () => {
    const fa = fakeApi(false);
    const s = source();
    const link = startNativeLink(s.subscribe, { api: fa.api });
    s.emit({ findings: [f('code-replay')] });
    expect(fa.ports).toHaveLength(0);
    expect(link.status().state).toBe('no-permission');
  });

  it('connects on the first findings, says hello, forwards findings with tab and page, counts acks', () => {
    const fa = fakeApi(true);
    const s = source();
    const link = startNativeLink(s.subscribe, { api: fa.api, setTimer: fa.setTimer, clearTimer: () => {} });
    expect(fa.ports).toHaveLength(0); // lazily: no port before there is something to send
    s.emit({ findings: [f('mixup-iss-mismatch'), f('state-weak')], tabId: 4, pageUrl: 'https://app.example/' });
    expect(fa.ports).toHaveLength(1);
    const p = fa.ports[0];
    expect(p.posted[0]).toEqual({ type: 'hello', version: '0.1.0' });
    expect(p.posted[1]).toMatchObject({ type: 'findings', tabId: 4, pageUrl: 'https://app.example/', findings: [{ ruleId: 'mixup-iss-mismatch' }, { ruleId: 'state-weak' }] });
    p.reply({ type: 'ack', accepted: 2, rejected: 0 });
    expect(link.status()).toMatchObject({ state: 'connected', sent: 2, acked: 2 });
    s.emit({ findings: [f('code-replay')] });
    expect(fa.ports).toHaveLength(1);
    expect(p.posted).toHaveLength(3);
    // idle: the port is closed so that the service worker can sleep, and reopened on demand
    fa.timers.at(-1)!.fn();
    expect(p.disconnected).toBe(true);
    s.emit({ findings: [f('pkce-missing')] });
    expect(fa.ports).toHaveLength(2);
  });

  it('splits large batches into frames of at most 100 findings', () => {
    const fa = fakeApi(true);
    const link = startNativeLink(undefined, { api: fa.api, setTimer: fa.setTimer, clearTimer: () => {} });
    link.send({ findings: Array.from({ length: 250 }, (_, i) => f(`r-${i}`)) });
    const frames = fa.ports[0].posted.slice(1) as { findings: unknown[] }[];
    expect(frames.map((x) => x.findings.length)).toEqual([100, 100, 50]);
  });

  it('goes quiet when the host is not installed and retries only after the back-off', async () => {
    const fa = fakeApi(true);
    fa.setInstalled(false);
    let t = 1000;
    const link = startNativeLink(undefined, { api: fa.api, now: () => t, retryMs: 60_000, setTimer: fa.setTimer, clearTimer: () => {} });
    link.send({ findings: [f('a')] });
    await Promise.resolve();
    expect(link.status()).toMatchObject({ state: 'unavailable', lastError: expect.stringContaining('not found') });
    link.send({ findings: [f('b')] });
    expect(fa.ports).toHaveLength(1);
    fa.setInstalled(true);
    t += 61_000;
    link.send({ findings: [f('c')] });
    expect(fa.ports).toHaveLength(2);
    expect(fa.ports[1].posted[1]).toMatchObject({ findings: [{ ruleId: 'c' }] });
  });

  it('starts working when the permission is granted later, and stop() unsubscribes', () => {
    const fa = fakeApi(false);
    const s = source();
    let unsubscribed = false;
    const link = startNativeLink((l) => {
      s.subscribe(l);
      return () => void (unsubscribed = true);
    }, { api: fa.api, setTimer: fa.setTimer, clearTimer: () => {} });
    s.emit({ findings: [f('a')] });
    expect(fa.ports).toHaveLength(0);
    fa.grant();
    s.emit({ findings: [f('b')] });
    expect(fa.ports).toHaveLength(1);
    link.stop();
    expect(unsubscribed).toBe(true);
    expect(fa.ports[0].disconnected).toBe(true);
    link.send({ findings: [f('c')] });
    expect(fa.ports).toHaveLength(1);
  });

  it('survives a missing chrome API', () => {
    const link = startNativeLink(undefined, { api: { runtime: {} } });
    link.send({ findings: [f('a')] });
    expect(link.status().state).toBe('no-permission');
  });
});
