// Writes docs/images/render-<sample>.png: the rmc fork's reference PDF (left; that renderer's own
// output, not a device export) beside our render (right) for the four Paper Pro samples that come
// with one. Run: bun test/render/make-images.ts
import * as mupdf from "mupdf";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parsePage } from "../../src/rm/page.ts";
import { renderPng } from "../../src/render/png.ts";
import { HAVE_SAMPLES, sample } from "../support/samples.ts";

const OUT = resolve(import.meta.dir, "../../docs/images");
const HEIGHT = 640;
const GAP = 12;

if (!HAVE_SAMPLES) {
  console.error("samples not found");
  process.exit(1);
}
mkdirSync(OUT, { recursive: true });

function rgbPixmap(pix: mupdf.Pixmap): { w: number; h: number; get: (x: number, y: number) => [number, number, number] } {
  const n = pix.getNumberOfComponents();
  const st = pix.getStride();
  // Copy now: views into WASM memory go stale when later calls grow the heap.
  const px = new Uint8Array(pix.getPixels());
  const alpha = pix.getAlpha();
  return {
    w: pix.getWidth(),
    h: pix.getHeight(),
    get(x, y) {
      const o = y * st + x * n;
      const a = alpha ? px[o + n - 1]! / 255 : 1;
      const c = (v: number) => Math.round(v + 255 * (1 - a));
      return [c(px[o]!), c(px[o + 1]!), c(px[o + 2]!)];
    },
  };
}

for (const name of ["checklist", "colours", "more_anchoring", "text"]) {
  const doc = mupdf.Document.openDocument(readFileSync(sample(`expected/scrybble-rmc__${name}_expected_rmpp.pdf`)), "application/pdf");
  const dpage = doc.loadPage(0);
  const [, , x1, y1] = dpage.getBounds();
  const width = Math.round((HEIGHT * 1620) / 2160);
  const left = rgbPixmap(dpage.toPixmap(mupdf.Matrix.scale(width / x1, HEIGHT / y1), mupdf.ColorSpace.DeviceRGB, false, true));
  const page = parsePage(new Uint8Array(readFileSync(sample(`scrybble-rmc__${name}.rm`))), name);
  const png = await renderPng(page, { longEdge: HEIGHT, device: "rmpp", extend: false });
  const right = rgbPixmap(new mupdf.Image(png).toPixmap());
  const out = new mupdf.Pixmap(mupdf.ColorSpace.DeviceRGB, [0, 0, width * 2 + GAP, HEIGHT], false);
  out.clear(200);
  const px = out.getPixels();
  const st = out.getStride();
  for (const [img, ox] of [[left, 0], [right, width + GAP]] as const) {
    for (let y = 0; y < Math.min(HEIGHT, img.h); y++) {
      for (let x = 0; x < Math.min(width, img.w); x++) {
        const [r, g, b] = img.get(x, y);
        const o = y * st + (x + ox) * 3;
        px[o] = r;
        px[o + 1] = g;
        px[o + 2] = b;
      }
    }
  }
  const file = join(OUT, `render-${name.replace("_", "-")}.png`);
  writeFileSync(file, out.asPNG());
  console.log(file);
}
