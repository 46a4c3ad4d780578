import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeFrame, FrameDecoder } from './native-messaging';

function frame(msg: unknown): Uint8Array {
  const r = encodeFrame(msg);
  if (!r.ok) throw new Error(r.error.message);
  return r.bytes;
}

function rawFrame(len: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setUint32(0, len, true);
  out.set(body, 4);
  return out;
}

describe('native messaging framing', () => {
  it('writes a little-endian 32-bit length before UTF-8 JSON', () => {
    const bytes = frame({ a: 'é' });
    const json = '{"a":"é"}';
    const len = new TextEncoder().encode(json).length;
    expect(Array.from(bytes.subarray(0, 4))).toEqual([len, 0, 0, 0]);
    expect(new TextDecoder().decode(bytes.subarray(4))).toBe(json);
  });

  it('decodes several frames from one chunk and a frame split across chunks', () => {
    const d = new FrameDecoder();
    const a = frame({ n: 1 });
    const b = frame({ n: 2, s: 'x'.repeat(300) });
    const both = new Uint8Array(a.length + b.length);
    both.set(a);
    both.set(b, a.length);
    expect(d.push(both)).toEqual([{ ok: true, message: { n: 1 } }, { ok: true, message: { n: 2, s: 'x'.repeat(300) } }]);
    const c = frame({ n: 3 });
    expect(d.push(c.subarray(0, 2))).toEqual([]);
    expect(d.push(c.subarray(2, 7))).toEqual([]);
    expect(d.push(c.subarray(7))).toEqual([{ ok: true, message: { n: 3 } }]);
    expect(d.end()).toEqual([]);
  });

  it('round-trips any JSON value split at any byte boundary', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 8 }), (msgs, cuts) => {
        const parts = msgs.map(frame);
        const total = parts.reduce((n, p) => n + p.length, 0);
        const all = new Uint8Array(total);
        let off = 0;
        for (const p of parts) {
          all.set(p, off);
          off += p.length;
        }
        const points = [...new Set(cuts.map((c) => c % (total + 1)))].sort((x, y) => x - y);
        const d = new FrameDecoder();
        const got: unknown[] = [];
        let prev = 0;
        for (const p of [...points, total]) {
          for (const r of d.push(all.subarray(prev, p))) {
            expect(r.ok).toBe(true);
            if (r.ok) got.push(r.message);
          }
          prev = p;
        }
        expect(d.end()).toEqual([]);
        // JSON normalises -0 to 0
        expect(got).toEqual(JSON.parse(JSON.stringify(msgs)));
      }),
    );
  });

  it('reports a truncated frame at end of input (length prefix and body)', () => {
    const d = new FrameDecoder();
    const f = frame({ hello: 'world' });
    expect(d.push(f.subarray(0, f.length - 3))).toEqual([]);
    const end = d.end();
    expect(end).toHaveLength(1);
    expect(end[0]).toMatchObject({ ok: false, error: { code: 'FRAME_TRUNCATED' } });

    const d2 = new FrameDecoder();
    d2.push(new Uint8Array([5, 0]));
    expect(d2.end()[0]).toMatchObject({ ok: false, error: { code: 'FRAME_TRUNCATED', message: expect.stringContaining('length bytes') } });
  });

  it('refuses an oversized frame before buffering it and stops decoding', () => {
    const d = new FrameDecoder(1024);
    const r = d.push(rawFrame(0xfffffff0, new Uint8Array(10)));
    expect(r).toHaveLength(1);
    expect(r[0]).toMatchObject({ ok: false, error: { code: 'FRAME_TOO_LARGE' } });
    expect(d.failed).toBe(true);
    expect(d.pending).toBe(0);
    expect(d.push(frame({ later: true }))).toEqual([]);
  });

  it('accepts a frame exactly at the limit', () => {
    const body = new TextEncoder().encode(JSON.stringify('y'.repeat(98)));
    expect(body.length).toBe(100);
    const d = new FrameDecoder(100);
    expect(d.push(rawFrame(100, body))).toEqual([{ ok: true, message: 'y'.repeat(98) }]);
  });

  it('reports invalid JSON and invalid UTF-8 as values and keeps decoding', () => {
    const d = new FrameDecoder();
    const bad = rawFrame(3, new TextEncoder().encode('{x}'));
    const badUtf8 = rawFrame(2, new Uint8Array([0xc3, 0x28]));
    const good = frame([1]);
    const all = new Uint8Array(bad.length + badUtf8.length + good.length);
    all.set(bad);
    all.set(badUtf8, bad.length);
    all.set(good, bad.length + badUtf8.length);
    const r = d.push(all);
    expect(r.map((x) => (x.ok ? 'ok' : x.error.code))).toEqual(['FRAME_INVALID_JSON', 'FRAME_INVALID_UTF8', 'ok']);
  });

  it('refuses to encode a message above the outgoing limit or one that is not JSON', () => {
    expect(encodeFrame({ s: 'z'.repeat(2000) }, 1000)).toMatchObject({ ok: false, error: { code: 'FRAME_TOO_LARGE' } });
    expect(encodeFrame(undefined)).toMatchObject({ ok: false, error: { code: 'FRAME_INVALID_JSON' } });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(encodeFrame(cyclic)).toMatchObject({ ok: false, error: { code: 'FRAME_INVALID_JSON' } });
  });
});
