// The frame of a page drawn over a page of a PDF (annotated PDFs), for the SVG: the PDF page's
// CropBox (after its /Rotate) placed as the PDF export places it, in the page's display units. The
// PDF/PNG outputs show that frame (extended by ink beyond it); an SVG with the same frame lines up
// with them and with a PDF page drawn underneath (the dashboard's underlay).

import { PDFDocument } from "pdf-lib";
import { DEVICES, type Page, type Rect } from "../rm/model.ts";
import { displayedSize, pdfFrame, type PdfBox } from "./pdf-place.ts";
import { buildScene, type Orientation } from "./scene.ts";

/** The PDF pages' boxes and rotations, read once per PDF (pdf-lib; no rendering). */
export interface PdfPageBoxes {
  pages: Array<{ box: PdfBox; rotate: number }>;
}

/** Read every page's CropBox and /Rotate; null when the PDF cannot be read. */
export async function readPdfPageBoxes(pdf: Uint8Array): Promise<PdfPageBoxes | null> {
  try {
    const doc = await PDFDocument.load(pdf, { ignoreEncryption: true, updateMetadata: false });
    return {
      pages: doc.getPages().map((p) => {
        const c = p.getCropBox();
        return { box: { x0: c.x, y0: c.y, x1: c.x + c.width, y1: c.y + c.height }, rotate: p.getRotation().angle };
      }),
    };
  } catch {
    return null;
  }
}

/**
 * The frame (display units) of `page` drawn over page `index` of a PDF and its scale (pt per unit),
 * as renderSvg's `frame` and `ptPerUnit`; null when there is no such page.
 */
export function pageFrameOverPdf(page: Page, boxes: PdfPageBoxes, index: number, orientation?: Orientation): { frame: Rect; ptPerUnit: number } | null {
  const src = boxes.pages[index];
  if (!src) return null;
  const scene = buildScene(page, { text: false, extend: false, ...(orientation ? { orientation } : {}) });
  const frame = pdfFrame({ frame: page.frame, dpi: DEVICES[page.device].dpi, page: scene.box, rotation: scene.rotation }, src.box, src.rotate);
  if (!frame) return null;
  const { w } = displayedSize(src.box, src.rotate);
  return { frame, ptPerUnit: w / frame.w };
}
