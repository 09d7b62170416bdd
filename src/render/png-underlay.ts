// The original PDF page under a page's strokes in the PNG (OCR input of annotated PDFs, previews):
// the PDF page is rasterised with MuPDF (WASM) at the placement the PDF export uses (pdf-place.ts),
// into an image the size of resvg's render of the strokes, which is multiplied onto it (ink on
// paper; resvg's own <image> drawing is several times slower). MuPDF is loaded lazily on first
// use, so a server that never renders an annotated PDF page never pays its memory; its WASM file is
// imported as a file so `bun build --compile` embeds it (the package's exports map hides it,
// hence the relative path), and is handed to MuPDF's loader instead of MuPDF reading it from
// beside its own script (which does not exist inside a compiled binary).

import wasmPath from "../../node_modules/mupdf/dist/mupdf-wasm.wasm" with { type: "file" };
import type { Rect } from "../rm/model.ts";
import { concat, type Matrix, type PdfBox, type Placement, placeOnPdfPage } from "./pdf-place.ts";

type Mupdf = typeof import("mupdf");

/** Page `index` (0-based) of the original PDF, drawn under the strokes. */
export interface PdfUnderlay {
  pdf: Uint8Array;
  index: number;
}

/** The PDF page placed in the page's device units, ready to go under a render of the strokes. */
export interface PlacedUnderlay {
  /** The PDF page's visible rectangle (its CropBox), in the page's display units (Scene.view's). */
  rect: Rect;
  /**
   * Draw the PDF page into a `width` × `height` image showing `view` (device units) and multiply
   * the strokes (RGBA on white, same size, as resvg renders them) onto it, like ink on paper.
   * Returns the PNG (grey when the underlay was placed with `grayscale`, else RGB).
   */
  composite(strokes: Uint8Array, width: number, height: number, view: Rect): Uint8Array;
  /** As composite(), but the pixels (RGB, or grey with `grayscale`) instead of a PNG. */
  compositePixels(strokes: Uint8Array, width: number, height: number, view: Rect): { data: Uint8ClampedArray; stride: number; channels: 1 | 3 };
  /** Frees MuPDF's objects (call once, after composite()). */
  close(): void;
}

let loading: Promise<Mupdf> | null = null;

/** Load MuPDF (once; a failure is remembered, so it is reported once and not retried per page). */
export function loadMupdf(): Promise<Mupdf> {
  loading ??= (async () => {
    const bytes = await Bun.file(wasmPath).arrayBuffer();
    const module = await WebAssembly.compile(bytes);
    let fail: (e: unknown) => void = () => {};
    const failed = new Promise<never>((_, reject) => {
      fail = reject;
    });
    // MuPDF's Emscripten loader reads this global for its Module overrides; instantiateWasm lets
    // us hand over the embedded, already compiled module (and drop the 10 MB of bytes after).
    (globalThis as Record<string, unknown>).$libmupdf_wasm_Module = {
      instantiateWasm(imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) {
        WebAssembly.instantiate(module, imports).then((instance) => done(instance, module), fail);
        return {};
      },
    };
    try {
      const mupdf = await Promise.race([import("mupdf"), failed]);
      mupdf.setLog(() => {}); // its warnings (PDF repairs) would be raw stderr lines; errors throw
      return mupdf;
    } finally {
      delete (globalThis as Record<string, unknown>).$libmupdf_wasm_Module;
    }
  })().catch((e: unknown) => {
    throw new Error(`render: cannot load mupdf: ${e instanceof Error ? e.message : String(e)}`);
  });
  return loading;
}

function invert(m: Matrix): Matrix {
  const [a, b, c, d, e, f] = m;
  const det = a * d - b * c;
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) throw new Error("render: pdf underlay: singular page transform");
  return [d / det, -b / det, -c / det, a / det, (c * f - d * e) / det, (b * e - a * f) / det];
}

function apply(m: Matrix, x: number, y: number): [number, number] {
  return [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]];
}

/** paper ← paper × ink / 255, per channel (grey: the strokes' green channel; they are grey then). */
function multiply(paper: Uint8ClampedArray, stride: number, n: 1 | 3, ink: Uint8Array, width: number, height: number): void {
  for (let y = 0; y < height; y++) {
    let o = y * stride;
    let i = y * width * 4;
    for (let x = 0; x < width; x++, o += n, i += 4) {
      // A Uint8ClampedArray rounds on store.
      if (n === 1) paper[o] = (paper[o]! * ink[i + 1]!) / 255;
      else {
        paper[o] = (paper[o]! * ink[i]!) / 255;
        paper[o + 1] = (paper[o + 1]! * ink[i + 1]!) / 255;
        paper[o + 2] = (paper[o + 2]! * ink[i + 2]!) / 255;
      }
    }
  }
}

