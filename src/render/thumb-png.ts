// Small page thumbnails: pixels (RGBA or RGB, 8 bits) → an indexed-colour PNG of a few KB. Each
// channel is posterised so the image has at most 256 colours (16 grey levels keep antialiased ink
// and printed text smooth; coloured pixels get fewer levels per channel), then written as a
// palette PNG of 1, 2, 4 or 8 bits per pixel, each row with the PNG filter that compresses best by
// the usual minimum-sum heuristic, and deflated at the highest level. Written from the PNG
// specification (W3C PNG, 2nd edition): signature, IHDR, PLTE, IDAT, IEND; CRC-32 over type+data.
import { deflateSync } from "node:zlib";

export interface Pixels {
  width: number;
  height: number;
  /** 1 (grey), 3 (RGB) or 4 (RGBA, alpha ignored: thumbnails are drawn on white). */
  channels: 1 | 3 | 4;
  data: Uint8Array | Uint8ClampedArray;
  /** Bytes per row (default width × channels). */
  stride?: number;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

let crcTable: Uint32Array | null = null;
function crc32(bytes: Uint8Array, start: number, end: number): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = crcTable[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out, 4, 8 + data.length));
  return out;
}

const level = (v: number, n: number) => Math.round((Math.round((v * (n - 1)) / 255) * 255) / (n - 1));

/**
 * Map every pixel to a palette index: greys (channels within a few steps of each other) to 16
 * levels, colours to `colourLevels` levels per channel. Returns null when that gives more than 256
 * colours (the caller retries with fewer colour levels).
 */
function quantise(px: Pixels, colourLevels: number): { palette: number[]; index: Uint8Array } | null {
  const { width, height, channels, data } = px;
  const stride = px.stride ?? width * channels;
  const colours = new Map<number, number>();
  const palette: number[] = [];
  const index = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    let i = y * stride;
    for (let x = 0; x < width; x++, i += channels) {
      const r = data[i]!;
      const g = channels === 1 ? r : data[i + 1]!;
      const b = channels === 1 ? r : data[i + 2]!;
      let key: number;
      if (Math.abs(r - g) <= 10 && Math.abs(g - b) <= 10 && Math.abs(r - b) <= 10) {
        const v = level((r * 299 + g * 587 + b * 114) / 1000, 16);
        key = (v << 16) | (v << 8) | v;
      } else key = (level(r, colourLevels) << 16) | (level(g, colourLevels) << 8) | level(b, colourLevels);
      let n = colours.get(key);
      if (n === undefined) {
        if (palette.length === 256) return null;
        n = palette.length;
        colours.set(key, n);
        palette.push(key);
      }
      index[y * width + x] = n;
    }
  }
  return { palette, index };
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Encode `px` as a small palette PNG (see the file comment). */
export function encodeThumbPng(px: Pixels): Uint8Array {
  const { width, height } = px;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) throw new Error("thumbnail: empty image");
  const q = quantise(px, 6) ?? quantise(px, 4) ?? quantise(px, 3)!; // 16 greys + 3³ colours always fit
  const n = q.palette.length;
  const depth = n <= 2 ? 1 : n <= 4 ? 2 : n <= 16 ? 4 : 8;
  const perByte = 8 / depth;
  const rowBytes = Math.ceil(width / perByte);
  // Pack the indices, row by row.
  const packed = new Uint8Array(rowBytes * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = q.index[y * width + x]!;
      const at = y * rowBytes + Math.floor(x / perByte);
      packed[at] = packed[at]! | (v << (8 - depth * ((x % perByte) + 1)));
    }
  }
  // Filter each row (bpp = 1 byte for palette images), choosing by the minimum sum of |bytes|.
  const raw = new Uint8Array((rowBytes + 1) * height);
  const trial = new Uint8Array(rowBytes);
  for (let y = 0; y < height; y++) {
    const row = packed.subarray(y * rowBytes, (y + 1) * rowBytes);
    const prev = y > 0 ? packed.subarray((y - 1) * rowBytes, y * rowBytes) : null;
    let best = -1;
    let bestSum = Infinity;
    for (let f = 0; f < 5; f++) {
      let sum = 0;
      for (let i = 0; i < rowBytes; i++) {
        const a = i > 0 ? row[i - 1]! : 0;
        const b = prev ? prev[i]! : 0;
        const c = prev && i > 0 ? prev[i - 1]! : 0;
        const pred = f === 0 ? 0 : f === 1 ? a : f === 2 ? b : f === 3 ? (a + b) >> 1 : paeth(a, b, c);
        const v = (row[i]! - pred) & 0xff;
        sum += v < 128 ? v : 256 - v;
      }
      if (sum < bestSum) {
        bestSum = sum;
        best = f;
      }
    }
    const out = raw.subarray(y * (rowBytes + 1), (y + 1) * (rowBytes + 1));
    out[0] = best;
    for (let i = 0; i < rowBytes; i++) {
      const a = i > 0 ? row[i - 1]! : 0;
      const b = prev ? prev[i]! : 0;
      const c = prev && i > 0 ? prev[i - 1]! : 0;
      const pred = best === 0 ? 0 : best === 1 ? a : best === 2 ? b : best === 3 ? (a + b) >> 1 : paeth(a, b, c);
      trial[i] = (row[i]! - pred) & 0xff;
    }
    out.set(trial, 1);
  }
  const ihdr = new Uint8Array(13);
  const hv = new DataView(ihdr.buffer);
  hv.setUint32(0, width);
  hv.setUint32(4, height);
  ihdr[8] = depth;
  ihdr[9] = 3; // indexed colour
  // compression 0, filter method 0, no interlace
  const plte = new Uint8Array(n * 3);
  q.palette.forEach((c, i) => {
    plte[i * 3] = (c >> 16) & 0xff;
    plte[i * 3 + 1] = (c >> 8) & 0xff;
    plte[i * 3 + 2] = c & 0xff;
  });
  const parts = [new Uint8Array(SIGNATURE), chunk("IHDR", ihdr), chunk("PLTE", plte), chunk("IDAT", new Uint8Array(deflateSync(raw, { level: 9, memLevel: 9 }))), chunk("IEND", new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
