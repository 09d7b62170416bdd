// The OCR PNG of an annotated PDF page shows the original PDF page under the strokes, where the
// PDF export puts it; notebook pages render exactly as before (strokes only).
import { describe, expect, test } from "bun:test";
import { Resvg } from "@resvg/resvg-wasm";
import { PDFDocument, degrees, rgb } from "pdf-lib";
import { renderPdf } from "../../src/render/pdf.ts";
import { initPng, renderPng } from "../../src/render/png.ts";
import { buildScene } from "../../src/render/scene.ts";
import { sceneToSvg } from "../../src/render/svg.ts";
import { openInput } from "../../src/rm/container/library.ts";
import { parseDocumentPages } from "../../src/rm/container/parse-pages.ts";
import type { Page } from "../../src/rm/model.ts";
import { parsePage } from "../../src/rm/page.ts";
import { describeSamples, sample } from "../support/samples.ts";
import { layer, page, pt, stroke } from "./fixtures.ts";
import { type Gray, decodePng, inkScore, rasterPdf } from "./visual-support.ts";

const OCR = { longEdge: 1568, grayscale: true, text: false, highlights: false } as const;

/** The renderer before the underlay existed (strokes only), as a reference for byte equality. */
async function strokesOnlyBefore(p: Page): Promise<Uint8Array> {
  const scene = buildScene(p, { text: false, extend: true });
  const svg = sceneToSvg(scene, { text: false, highlights: false, grayscale: true });
  expect(svg).not.toContain("<image");
  await initPng();
  const wide = scene.view.w >= scene.view.h;
  const r = new Resvg(svg, {
    fitTo: wide ? { mode: "width", value: 1568 } : { mode: "height", value: 1568 },
    background: "white",
    shapeRendering: 2,
    font: { fontBuffers: [], defaultFontFamily: "DejaVu Sans", sansSerifFamily: "DejaVu Sans", serifFamily: "DejaVu Serif" },
  });
  const img = r.render();
  const png = img.asPng();
  img.free();
  r.free();
  return png;
}

/** A one-page PDF as large as page `index` of `pdf`, with nothing on it. */
async function blankLike(pdf: Uint8Array, index: number): Promise<Uint8Array> {
  const src = (await PDFDocument.load(pdf, { ignoreEncryption: true })).getPage(index);
  const out = await PDFDocument.create();
  const m = src.getMediaBox();
  const c = src.getCropBox();
  const p = out.addPage([m.width, m.height]);
  p.setMediaBox(m.x, m.y, m.width, m.height);
  p.setCropBox(c.x, c.y, c.width, c.height);
  p.setRotation(src.getRotation());
  return out.save();
}

const dark = (g: Gray, x: number, y: number, r: number) => {
  for (let yy = Math.max(0, y - r); yy <= Math.min(g.height - 1, y + r); yy++)
    for (let xx = Math.max(0, x - r); xx <= Math.min(g.width - 1, x + r); xx++) if (g.data[yy * g.width + xx]! < 0.6) return true;
  return false;
};

describe("PNG with a PDF page underneath", () => {
  test("a page without an underlay is byte-identical to the strokes-only renderer", async () => {
    const p = page([layer([stroke([pt(-300, 300, { width: 6 }), pt(300, 1500, { width: 6 })], { color: 7 })])]);
    expect(Buffer.from(await renderPng(p, OCR)).equals(Buffer.from(await strokesOnlyBefore(p)))).toBe(true);
  });

  test("an unreadable PDF: strokes only and the reason reported, or an error when nobody listens", async () => {
    const p = page([layer([stroke([pt(100, 300), pt(300, 500)], { tool: 17 })])]);
    const reasons: string[] = [];
    const png = await renderPng(p, { ...OCR, underlay: { pdf: new TextEncoder().encode("not a pdf"), index: 0 }, onUnderlayError: (m) => reasons.push(m) });
    expect(reasons.length).toBe(1);
    expect(reasons[0]).toStartWith("render: pdf underlay:");
    expect(Buffer.from(png).equals(Buffer.from(await strokesOnlyBefore(p)))).toBe(true);
    await expect(renderPng(p, { ...OCR, underlay: { pdf: new TextEncoder().encode("not a pdf"), index: 0 } })).rejects.toThrow("render: pdf underlay:");
    const pdf = await blankLikeA4();
    await expect(renderPng(p, { ...OCR, underlay: { pdf, index: 3 } })).rejects.toThrow("page 4 of 1");
  });
});