/**
 * Open page `u.index` of the PDF and place it under a page laid out as `placement` says (as the
 * PDF export does). Throws (prefixed "render: pdf underlay:") when the PDF or the page is unusable.
 */
export async function placeUnderlay(u: PdfUnderlay, placement: Placement, grayscale: boolean): Promise<PlacedUnderlay> {
  const mupdf = await loadMupdf();
  let doc: InstanceType<Mupdf["Document"]> | null = null;
  let page: InstanceType<Mupdf["PDFPage"]> | null = null;
  const close = () => {
    page?.destroy();
    doc?.destroy();
    page = null;
    doc = null;
    mupdf.emptyStore(); // MuPDF's cache (fonts, images) would otherwise keep the WASM heap large
  };
  try {
    doc = mupdf.Document.openDocument(u.pdf, "application/pdf");
    const count = doc.countPages();
    if (!Number.isInteger(u.index) || u.index < 0 || u.index >= count) throw new Error(`page ${u.index + 1} of ${count}`);
    const p = doc.loadPage(u.index);
    if (!(p instanceof mupdf.PDFPage)) {
      p.destroy();
      throw new Error("not a PDF page");
    }
    page = p;
    // MuPDF's page space ("display": rotated, y down) and the PDF's user space (y up).
    const ctm = page.getTransform() as Matrix; // user → display
    const toUser = invert(ctm);
    const [dx0, dy0, dx1, dy1] = page.getBounds("CropBox");
    const corners = [apply(toUser, dx0, dy0), apply(toUser, dx1, dy0), apply(toUser, dx0, dy1), apply(toUser, dx1, dy1)];
    const box: PdfBox = {
      x0: Math.min(...corners.map((c) => c[0])),
      y0: Math.min(...corners.map((c) => c[1])),
      x1: Math.max(...corners.map((c) => c[0])),
      y1: Math.max(...corners.map((c) => c[1])),
    };
    const rotObj = page.getObject().getInheritable("Rotate");
    const rotate = rotObj.isNumber() ? rotObj.asNumber() : 0;
    const place = placeOnPdfPage(placement, box, rotate); // display units → user, as the PDF export
    const toDevice = concat(invert(place), toUser); // MuPDF's display space → our display units
    const dc = [apply(toDevice, dx0, dy0), apply(toDevice, dx1, dy0), apply(toDevice, dx0, dy1), apply(toDevice, dx1, dy1)];
    const rx0 = Math.min(...dc.map((c) => c[0]));
    const ry0 = Math.min(...dc.map((c) => c[1]));
    const rect: Rect = { x: rx0, y: ry0, w: Math.max(...dc.map((c) => c[0])) - rx0, h: Math.max(...dc.map((c) => c[1])) - ry0 };
    const pg = page;
    const draw = <T>(strokes: Uint8Array, width: number, height: number, view: Rect, out: (pix: InstanceType<Mupdf["Pixmap"]>) => T): T => {
      if (strokes.length !== width * height * 4) throw new Error("strokes image size mismatch");
      const cs = grayscale ? mupdf.ColorSpace.DeviceGray : mupdf.ColorSpace.DeviceRGB;
      const pix = new mupdf.Pixmap(cs, [0, 0, width, height], false);
      try {
        pix.clear(255);
        // display → device units → pixels of the strokes image.
        const sx = width / view.w;
        const sy = height / view.h;
        const dev = new mupdf.DrawDevice(mupdf.Matrix.identity, pix);
        try {
          pg.run(dev, concat([sx, 0, 0, sy, -view.x * sx, -view.y * sy], toDevice));
          dev.close();
        } finally {
          dev.destroy();
        }
        multiply(pix.getPixels(), pix.getStride(), grayscale ? 1 : 3, strokes, width, height);
        return out(pix);
      } finally {
        pix.destroy();
      }
    };
    return {
      rect,
      composite(strokes, width, height, view) {
        return draw(strokes, width, height, view, (pix) => pix.asPNG().slice());
      },
      compositePixels(strokes, width, height, view) {
        return draw(strokes, width, height, view, (pix) => ({ data: pix.getPixels().slice(), stride: pix.getStride(), channels: grayscale ? 1 : 3 }) as const);
      },
      close,
    };
  } catch (e) {
    close();
    throw new Error(`render: pdf underlay: ${e instanceof Error ? e.message : String(e)}`);
  }
}
