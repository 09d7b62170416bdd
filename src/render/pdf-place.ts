// Where a page's device units land on a PDF page (rm-format.md §6.7 items 4–5), as one affine
// matrix [a b c d e f] from device units to PDF user space, with y pointing down in device units.

import type { Rect } from "../rm/model.ts";

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

/** The tablet's v3/v5 canvas (1404 × 1872 units). */
const CANVAS_W = 1404;
const CANVAS_H = 1872;

/**
 * Annotations over a page of a PDF/EPUB document.
 * v6 ("centered"): the PDF page is shown at its physical size at the device dpi with its top
 * centre at the origin, so 1 unit = 72/dpi pt from the top centre.
 * v3/v5 ("topleft"): the 1404 × 1872 canvas is scaled to fit the page (by height when the page is
 * narrower than 3:4, else by width), anchored at the top left.
 */
export function placeOnPdfPage(frame: "centered" | "topleft", dpi: number, box: PdfBox, rotate: number): Matrix {
  const d = displayToUser(box, rotate);
  const { w, h } = displayedSize(box, rotate);
  if (frame === "centered") return compose(d, 72 / dpi, w / 2, 0);
  const k = w / h < CANVAS_W / CANVAS_H ? h / CANVAS_H : w / CANVAS_W;
  return compose(d, k, 0, 0);
}

/** A page of our own (notebooks, inserted pages): the view rectangle at 72/dpi pt per unit. */
export function placeOnOwnPage(view: Rect, dpi: number): { width: number; height: number; matrix: Matrix } {
  const s = 72 / dpi;
  const width = Math.max(1, view.w * s);
  const height = Math.max(1, view.h * s);
  return { width, height, matrix: [s, 0, 0, -s, -view.x * s, height + view.y * s] };
}
