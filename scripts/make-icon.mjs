#!/usr/bin/env node
// Draws the extension icon, images/icon.png (128x128 RGBA): a white padlock on Kubernetes blue, with a
// small heptagon (the Kubernetes wheel's shape) as the keyhole plate. No dependencies: shapes are
// signed-distance functions, 4x4 supersampled, written with node:zlib as a PNG.
//
//   node scripts/make-icon.mjs [out.png]
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const SIZE = 128;
const SS = 4;
const BLUE = [50, 108, 229]; // #326CE5
const DARK = [28, 64, 150];
const WHITE = [255, 255, 255];

const roundedBox = (x, y, cx, cy, hw, hh, r) => {
  const qx = Math.abs(x - cx) - (hw - r);
  const qy = Math.abs(y - cy) - (hh - r);
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
};
const circle = (x, y, cx, cy, r) => Math.hypot(x - cx, y - cy) - r;
const polygon = (x, y, cx, cy, r, n, rot) => {
  // Distance-ish to a regular polygon (inside < 0): max over the edge half-planes.
  const apothem = r * Math.cos(Math.PI / n);
  let d = -Infinity;
  for (let i = 0; i < n; i++) {
    const a = rot + ((i + 0.5) * 2 * Math.PI) / n;
    d = Math.max(d, (x - cx) * Math.cos(a) + (y - cy) * Math.sin(a) - apothem);
  }
  return d;
};

/** Colour at a point (sub-pixel), or null for transparent. */
function shade(x, y) {
  if (roundedBox(x, y, 64, 64, 62, 62, 22) > 0) return null;
  // The shackle: a ring of radius 17..27 around (64, 50), upper half plus straight legs down into the body.
  const dist = y < 50 ? Math.hypot(x - 64, y - 50) : Math.abs(x - 64);
  const shackle = y <= 52 && dist >= 17 && dist <= 27;
  const body = roundedBox(x, y, 64, 80, 38, 30, 8) <= 0;
  if (body) {
    // Keyhole plate: a heptagon, with a keyhole (circle + slot) in it.
    const plate = polygon(x, y, 64, 78, 17, 7, -Math.PI / 2) <= 0;
    if (plate) {
      const hole = circle(x, y, 64, 74, 5.5) <= 0 || roundedBox(x, y, 64, 84, 2.8, 9, 1) <= 0;
      return hole ? WHITE : BLUE;
    }
    return WHITE;
  }
  if (shackle) return WHITE;
  // A darker lower band gives the background some depth.
  return y > 100 ? DARK.map((c, i) => Math.round(c + (BLUE[i] - c) * Math.max(0, (118 - y) / 18))) : BLUE;
}

function render() {
  const rgba = Buffer.alloc(SIZE * SIZE * 4);
  for (let py = 0; py < SIZE; py++) {
    for (let px = 0; px < SIZE; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < SS; sy++) {
        for (let sx = 0; sx < SS; sx++) {
          const c = shade(px + (sx + 0.5) / SS, py + (sy + 0.5) / SS);
          if (!c) continue;
          r += c[0];
          g += c[1];
          b += c[2];
          a++;
        }
      }
      const o = (py * SIZE + px) * 4;
      if (a) {
        rgba[o] = Math.round(r / a);
        rgba[o + 1] = Math.round(g / a);
        rgba[o + 2] = Math.round(b / a);
      }
      rgba[o + 3] = Math.round((255 * a) / (SS * SS));
    }
  }
  return rgba;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

export function iconPng() {
  const rgba = render();
  const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1));
  for (let y = 0; y < SIZE; y++) rgba.copy(raw, y * (SIZE * 4 + 1) + 1, y * SIZE * 4, (y + 1) * SIZE * 4);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(SIZE, 0);
  ihdr.writeUInt32BE(SIZE, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'images', 'icon.png'));
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, iconPng());
  console.log(`wrote ${out}`);
}
