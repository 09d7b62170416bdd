// OCR of an annotated PDF page: the request (real SDK → loopback fake) carries the strokes drawn
// over the original PDF page at the PDF export's placement, and the prompt that asks for the
// handwriting only; a notebook page with the same strokes is sent strokes only, as before.
import { expect, test } from "bun:test";
import { PDFDocument, rgb } from "pdf-lib";
import type { SeenRequest } from "../support/fake-anthropic.ts";
import { addUser, buildDoc, call, harness, syncDoc } from "../support/server-harness.ts";
import { decodePng, type Gray } from "../render/visual-support.ts";
import { fakeAnthropicForFile, inkPage, ocrOverrides, ocrStatus, pageIds } from "./support.ts";

const fake = fakeAnthropicForFile();

const A4 = { w: 595, h: 842 };
/** A printed black box on the PDF page: points from the top-left corner of the page. */
const BOX = { x0: 50, x1: 250, y0: 600, y1: 700 };

async function printedPdf(): Promise<Uint8Array> {
  const d = await PDFDocument.create();
  const p = d.addPage([A4.w, A4.h]);
  p.drawRectangle({ x: BOX.x0, y: A4.h - BOX.y1, width: BOX.x1 - BOX.x0, height: BOX.y1 - BOX.y0, color: rgb(0, 0, 0) });
  return d.save();
}

function lum(g: Gray, x: number, y: number): number {
  return g.data[Math.round(y) * g.width + Math.round(x)]!;
}

/** Share of a grid of points inside (x0..x1, y0..y1) (pixels) darker than 0.3. */
function darkShare(g: Gray, x0: number, y0: number, x1: number, y1: number): number {
  let n = 0;
  let d = 0;
  for (let y = y0; y <= y1; y += 4) {
    for (let x = x0; x <= x1; x += 4) {
      n++;
      if (lum(g, x, y) < 0.3) d++;
    }
  }
  return d / n;
}

test("an annotated PDF page is sent with its PDF page underneath and the handwriting-only prompt; a notebook page strokes only", async () => {
  const h = await harness({ overrides: ocrOverrides(fake) });
  try {
    const u = await addUser(h, "pdf-ocr@example.com");
    const annotated = buildDoc([inkPage(11)], { name: "Paper", files: { ".pdf": await printedPdf() } });
    annotated.input.fileType = "pdf";
    await syncDoc(h, u.token, annotated);
    await h.runner.idle();
    const notebook = buildDoc([inkPage(11)], { name: "Notes" });
    await syncDoc(h, u.token, notebook);
    await h.runner.idle();

    expect(fake.rejected).toEqual([]);
    expect(fake.requests.length).toBe(2);
    const [pdfReq, nbReq] = fake.requests as [SeenRequest, SeenRequest];
    expect(ocrStatus(h, pageIds(h, u.id, annotated.uuid)[0]!)).toBe("done");

    // The prompt: handwriting only for the PDF page, a notebook transcription otherwise.
    expect(pdfReq.prompt).toContain("Transcribe only the handwriting, not the printed text.");
    expect(nbReq.prompt).not.toContain("printed text");
    expect(nbReq.prompt).toContain("handwritten notebook page");

    // The image frame is the PDF page: a v5 page is scaled to fit an A4 page by height (pdf-place).
    expect(pdfReq.height).toBe(1568);
    expect(pdfReq.width).toBe(Math.round((1568 * ((A4.w / A4.h) * 1872)) / 1872));
    expect(nbReq.width).toBe(Math.round((1568 * 1404) / 1872));

    // The printed box is where the PDF export puts it: device unit = (842 / 1872) pt, pixel = 1872 / 1568 units.
    const pxPerPt = 1568 / A4.h;
    const img = decodePng(pdfReq.png);
    const box = { x0: BOX.x0 * pxPerPt, x1: BOX.x1 * pxPerPt, y0: BOX.y0 * pxPerPt, y1: BOX.y1 * pxPerPt };
    expect(darkShare(img, box.x0 + 4, box.y0 + 4, box.x1 - 4, box.y1 - 4)).toBe(1);
    expect(darkShare(img, box.x1 + 6, box.y0 + 4, box.x1 + 60, box.y1 - 4)).toBe(0); // right of the box: paper
    expect(darkShare(img, box.x0 + 4, box.y1 + 6, box.x1 - 4, box.y1 + 60)).toBe(0); // below it: paper
    // The strokes still on top (the stroke runs along y ≈ 211…241 units).
    const strokeRow = (y: number) => (y * 1568) / 1872;
    let strokeInk = 0;
    for (let x = 0; x < img.width; x++) for (let y = Math.floor(strokeRow(205)); y <= Math.ceil(strokeRow(250)); y++) if (lum(img, x, y) < 0.5) strokeInk++;
    expect(strokeInk).toBeGreaterThan(50);

    // The notebook page: the same strokes, nothing where the box would be.
    const nb = decodePng(nbReq.png);
    expect(darkShare(nb, box.x0 + 4, box.y0 + 4, box.x1 - 4, box.y1 - 4)).toBe(0);

    // The page PNG of the API shows the PDF page too (a preview of what the OCR reads).
    const res = await call(h, "GET", `/api/v1/documents/${annotated.uuid}/pages/${annotated.input.pages![0]!.id}/png?grayscale=1&text=0`, { token: u.token });
    expect(res.status).toBe(200);
    const api = decodePng(new Uint8Array(await res.arrayBuffer()));
    expect(api.width).toBe(pdfReq.width);
    expect(darkShare(api, box.x0 + 4, box.y0 + 4, box.x1 - 4, box.y1 - 4)).toBe(1);
  } finally {
    await h.close();
  }
});

test("a PDF page whose PDF cannot be read is still read, strokes only, with one warning", async () => {
  const warnings: string[] = [];
  const h = await harness({ overrides: ocrOverrides(fake) });
  const warn = h.ctx.log.warn;
  h.ctx.log.warn = (msg, fields) => {
    warnings.push(`${msg} ${JSON.stringify(fields)}`);
    warn(msg, fields);
  };
  try {
    const u = await addUser(h, "pdf-bad@example.com");
    const d = buildDoc([inkPage(12)], { name: "Broken", files: { ".pdf": new TextEncoder().encode("%PDF-1.7 broken") } });
    d.input.fileType = "pdf";
    await syncDoc(h, u.token, d);
    await h.runner.idle();
    expect(fake.requests.length).toBe(1);
    expect(fake.requests[0]!.prompt).toContain("Transcribe only the handwriting");
    expect(fake.requests[0]!.width).toBe(Math.round((1568 * 1404) / 1872)); // the device page: no PDF frame
    expect(ocrStatus(h, pageIds(h, u.id, d.uuid)[0]!)).toBe("done");
    expect(warnings.filter((w) => w.includes("PDF page not drawn")).length).toBe(1);
  } finally {
    h.ctx.log.warn = warn;
    await h.close();
  }
});
