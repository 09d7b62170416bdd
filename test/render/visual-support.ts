// Test helpers for visual comparison: rasterise PDFs and PNGs with mupdf (WASM) into grey images
// of the same size, and score how well two renders agree.

import * as mupdf from "mupdf";

export interface Gray {
  width: number;
  height: number;
  /** Luminance 0 (black) .. 1 (white), row-major. */
  data: Float32Array;
}

function toGray(pix: mupdf.Pixmap): Gray {
  const w = pix.getWidth();
  const h = pix.getHeight();
  const n = pix.getNumberOfComponents(); // includes alpha
  const stride = pix.getStride();
  const px = pix.getPixels();
  const data = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = y * stride + x * n;
      if (n - pix.getAlpha() >= 3) data[y * w + x] = (0.299 * px[o]! + 0.587 * px[o + 1]! + 0.114 * px[o + 2]!) / 255;
      else data[y * w + x] = px[o]! / 255;
    }
  }
  return { width: w, height: h, data };
}

/** Rasterise page `index` of a PDF to exactly width × height (stretching if the aspect differs). */
export function rasterPdf(bytes: Uint8Array, index: number, width: number, height: number): Gray {
  const doc = mupdf.Document.openDocument(bytes, "application/pdf");
  const page = doc.loadPage(index);
  const [x0, y0, x1, y1] = page.getBounds();
  const m = mupdf.Matrix.scale(width / (x1 - x0), height / (y1 - y0));
  const pix = page.toPixmap(m, mupdf.ColorSpace.DeviceRGB, false, true);
  return crop(toGray(pix), width, height);
}

/** Decode a PNG (any size) to grey. */
export function decodePng(bytes: Uint8Array): Gray {
  const img = new mupdf.Image(bytes);
  const pix = img.toPixmap();
  const g = toGray(pix);
  if (pix.getAlpha()) {
    // Composite on white: mupdf pixmaps are premultiplied.
    const n = pix.getNumberOfComponents();
    const px = pix.getPixels();
    const stride = pix.getStride();
    for (let y = 0; y < g.height; y++) {
      for (let x = 0; x < g.width; x++) {
        const a = px[y * stride + x * n + n - 1]! / 255;
        g.data[y * g.width + x] = g.data[y * g.width + x]! + (1 - a);
      }
    }
  }
  return g;
}

export function crop(g: Gray, width: number, height: number): Gray {
  if (g.width === width && g.height === height) return g;
  const data = new Float32Array(width * height).fill(1);
  for (let y = 0; y < Math.min(height, g.height); y++) {
    for (let x = 0; x < Math.min(width, g.width); x++) data[y * width + x] = g.data[y * g.width + x]!;
  }
  return { width, height, data };
}

/** Shift an image by (dx, dy) pixels, filling with white. */
export function shift(g: Gray, dx: number, dy: number): Gray {
  const data = new Float32Array(g.width * g.height).fill(1);
  for (let y = 0; y < g.height; y++) {
    const sy = y - dy;
    if (sy < 0 || sy >= g.height) continue;
    for (let x = 0; x < g.width; x++) {
      const sx = x - dx;
      if (sx >= 0 && sx < g.width) data[y * g.width + x] = g.data[sy * g.width + sx]!;
    }
  }
  return { width: g.width, height: g.height, data };
}

export function blank(width: number, height: number): Gray {
  return { width, height, data: new Float32Array(width * height).fill(1) };
}

function mask(g: Gray, threshold: number): Uint8Array {
  const m = new Uint8Array(g.width * g.height);
  for (let i = 0; i < m.length; i++) m[i] = g.data[i]! < threshold ? 1 : 0;
  return m;
}

function dilate(m: Uint8Array, w: number, h: number, r: number): Uint8Array {
  // Separable square dilation.
  const tmp = new Uint8Array(m.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let v = 0;
      for (let k = Math.max(0, x - r); k <= Math.min(w - 1, x + r) && !v; k++) v = m[y * w + k]!;
      tmp[y * w + x] = v;
    }
  }
  const out = new Uint8Array(m.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let v = 0;
      for (let k = Math.max(0, y - r); k <= Math.min(h - 1, y + r) && !v; k++) v = tmp[k * w + x]!;
      out[y * w + x] = v;
    }
  }
  return out;
}

export interface InkScore {
  /** Share of our ink pixels that land near expected ink. */
  precision: number;
  /** Share of expected ink pixels that we cover (nearby). */
  recall: number;
  /** Harmonic mean of the two: 1 = same ink, 0 = nothing in common (or an empty render). */
  f1: number;
  /** Mean absolute luminance difference over the whole image (0..1). */
  mad: number;
}

/**
 * Ink agreement with a spatial tolerance of `radius` pixels: pixels darker than `threshold`
 * are ink; a pixel of one image counts as matched when the other has ink within the radius.
 */
export function inkScore(ours: Gray, expected: Gray, radius = 2, threshold = 0.8): InkScore {
  const { width: w, height: h } = expected;
  const a = mask(crop(ours, w, h), threshold);
  const b = mask(expected, threshold);
  const da = dilate(a, w, h, radius);
  const db = dilate(b, w, h, radius);
  let na = 0;
  let nb = 0;
  let aHit = 0;
  let bHit = 0;
  let mad = 0;
  const oa = crop(ours, w, h).data;
  for (let i = 0; i < a.length; i++) {
    na += a[i]!;
    nb += b[i]!;
    if (a[i] && db[i]) aHit++;
    if (b[i] && da[i]) bHit++;
    mad += Math.abs(oa[i]! - expected.data[i]!);
  }
  const precision = na ? aHit / na : 0;
  const recall = nb ? bHit / nb : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1, mad: mad / a.length };
}
