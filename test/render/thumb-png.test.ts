// The thumbnail PNG encoder (src/render/thumb-png.ts), decoded by an independent decoder (MuPDF's):
// every palette size (1, 2, 4 and 8 bits per pixel), odd widths (packed rows), RGB, RGBA and grey
// input; greys keep 16 levels, colours a few per channel.
import { describe, expect, test } from "bun:test";
import { loadMupdf } from "../../src/render/png-underlay.ts";
import { encodeThumbPng, type Pixels } from "../../src/render/thumb-png.ts";

async function decode(png: Uint8Array): Promise<{ width: number; height: number; rgb: Uint8Array }> {
  const mupdf = await loadMupdf();
  const img = new mupdf.Image(png);
  const pix = img.toPixmap();
  try {
    const n = pix.getNumberOfComponents() + (pix.getAlpha() ? 1 : 0);
    const w = pix.getWidth();
    const h = pix.getHeight();
    const src = pix.getPixels();
    const stride = pix.getStride();
    const rgb = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) for (let k = 0; k < 3; k++) rgb[(y * w + x) * 3 + k] = src[y * stride + x * n + (n >= 3 ? k : 0)]!;
    return { width: w, height: h, rgb };
  } finally {
    pix.destroy();
    img.destroy();
  }
}

function image(width: number, height: number, channels: 1 | 3 | 4, colour: (x: number, y: number) => [number, number, number]): Pixels {
  const data = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const c = colour(x, y);
      const o = (y * width + x) * channels;
      if (channels === 1) data[o] = c[0];
      else {
        data.set(c, o);
        if (channels === 4) data[o + 3] = 255;
      }
    }
  return { width, height, channels, data };
}

const depth = (png: Uint8Array) => png[24];

describe("thumbnail PNG encoder", () => {
  test("two colours: 1 bit per pixel, exact", async () => {
    const px = image(13, 7, 3, (x, y) => ((x + y) % 3 ? [255, 255, 255] : [0, 0, 0]));
    const png = encodeThumbPng(px);
    expect(depth(png)).toBe(1);
    const out = await decode(png);
    expect([out.width, out.height]).toEqual([13, 7]);
    for (let y = 0; y < 7; y++) for (let x = 0; x < 13; x++) expect(out.rgb[(y * 13 + x) * 3]).toBe((x + y) % 3 ? 255 : 0);
  });

  test("a grey ramp: 16 levels (4 bits per pixel), each pixel within half a level", async () => {
    const px = image(256, 3, 1, (x) => [x, x, x]);
    const png = encodeThumbPng(px);
    expect(depth(png)).toBe(4);
    const out = await decode(png);
    const levels = new Set<number>();
    for (let x = 0; x < 256; x++) {
      const v = out.rgb[x * 3]!;
      levels.add(v);
      expect(Math.abs(v - x)).toBeLessThanOrEqual(9);
    }
    expect(levels.size).toBe(16);
  });

  test("colours and greys together (RGBA input): 8 bits per pixel, every channel within 64 (the coarsest palette step)", async () => {
    const px = image(61, 40, 4, (x, y) => (y < 20 ? [x * 4, 255 - x * 4, (y * 12) % 256] : [x * 4, x * 4, x * 4]));
    const png = encodeThumbPng(px);
    expect(depth(png)).toBe(8);
    const out = await decode(png);
    for (let y = 0; y < 40; y++)
      for (let x = 0; x < 61; x++) {
        const want = px.data.subarray((y * 61 + x) * 4, (y * 61 + x) * 4 + 3);
        for (let k = 0; k < 3; k++) expect(Math.abs(out.rgb[(y * 61 + x) * 3 + k]! - want[k]!)).toBeLessThanOrEqual(64);
      }
  });

  test("a few colours: 2 bits per pixel", async () => {
    const cols: [number, number, number][] = [[255, 255, 255], [0, 0, 0], [255, 0, 0], [0, 0, 255]];
    const png = encodeThumbPng(image(9, 9, 3, (x, y) => cols[(x * 3 + y) % 4]!));
    expect(depth(png)).toBe(2);
    const out = await decode(png);
    for (let y = 0; y < 9; y++) for (let x = 0; x < 9; x++) expect([...out.rgb.subarray((y * 9 + x) * 3, (y * 9 + x) * 3 + 3)]).toEqual(cols[(x * 3 + y) % 4]!);
  });

  test("an empty image is refused", () => {
    expect(() => encodeThumbPng({ width: 0, height: 5, channels: 3, data: new Uint8Array(0) })).toThrow("empty image");
  });
});
