// Shared harness for comparisons with TRUE device output: the desktop app's PDF export of the rm2pdf
// cc8313bb bundle (rm2pdf__testfiles/reMarkable_output.pdf; page 2 = the v5 tool sampler 7794dbce).
// The export page is rasterised with MuPDF at K px/pt and our PDF / SVG / PNG of the same .rm page
// at ~2 px/unit; both are placed in page units so ink mass (sum of 1 − luminance, per unit²) can be
// compared box by box. Used by pencil-tone.test.ts and pen-weights.test.ts.

import * as mupdf from "mupdf";
import { readFileSync } from "node:fs";
import type { Group, Page, SceneItem, Stroke } from "../../src/rm/model.ts";
import { renderPdf } from "../../src/render/pdf.ts";
import { initPng, renderPixels } from "../../src/render/png.ts";
import { Resvg } from "@resvg/resvg-wasm";
import { renderSvg } from "../../src/render/svg.ts";
import { sample } from "../support/samples.ts";
import { loadSample } from "./fixtures.ts";

export const DIR = "rm2pdf__testfiles/cc8313bb-5fab-4ab5-af39-46e6d4160df3";
export const PAGE = "7794dbce-2506-4fb0-99fd-9ec031426d57";
/** The export's scale (its highlighter: 30 units drawn 13.4918 pt wide) and its top margin: the
 *  strokes are drawn under `1 0 0 -1 0 841.89 cm` in a MediaBox whose top is 848.333. */
export const EXPORT_PT_PER_UNIT = 13.4918 / 30;
export const EXPORT_TOP = 848.333 - 841.89;
export const K = 4; // raster scale of the export, px per pt


export interface Gray {
  width: number;
  height: number;
  data: Float32Array;
}

export function pixmapGray(pix: mupdf.Pixmap): Gray {
  const w = pix.getWidth();
  const h = pix.getHeight();
  const n = pix.getNumberOfComponents();
  const st = pix.getStride();
  const px = pix.getPixels();
  const data = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = px[y * st + x * n]! / 255;
  return { width: w, height: h, data };
}

export function rgbaGray(width: number, height: number, px: Uint8Array | Uint8ClampedArray, channels: number): Gray {
  const data = new Float32Array(width * height);
  for (let i = 0; i < data.length; i++) {
    const o = i * channels;
    data[i] = (0.299 * px[o]! + 0.587 * px[o + 1]! + 0.114 * px[o + 2]!) / 255;
  }
  return { width, height, data };
}

export function rasterDoc(bytes: Uint8Array | string, mime: string, index: number, scale: number): Gray {
  const page = mupdf.Document.openDocument(bytes, mime).loadPage(index);
  return pixmapGray(page.toPixmap(mupdf.Matrix.scale(scale, scale), mupdf.ColorSpace.DeviceGray, false, true));
}

/** An image of the page with its unit → pixel mapping. */
export interface Placed {
  img: Gray;
  /** px per unit */
  s: number;
  ox: number;
  oy: number;
}

export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Ink mass (sum of 1 − luminance) inside a box given in units, per unit². */
export function mass(p: Placed, b: Box): number {
  const { img, s, ox, oy } = p;
  let sum = 0;
  const X0 = Math.max(0, Math.floor(ox + b.x0 * s));
  const X1 = Math.min(img.width, Math.ceil(ox + b.x1 * s));
  const Y0 = Math.max(0, Math.floor(oy + b.y0 * s));
  const Y1 = Math.min(img.height, Math.ceil(oy + b.y1 * s));
  for (let y = Y0; y < Y1; y++) for (let x = X0; x < X1; x++) sum += 1 - img.data[y * img.width + x]!;
  return sum / (s * s);
}

export function keepStrokes(page: Page, keep: (s: Stroke) => boolean): Page {
  const filter = (items: SceneItem[]): SceneItem[] =>
    items.filter((c) => c.kind !== "stroke" || keep(c)).map((c) => (c.kind === "group" ? { ...c, children: filter(c.children) } : c));
  return { ...page, layers: page.layers.map((l) => ({ ...l, children: filter(l.children) }) as Group) };
}

export function strokesOf(page: Page, keep: (s: Stroke) => boolean): Stroke[] {
  const out: Stroke[] = [];
  const walk = (items: SceneItem[]) => {
    for (const c of items) if (c.kind === "group") walk(c.children);
    else if (c.kind === "stroke" && keep(c)) out.push(c);
  };
  for (const l of page.layers) walk(l.children);
  return out;
}

/** The strokes' bounding box grown by `margin` units (10: the pencil rows are ≥ 30 units apart). */
export function boxOf(strokes: Stroke[], margin = 10): Box {
  const b = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
  for (const s of strokes)
    for (const p of s.points) {
      b.x0 = Math.min(b.x0, p.x - margin);
      b.y0 = Math.min(b.y0, p.y - margin);
      b.x1 = Math.max(b.x1, p.x + margin);
      b.y1 = Math.max(b.y1, p.y + margin);
    }
  return b;
}

export type Format = "pdf" | "svg" | "png";

/** Our render of `page` in one format, placed in units (notebook page, 1404 × 1872 units, no extension). */
export async function ours(page: Page, format: Format): Promise<Placed> {
  if (format === "pdf") {
    const img = rasterDoc(await renderPdf({ title: "t", pages: [{ page, sourcePage: null }] }), "application/pdf", 0, 6);
    return { img, s: img.width / 1404, ox: 0, oy: 0 };
  }
  if (format === "svg") {
    // The SVG string itself, rasterised by resvg (this MuPDF build has no SVG reader).
    await initPng();
    const r = new Resvg(renderSvg(page, { extend: false }), { fitTo: { mode: "width", value: 2808 }, background: "white" });
    const out = r.render();
    const img = rgbaGray(out.width, out.height, out.pixels, 4);
    out.free();
    r.free();
    return { img, s: img.width / 1404, ox: 0, oy: 0 };
  }
  const px = await renderPixels(page, { extend: false, longEdge: 3744 });
  const img = rgbaGray(px.width, px.height, px.data, px.channels);
  return { img, s: img.width / 1404, ox: 0, oy: 0 };
}

/** The sampler page (7794dbce) as we parse it. */
export function samplerPage(): Page {
  return loadSample(`${DIR}/${PAGE}.rm`);
}

/** Page 2 of the device export, placed in the sampler page's units. */
export function exportPage(): Placed {
  const img = rasterDoc(new Uint8Array(readFileSync(sample("rm2pdf__testfiles/reMarkable_output.pdf"))), "application/pdf", 1, K);
  return { img, s: EXPORT_PT_PER_UNIT * K, ox: 0, oy: EXPORT_TOP * K };
}