describe("PNG with a PDF page underneath: placement as the PDF export", () => {
  /** An A5 page with an offset MediaBox, a smaller CropBox, /Rotate r and printed black boxes. */
  async function printed(rotate: number): Promise<Uint8Array> {
    const d = await PDFDocument.create();
    const p = d.addPage([420, 595]);
    p.setMediaBox(10, 20, 420, 595);
    p.setCropBox(20, 30, 400, 575);
    p.setRotation(degrees(rotate));
    p.drawRectangle({ x: 40, y: 60, width: 120, height: 40, color: rgb(0, 0, 0) });
    p.drawRectangle({ x: 300, y: 500, width: 80, height: 60, color: rgb(0, 0, 0) });
    p.drawRectangle({ x: 200, y: 250, width: 20, height: 150, color: rgb(0, 0, 0) });
    return d.save();
  }
  const ink = [layer([stroke([pt(60, 120, { width: 8 }), pt(160, 260, { width: 8 }), pt(300, 380, { width: 8 })], { tool: 17 })])];
  for (const rotate of [0, 90, 180, 270]) {
    for (const frame of ["centered", "topleft"] as const) {
      test(`/Rotate ${rotate}, ${frame} frame: the PNG matches the PDF export's rendering`, async () => {
        const pdf = await printed(rotate);
        const pg = page(ink, frame === "topleft" ? { version: 5, frame, box: { x: 0, y: 0, w: 1404, h: 1872 } } : {});
        const composite = decodePng(await renderPng(pg, { ...OCR, underlay: { pdf, index: 0 } }));
        const exported = rasterPdf(await renderPdf({ title: "t", pages: [{ page: pg, sourcePage: 0 }], background: pdf }), 0, composite.width, composite.height);
        // Pixel-exact agreement (a 3 px shift scores ≈ 0.983 here).
        const s = inkScore(composite, exported, 1);
        expect(s.f1).toBeGreaterThan(0.995);
        expect(s.mad).toBeLessThan(0.01);
        const original = rasterPdf(pdf, 0, composite.width, composite.height);
        expect(inkScore(composite, original, 2).recall).toBeGreaterThan(0.95); // all of the printed boxes
      });
    }
  }
});

async function blankLikeA4(): Promise<Uint8Array> {
  const d = await PDFDocument.create();
  d.addPage([595, 842]);
  return d.save();
}

describeSamples("PNG with a PDF page underneath (samples)", () => {
  const cases = [
    { name: "v6 page on an A4 PDF (centered frame)", input: "rm2pdf__testfiles/version3.zip", doc: "701cdc43", index: 0 },
    { name: "v5 page on an A4 PDF (top-left frame)", input: "rm2pdf__testfiles", doc: "fbe9f971", index: 2 },
  ];
  for (const c of cases) {
    test(`${c.name}: PDF text shows where the PDF export puts it; strokes as before`, async () => {
      const lib = await openInput(sample(c.input));
      const doc = lib.documents.find((d) => d.uuid.startsWith(c.doc))!;
      expect(doc.pdfPath).toBeDefined();
      const pdf = (await lib.source.read(doc.pdfPath!))!;
      const parsed = (await parseDocumentPages(lib, doc, new Set([c.index])))[0]!;
      const src = parsed.ref.sourcePage!;
      expect(src).toBeGreaterThanOrEqual(0);
      const pg = parsed.page!;

      const composite = decodePng(await renderPng(pg, { ...OCR, underlay: { pdf, index: src } }));
      const { width: W, height: H } = composite;
      expect(Math.max(W, H)).toBe(1568);

      // Ground truth at the same frame: the PDF export (original page + strokes), the same export
      // over a blank page of that size (strokes only), and the original page alone.
      const exported = rasterPdf(await renderPdf({ title: "t", pages: [{ page: pg, sourcePage: src }], background: pdf }), 0, W, H);
      const strokesOnly = rasterPdf(await renderPdf({ title: "t", pages: [{ page: pg, sourcePage: 0 }], background: await blankLike(pdf, src) }), 0, W, H);
      const original = rasterPdf(pdf, src, W, H);

      // The whole image agrees with the PDF export (PDF content and strokes, same placement).
      const s = inkScore(composite, exported, 1);
      expect(s.f1).toBeGreaterThan(0.98);
      expect(s.mad).toBeLessThan(0.01);

      // PDF ink away from any stroke is dark in the composite (it would be white strokes-only).
      let pdfOnly = 0;
      let shown = 0;
      let shownBefore = 0;
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          if (original.data[y * W + x]! >= 0.5 || dark(strokesOnly, x, y, 4)) continue;
          pdfOnly++;
          if (dark(composite, x, y, 1)) shown++;
          if (dark(strokesOnly, x, y, 1)) shownBefore++;
        }
      }
      expect(pdfOnly).toBeGreaterThan(200);
      expect(shown / pdfOnly).toBeGreaterThan(0.9);
      expect(shownBefore).toBe(0);

      // Every stroke is still drawn on top.
      expect(inkScore(composite, strokesOnly, 2).recall).toBeGreaterThan(0.9);
    });
  }

  test("a notebook page of a sample renders byte-identically to before", async () => {
    const file = "rmc__writing_tools.rm";
    const p = parsePage(new Uint8Array(await Bun.file(sample(file)).arrayBuffer()), file, { lenient: true });
    expect(Buffer.from(await renderPng(p, OCR)).equals(Buffer.from(await strokesOnlyBefore(p)))).toBe(true);
  });
});
