#!/usr/bin/env node
// Draws the extension icons (a coat-hanger hook over a check mark, on a dark tile) as PNGs into
// public/. Pure Node (zlib): run once, the PNGs are committed.
import { deflateSync } from 'node:zlib';
import { writeFileSync, mkdirSync } from 'node:fs';

function crc32(buf) {
  let c, crc = 0xffffffff;
  for (const b of buf) {
    c = (crc ^ b) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function png(size, pixel) {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) raw.set(pixel(x / size, y / size), y * (size * 4 + 1) + 1 + x * 4);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0); ihdr.writeUInt32BE(size, 4); ihdr[8] = 8; ihdr[9] = 6;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
const dist = (px, py, ax, ay, bx, by) => {
  const dx = bx - ax, dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
};
function pixel(x, y) {
  const r = 0.18, inside = (() => { const cx = Math.min(Math.max(x, r), 1 - r), cy = Math.min(Math.max(y, r), 1 - r); return Math.hypot(x - cx, y - cy) <= r; })();
  if (!inside) return [0, 0, 0, 0];
  const w = 0.07;
  // hanger: triangle shoulders + hook
  const hanger = Math.min(dist(x, y, 0.5, 0.42, 0.18, 0.7), dist(x, y, 0.5, 0.42, 0.82, 0.7), dist(x, y, 0.18, 0.7, 0.82, 0.7)) < w / 1.6;
  const hook = Math.abs(Math.hypot(x - 0.5, y - 0.27) - 0.09) < w / 2 && !(y > 0.27 && x < 0.5);
  if (hanger || hook) return [236, 240, 245, 255];
  // check mark
  const check = Math.min(dist(x, y, 0.36, 0.56, 0.47, 0.65), dist(x, y, 0.47, 0.65, 0.66, 0.5)) < w / 1.7;
  if (check) return [80, 220, 140, 255];
  return [32, 44, 64, 255];
}
mkdirSync('public', { recursive: true });
for (const s of [16, 32, 48, 128]) writeFileSync(`public/icon-${s}.png`, png(s, pixel));
console.log('icons written');
