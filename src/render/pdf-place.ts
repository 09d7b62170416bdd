// Where a page's device units land on a PDF page (rm-format.md §6.7 items 4–5), as one affine
// matrix [a b c d e f] from device units to PDF user space, with y pointing down in device units.

import type { Rect } from "../rm/model.ts";
import { type Rotation, toDisplay } from "./scene.ts";

export type Matrix = [number, number, number, number, number, number];

/** A PDF page rectangle (user space, y up). */
export interface PdfBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Matrix from "displayed page, top-left origin, y down, points" to user space for /Rotate r. */
function displayToUser(box: PdfBox, rotate: number): Matrix {
  const { x0, y0, x1, y1 } = box;
  switch (normRotation(rotate)) {
    case 90:
      return [0, 1, 1, 0, x0, y0];
    case 180:
      return [-1, 0, 0, 1, x1, y0];
    case 270:
      return [0, -1, -1, 0, x1, y1];
    default:
      return [1, 0, 0, -1, x0, y1];
  }
}

export function normRotation(r: number): 0 | 90 | 180 | 270 {
  const v = ((Math.round((Number.isFinite(r) ? r : 0) / 90) * 90) % 360 + 360) % 360;
  return v as 0 | 90 | 180 | 270;
}

/** Width and height of the page as displayed (after /Rotate). */
export function displayedSize(box: PdfBox, rotate: number): { w: number; h: number } {
  const w = box.x1 - box.x0;
  const h = box.y1 - box.y0;
  const r = normRotation(rotate);
  return r === 90 || r === 270 ? { w: h, h: w } : { w, h };
}

/** Compose: first scale by k and translate by (ox, oy) in display space, then map to user space. */
function compose(d: Matrix, k: number, ox: number, oy: number): Matrix {
  const [a, b, c, dd, e, f] = d;
  return [a * k, b * k, c * k, dd * k, a * ox + c * oy + e, b * ox + dd * oy + f];
}

/** The tablet's v3/v5 canvas (1404 × 1872 units, portrait). */
const CANVAS: Rect = { x: 0, y: 0, w: 1404, h: 1872 };

/** How a page's units are laid over a PDF page. */
export interface Placement {
  frame: "centered" | "topleft";
  dpi: number;
  /** The device page in display units (Scene.box: turned on landscape documents). */
  page: Rect;
  /** The document's quarter turn (Scene.rotation). */
  rotation: Rotation;
}

/**
 * Annotations over a page of a PDF/EPUB document: a matrix from display units (the scene's
 * coordinates after the landscape turn) to the PDF page's user space. The PDF page is taken as
 * displayed (after its /Rotate), so a landscape document on a portrait page with /Rotate 90 and
 * one on a landscape MediaBox come out the same.
 * v6 ("centered"): the PDF page is shown at its physical size at the device dpi with its top
 * centre at the top centre of the device page as shown (the origin, on portrait documents), so
 * 1 unit = 72/dpi pt.
 * v3/v5 ("topleft"): the 1404 × 1872 canvas as shown (1872 × 1404 on landscape documents) is
 * scaled to fit the page (by height when the page is narrower than the canvas, else by width),
 * anchored at the top left.
 */
export function placeOnPdfPage(p: Placement, box: PdfBox, rotate: number): Matrix {
  const d = displayToUser(box, rotate);
  const { w, h } = displayedSize(box, rotate);
  if (p.frame === "centered") {
    const k = 72 / p.dpi;
    return compose(d, k, w / 2 - (p.page.x + p.page.w / 2) * k, -p.page.y * k);
  }
  const c = toDisplay(CANVAS, p.rotation);
  const k = w / h < c.w / c.h ? h / c.h : w / c.w;
  return compose(d, k, -c.x * k, -c.y * k);
}

/** a∘b: apply `b` first, then `a` (PDF matrix convention: x' = a x + c y + e). */
export function concat(a: Matrix, b: Matrix): Matrix {
  return [
    a[0] * b[0] + a[2] * b[1],
    a[1] * b[0] + a[3] * b[1],
    a[0] * b[2] + a[2] * b[3],
    a[1] * b[2] + a[3] * b[3],
    a[0] * b[4] + a[2] * b[5] + a[4],
    a[1] * b[4] + a[3] * b[5] + a[5],
  ];
}

/** A page of our own (notebooks, inserted pages): the view rectangle at 72/dpi pt per unit. */
export function placeOnOwnPage(view: Rect, dpi: number): { width: number; height: number; matrix: Matrix } {
  const s = 72 / dpi;
  const width = Math.max(1, view.w * s);
  const height = Math.max(1, view.h * s);
  return { width, height, matrix: [s, 0, 0, -s, -view.x * s, height + view.y * s] };
}

function invertMatrix(m: Matrix): Matrix | null {
  const [a, b, c, d, e, f] = m;
  const det = a * d - b * c;
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) return null;
  return [d / det, -b / det, -c / det, a / det, (c * f - d * e) / det, (b * e - a * f) / det];
}

/**
 * The PDF page's visible rectangle (`box`, its CropBox) in the page's display units: the frame
 * the PDF export and the PNG (with its PDF page underneath) show, so an SVG with this frame lines
 * up with them. Null when the placement cannot be inverted (a degenerate page box).
 */
export function pdfFrame(p: Placement, box: PdfBox, rotate: number): Rect | null {
  const inv = invertMatrix(placeOnPdfPage(p, box, rotate));
  if (!inv) return null;
  const pts = [
    [box.x0, box.y0],
    [box.x1, box.y0],
    [box.x0, box.y1],
    [box.x1, box.y1],
  ].map(([x, y]) => [inv[0] * x! + inv[2] * y! + inv[4], inv[1] * x! + inv[3] * y! + inv[5]] as const);
  const x0 = Math.min(...pts.map((q) => q[0]));
  const y0 = Math.min(...pts.map((q) => q[1]));
  const r = { x: x0, y: y0, w: Math.max(...pts.map((q) => q[0])) - x0, h: Math.max(...pts.map((q) => q[1])) - y0 };
  return [r.x, r.y, r.w, r.h].every(Number.isFinite) && r.w > 0 && r.h > 0 ? r : null;
}
